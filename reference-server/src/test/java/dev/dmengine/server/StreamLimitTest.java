package dev.dmengine.server;

import dev.dmengine.testkit.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Event streams (SSE {@code /events} and WebSockets together) are capped per session, per
 * player and in all; one beyond a cap is refused as a problem (429 with Retry-After for the
 * player's own caps, 503 with Retry-After for the server's), and a stream that ends, however it
 * ends, gives its place back.
 */
class StreamLimitTest {

    TestServer server;
    final List<AutoCloseable> open = new ArrayList<>();

    @BeforeEach
    void start() {
        server = new TestServer(Map.of("dm.server.max-streams-per-session", "2", "dm.server.max-streams-per-player", "3",
                "dm.server.max-streams", "5"));
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
        server.close();
    }

    private TestServer.SseResponse sse(TestServer.Player p, String session) {
        TestServer.SseResponse r = server.openSse(server.request("/api/sessions/" + session + "/events", p.access())
                .header("Accept", "text/event-stream").GET().build());
        open.add(() -> r.lines().close());
        if (r.status() == 200) {
            new SseReader(r.lines()).next(); // the opening heartbeat: it is counted from here
        }
        return r;
    }

    private WebSocket ws(TestServer.Player p, String session) {
        WebSocket ws = server.http.newWebSocketBuilder().header("Authorization", "Bearer " + p.access())
                .buildAsync(URI.create("ws://localhost:" + server.server.port() + "/api/sessions/" + session + "/ws"),
                        new EventStreamTest.Frames()).join();
        open.add(ws::abort);
        return ws;
    }

    private HttpResponse<?> refusedWs(TestServer.Player p, String session) {
        Throwable t = org.assertj.core.api.Assertions.catchThrowable(() -> ws(p, session));
        assertThat(t).isInstanceOf(CompletionException.class).cause().isInstanceOf(WebSocketHandshakeException.class);
        return ((WebSocketHandshakeException) t.getCause()).getResponse();
    }

    private static String body(TestServer.SseResponse r) {
        return String.join("\n", r.lines().toList());
    }

    private long gauge(String name) {
        TestServer.Response m = server.send(server.request("/metrics", TestServer.SERVICE_TOKEN).GET().build());
        return m.body().lines().filter(l -> l.startsWith(name + " ")).mapToLong(l -> Long.parseLong(l.split(" ")[1]))
                .findFirst().orElseThrow(() -> new AssertionError(name + " not in " + m.body()));
    }

    @Test
    void a_third_stream_on_one_session_is_refused_with_429_and_retry_after() {
        TestServer.Player p = server.player("Cap");
        String session = server.session(p);
        assertThat(sse(p, session).status()).isEqualTo(200);
        ws(p, session);

        TestServer.SseResponse third = sse(p, session);
        assertThat(third.status()).isEqualTo(429);
        assertThat(third.headers().get("retry-after")).isNotEmpty();
        assertThat(third.headers().get("content-type")).containsExactly(Problems.MEDIA_TYPE);
        assertThat(body(third)).contains("rate-limited").contains("2 event streams");

        HttpResponse<?> refused = refusedWs(p, session);
        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(refused.headers().firstValue("Retry-After")).isPresent();
        assertThat(refused.headers().firstValue("Content-Type")).hasValue(Problems.MEDIA_TYPE);
    }

    @Test
    void a_stream_that_ends_gives_its_place_back() throws Exception {
        TestServer.Player p = server.player("Leaver");
        String session = server.session(p);
        TestServer.SseResponse first = sse(p, session);
        WebSocket socket = ws(p, session);
        assertThat(sse(p, session).status()).isEqualTo(429);

        first.lines().close(); // the client goes away without a word
        Await.until("the closed SSE stream's place is free again", () -> {
            TestServer.SseResponse r = sse(p, session);
            return r.status() == 200;
        });
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").join();
        Await.until("the closed WebSocket's place is free again", () -> {
            try {
                ws(p, session);
                return true;
            } catch (CompletionException refused) {
                return false;
            }
        });
        assertThat(sse(p, session).status()).isEqualTo(429);
    }

    @Test
    void a_player_is_capped_across_sessions() {
        TestServer.Player p = server.player("Many");
        String one = server.session(p);
        String two = server.session(p);
        assertThat(sse(p, one).status()).isEqualTo(200);
        assertThat(sse(p, one).status()).isEqualTo(200);
        assertThat(sse(p, two).status()).isEqualTo(200);
        TestServer.SseResponse fourth = sse(p, two);
        assertThat(fourth.status()).isEqualTo(429);
        assertThat(body(fourth)).contains("3 event streams");
        assertThat(refusedWs(p, two).statusCode()).isEqualTo(429);
    }

    @Test
    void the_server_caps_streams_in_all_with_503() {
        for (int i = 0; i < 5; i++) {
            TestServer.Player p = server.player("Crowd" + i);
            assertThat(sse(p, server.session(p)).status()).isEqualTo(200);
        }
        TestServer.Player late = server.player("Late");
        String session = server.session(late);
        TestServer.SseResponse refused = sse(late, session);
        assertThat(refused.status()).isEqualTo(503);
        assertThat(refused.headers().get("retry-after")).isNotEmpty();
        assertThat(body(refused)).contains("unavailable");
        assertThat(refusedWs(late, session).statusCode()).isEqualTo(503);
    }

    @Test
    void the_stream_gauges_return_to_zero_when_every_client_has_gone() throws Exception {
        TestServer.Player p = server.player("Gauge");
        String session = server.session(p);
        sse(p, session);
        ws(p, session);
        Await.until("both streams counted", () -> gauge("dm_sse_streams") == 1 && gauge("dm_websockets") == 1);
        for (AutoCloseable c : open) {
            c.close();
        }
        open.clear();
        Await.until("both streams released", () -> gauge("dm_sse_streams") == 0 && gauge("dm_websockets") == 0);
    }
}
