package dev.dmengine.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EventStreamTest {

    static TestServer server;

    @BeforeAll
    static void start() {
        server = new TestServer();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static SseReader openEvents(String session, String token, String lastEventId) {
        HttpRequest.Builder b = server.request("/api/sessions/" + session + "/events", token)
                .header("Accept", "text/event-stream").GET();
        if (lastEventId != null) {
            b.header("Last-Event-ID", lastEventId);
        }
        TestServer.SseResponse r = server.openSse(b.build());
        assertThat(r.status()).isEqualTo(200);
        SseReader reader = new SseReader(r.lines());
        SseReader.Event first = reader.next(); // the stream opens with a heartbeat: subscribed from here
        assertThat(first.name()).isEqualTo("heartbeat");
        assertThat(first.id()).isNull();
        return reader;
    }

    private static void queueTurn(String session, String token, String text) {
        TestServer.Response r = server.post("/api/sessions/" + session + "/messages", token, Map.of("text", text));
        assertThat(r.status()).isEqualTo(202);
    }

    @Test
    void the_event_stream_carries_a_queued_turn_and_resumes_after_last_event_id() {
        TestServer.Player p = server.player("Evi");
        String session = server.session(p);
        SseReader live = openEvents(session, p.access(), null);
        queueTurn(session, p.access(), "I open the chest");
        List<SseReader.Event> events = live.until(e -> e.name().equals("turn.completed"), true);
        assertThat(events.getFirst().name()).isEqualTo("turn.started");
        assertThat(events.stream().filter(e -> e.name().equals("token")).count()).isGreaterThan(3);
        List<Long> ids = events.stream().map(e -> Long.parseLong(e.id())).toList();
        assertThat(ids).isSorted().doesNotHaveDuplicates();

        // a client that saw up to the fourth event resumes exactly after it
        String seen = events.get(3).id();
        SseReader resumed = openEvents(session, p.access(), seen);
        List<SseReader.Event> rest = resumed.until(e -> e.name().equals("turn.completed"), true);
        assertThat(rest.stream().map(SseReader.Event::id).toList())
                .containsExactlyElementsOf(events.subList(4, events.size()).stream().map(SseReader.Event::id).toList());
    }

    @Test
    void heartbeats_keep_an_idle_stream_open() {
        TestServer.Player p = server.player("Fen");
        String session = server.session(p);
        SseReader live = openEvents(session, p.access(), null);
        long start = System.nanoTime();
        SseReader.Event beat = live.next();
        assertThat(beat.name()).isEqualTo("heartbeat");
        assertThat(beat.json().get("at").asText()).isNotEmpty();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }

    static final class Frames implements WebSocket.Listener {
        final BlockingQueue<JsonNode> frames = new LinkedBlockingQueue<>();
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                try {
                    frames.add(Http.MAPPER.readTree(partial.toString()));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                partial.setLength(0);
            }
            ws.request(1);
            return null;
        }

        JsonNode next() throws InterruptedException {
            JsonNode n = frames.poll(20, TimeUnit.SECONDS);
            assertThat(n).as("a frame within 20 s").isNotNull();
            return n;
        }
    }

    private static WebSocket ws(String session, String token, Frames frames) {
        return server.http.newWebSocketBuilder().header("Authorization", "Bearer " + token)
                .buildAsync(URI.create("ws://localhost:" + server.server.port() + "/api/sessions/" + session + "/ws"),
                        frames).join();
    }

    @Test
    void a_websocket_client_receives_the_same_events_as_the_sse_stream() throws Exception {
        TestServer.Player p = server.player("Gus");
        String session = server.session(p);
        Frames frames = new Frames();
        WebSocket socket = ws(session, p.access(), frames);
        assertThat(frames.next().get("event").asText()).isEqualTo("heartbeat");
        SseReader sse = openEvents(session, p.access(), null);

        queueTurn(session, p.access(), "I whistle a tune");
        List<SseReader.Event> viaSse = sse.until(e -> e.name().equals("turn.completed"), true);
        List<JsonNode> viaWs = new ArrayList<>();
        while (true) {
            JsonNode f = frames.next();
            if (f.get("event").asText().equals("heartbeat")) {
                continue;
            }
            viaWs.add(f);
            if (f.get("event").asText().equals("turn.completed")) {
                break;
            }
        }
        assertThat(viaWs.stream().map(f -> f.get("id").asText()).toList())
                .containsExactlyElementsOf(viaSse.stream().map(SseReader.Event::id).toList());
        assertThat(viaWs.stream().map(f -> f.get("event").asText()).toList())
                .containsExactlyElementsOf(viaSse.stream().map(SseReader.Event::name).toList());
        assertThat(viaWs.getFirst().at("/data/text").asText()).isEqualTo("I whistle a tune");
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").join();
    }

    @Test
    void a_websocket_upgrade_to_another_players_session_is_a_404_and_without_credentials_a_401() {
        TestServer.Player owner = server.player("Hal");
        TestServer.Player other = server.player("Ivo");
        String session = server.session(owner);
        assertThatThrownBy(() -> ws(session, other.access(), new Frames()))
                .isInstanceOf(CompletionException.class)
                .cause().isInstanceOf(WebSocketHandshakeException.class)
                .satisfies(e -> assertThat(((WebSocketHandshakeException) e).getResponse().statusCode()).isEqualTo(404));
        assertThatThrownBy(() -> ws(UUID.randomUUID().toString(), owner.access(), new Frames()))
                .cause().satisfies(e -> assertThat(((WebSocketHandshakeException) e).getResponse().statusCode()).isEqualTo(404));
        assertThatThrownBy(() -> server.http.newWebSocketBuilder()
                .buildAsync(URI.create("ws://localhost:" + server.server.port() + "/api/sessions/" + session + "/ws"),
                        new Frames()).join())
                .cause().satisfies(e -> assertThat(((WebSocketHandshakeException) e).getResponse().statusCode()).isEqualTo(401));
    }

    /** The raw answer to a WebSocket upgrade request for {@code query} (e.g. {@code ?lastEventId=x}). */
    private static String upgrade(String session, String token, String query) {
        try (RawConnection c = new RawConnection(server.server.port())) {
            c.write("GET /api/sessions/" + session + "/ws" + query + " HTTP/1.1\r\nHost: localhost\r\n"
                    + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nAuthorization: Bearer " + token + "\r\n\r\n");
            return c.readResponse(Duration.ofSeconds(15));
        }
    }

    @Test
    void a_websocket_upgrade_with_a_bad_last_event_id_is_a_400_problem_like_the_sse_stream() {
        TestServer.Player p = server.player("Jo");
        String session = server.session(p);
        for (String bad : List.of("abc", "-5", "1.5", "99999999999999999999")) {
            String ws = upgrade(session, p.access(), "?lastEventId=" + bad);
            assertThat(ws).as("ws lastEventId=%s", bad).startsWith("HTTP/1.1 400")
                    .containsIgnoringCase("Content-Type: " + Problems.MEDIA_TYPE)
                    .contains("Last-Event-ID");
            TestServer.Response sse = server.send(server.request("/api/sessions/" + session + "/events?lastEventId=" + bad,
                    p.access()).header("Accept", "text/event-stream").GET().build());
            assertThat(sse.status()).as("sse lastEventId=%s", bad).isEqualTo(400);
            assertThat(sse.contentType()).isEqualTo(Problems.MEDIA_TYPE);
            assertThat(sse.body()).contains("Last-Event-ID");
        }
        assertThat(upgrade(session, p.access(), "?lastEventId=0")).startsWith("HTTP/1.1 101");
    }
}
