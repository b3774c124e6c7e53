package dev.dmengine.server;

import dev.dmengine.testkit.Await;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * File-descriptor exhaustion, made cheap: the server runs as a child process under
 * {@code ulimit -n 256} and takes a burst of idle TCP connections well beyond that. It must
 * stay up and serve {@code /health} once the burst is gone (today's listener died with "Too many
 * open files" and never bound its port again); and should its listener stop anyway, the process
 * must end with status 3 so that a supervisor restarts it.
 */
class ConnectionFloodIT {

    private static final int OPEN_FILES = 256;
    private static final int BURST = 600;

    /** Connects {@code n} sockets that never send a byte (the kernel's backlog completes each handshake). */
    private static List<Socket> burst(int port, int n) {
        List<Socket> sockets = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Socket s = new Socket();
            try {
                s.connect(new InetSocketAddress("localhost", port), 5_000);
                sockets.add(s);
            } catch (IOException e) {
                closeAll(List.of(s)); // a full backlog times out: the burst is as big as it gets
            }
        }
        return sockets;
    }

    private static void closeAll(List<Socket> sockets) {
        for (Socket s : sockets) {
            try {
                s.close();
            } catch (IOException e) {
                // already gone
            }
        }
    }

    @Test
    void a_burst_beyond_the_descriptor_limit_leaves_the_server_alive_and_serving() {
        try (ChildServer child = ChildServer.start("flood", OPEN_FILES, Map.of())) {
            assertThat(child.log()).containsPattern("open-file limit " + OPEN_FILES + "\\b")
                    .containsPattern("at most \\d+ connections");
            List<Socket> sockets = burst(child.port, BURST);
            try {
                assertThat(sockets).as("the burst's connections").hasSizeGreaterThan(OPEN_FILES);
                // the oldest idle connections make way for new ones: /health gets in even now
                TestServer.Response during = Await.value("/health during the burst", Duration.ofSeconds(60), () -> {
                    TestServer.Response r = child.get("/health", null);
                    return r.status() == 200 ? r : null;
                });
                assertThat(during.json().get("status").asText()).isEqualTo("UP");
            } finally {
                closeAll(sockets);
            }
            Await.until("/health answers once the burst is gone", Duration.ofSeconds(60),
                    () -> child.get("/health", null).status() == 200);
            assertThat(child.process.isAlive()).isTrue();
            assertThat(child.log()).doesNotContain("Too many open files").doesNotContain("terminating");
            assertThat(child.metric("dm_connections_evicted_total")).isPositive();
        }
    }

    @Test
    void a_listener_that_stops_anyway_ends_the_process_with_status_3() throws Exception {
        // a connection limit beyond what the descriptors allow: the burst makes accept() fail
        try (ChildServer child = ChildServer.start("doomed", OPEN_FILES, Map.of("dm.server.max-connections", "5000"))) {
            assertThat(child.log()).contains("dm.server.max-connections");
            List<Socket> sockets = burst(child.port, BURST);
            try {
                assertThat(child.process.waitFor(90, TimeUnit.SECONDS)).as("the process ended").isTrue();
            } finally {
                closeAll(sockets);
            }
            assertThat(child.process.exitValue()).isEqualTo(3);
            assertThat(child.log()).contains("listener").contains("exiting with status 3");
        }
    }
}
