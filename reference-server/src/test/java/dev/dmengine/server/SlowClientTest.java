package dev.dmengine.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Slowloris and friends: connections that sit idle, send half a request line, trickle their
 * headers or stall their body are closed within the configured times (1 s here; each wait is
 * bounded at 15 s, well over 10x what it takes), while event streams whose clients never send a
 * byte live on as long as their heartbeats flow.
 */
class SlowClientTest {

    private static final Duration BOUND = Duration.ofSeconds(15);
    static TestServer server;

    @BeforeAll
    static void start() {
        server = new TestServer(Map.of("dm.server.idle-timeout", "1s", "dm.server.header-timeout", "1s",
                "dm.server.body-timeout", "1s"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static RawConnection connect() {
        return new RawConnection(server.server.port());
    }

    @Test
    void an_idle_keep_alive_connection_is_closed_after_the_idle_timeout() {
        try (RawConnection c = connect()) {
            c.write("GET /health/live HTTP/1.1\r\nHost: localhost\r\n\r\n");
            assertThat(c.readResponse(BOUND)).startsWith("HTTP/1.1 200");
            c.awaitClosed(BOUND);
        }
    }

    @Test
    void a_connection_that_never_sends_a_byte_is_closed_after_the_idle_timeout() {
        try (RawConnection c = connect()) {
            assertThat(c.awaitClosed(BOUND)).isEmpty();
        }
    }

    @Test
    void a_partial_request_line_is_closed_after_the_idle_timeout() {
        try (RawConnection c = connect()) {
            c.write("GET /health/li");
            assertThat(c.awaitClosed(BOUND)).doesNotContain("200 OK");
        }
    }

    @Test
    void headers_trickled_slower_than_the_header_timeout_are_cut_off() throws Exception {
        try (RawConnection c = connect()) {
            c.write("GET /health/live HTTP/1.1\r\nHost: localhost\r\n");
            AtomicBoolean open = new AtomicBoolean(true);
            // each line arrives well within any per-read timeout: only a deadline on the whole head stops this
            CompletableFuture<Void> trickle = CompletableFuture.runAsync(() -> {
                for (int i = 0; open.get() && i < 500; i++) {
                    if (!c.write("X-Pad-" + i + ": " + i + "\r\n")) {
                        return;
                    }
                    sleep(100);
                }
            });
            String got = c.awaitClosed(BOUND);
            open.set(false);
            trickle.get(BOUND.toSeconds(), TimeUnit.SECONDS);
            assertThat(got).doesNotContain("200 OK");
        }
    }

    @Test
    void a_stalled_body_is_cut_off_after_the_body_timeout() {
        try (RawConnection c = connect()) {
            c.write("POST /auth/login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 200\r\n\r\n{\"email\":\"a");
            assertThat(c.awaitClosed(BOUND)).doesNotContain("500");
        }
        assertThat(server.get("/health/live", null).status()).isEqualTo(200);
    }

    @Test
    void a_stalled_body_that_no_handler_reads_is_cut_off_too() {
        try (RawConnection c = connect()) {
            // the route answers without reading the body; the server must still not wait for it forever
            c.write("GET /health/live HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\n\r\n{\"x\":");
            assertThat(c.awaitClosed(BOUND)).startsWith("HTTP/1.1 200");
        }
    }

    @Test
    void a_request_refused_before_its_body_is_read_closes_its_connection_at_once() {
        try (RawConnection c = connect()) {
            c.write("POST /api/characters HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 100\r\n\r\n{\"name\":");
            String response = c.awaitClosed(BOUND);
            assertThat(response).startsWith("HTTP/1.1 401").containsIgnoringCase("Connection: close");
        }
    }

    @Test
    void a_body_trickled_slower_than_the_body_timeout_is_cut_off() throws Exception {
        try (RawConnection c = connect()) {
            c.write("POST /auth/login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 400\r\n\r\n");
            AtomicBoolean open = new AtomicBoolean(true);
            CompletableFuture<Void> trickle = CompletableFuture.runAsync(() -> {
                for (int i = 0; open.get() && i < 400; i++) {
                    if (!c.write(" ")) {
                        return;
                    }
                    sleep(100);
                }
            });
            String got = c.awaitClosed(BOUND);
            open.set(false);
            trickle.get(BOUND.toSeconds(), TimeUnit.SECONDS);
            assertThat(got).doesNotContain("500");
        }
    }

    @Test
    void an_event_stream_whose_client_sends_nothing_outlives_the_timeouts() {
        TestServer.Player p = server.player("Quiet");
        String session = server.session(p);
        TestServer.SseResponse r = server.openSse(server.request("/api/sessions/" + session + "/events", p.access())
                .header("Accept", "text/event-stream").GET().build());
        assertThat(r.status()).isEqualTo(200);
        SseReader reader = new SseReader(r.lines());
        long until = System.nanoTime() + Duration.ofSeconds(5).toNanos(); // five idle timeouts
        int beats = 0;
        while (System.nanoTime() < until) {
            SseReader.Event e = reader.next();
            assertThat(e).as("the stream is still open after %d heartbeats", beats).isNotNull();
            beats++;
        }
        assertThat(beats).isGreaterThan(3);
        r.lines().close();
    }

    @Test
    void a_websocket_whose_client_sends_nothing_outlives_the_timeouts() throws Exception {
        TestServer.Player p = server.player("Mute");
        String session = server.session(p);
        EventStreamTest.Frames frames = new EventStreamTest.Frames();
        AtomicBoolean closed = new AtomicBoolean();
        WebSocket.Listener listener = new WebSocket.Listener() {
            @Override
            public java.util.concurrent.CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                return frames.onText(ws, data, last);
            }

            @Override
            public java.util.concurrent.CompletionStage<?> onClose(WebSocket ws, int status, String reason) {
                closed.set(true);
                return null;
            }
        };
        WebSocket ws = server.http.newWebSocketBuilder().header("Authorization", "Bearer " + p.access())
                .buildAsync(URI.create("ws://localhost:" + server.server.port() + "/api/sessions/" + session + "/ws"),
                        listener).join();
        long until = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        int beats = 0;
        while (System.nanoTime() < until) {
            JsonNode f = frames.next();
            assertThat(f.get("event").asText()).isEqualTo("heartbeat");
            beats++;
        }
        assertThat(closed).isFalse();
        assertThat(beats).isGreaterThan(3);
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").join();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
