package dev.dmengine.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dmengine.spi.retrieval.EmbeddingSpace;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** The whole game over HTTP on the embedded profile; {@code PostgresGameFlowIT} runs it on Postgres. */
class GameFlowTest {

    static TestServer server;

    @BeforeAll
    static void start() {
        server = new TestServer(Map.of("dm.embedder.provider", "minilm")); // the embedded profile's default
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static List<SseReader.Event> streamTurn(TestServer server, String session, String token, String text, String key) {
        HttpRequest.Builder b = server.request("/api/sessions/" + session + "/messages", token)
                .header("Content-Type", "application/json").header("Accept", "text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(TestServer.write(Map.of("text", text))));
        if (key != null) {
            b.header("Idempotency-Key", key);
        }
        TestServer.SseResponse r = server.openSse(b.build());
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.headers().get("content-type").getFirst()).startsWith("text/event-stream");
        try (var lines = r.lines()) {
            SseReader reader = new SseReader(lines);
            List<SseReader.Event> events = reader.until(
                    e -> e.name().equals("turn.completed") || e.name().equals("turn.failed"), true);
            // the response ends once the turn's work is done (its vectors written): read to the end, as a
            // client does, so what follows sees the turn as the server left it
            assertThat(reader.rest(true)).as("events after the turn's last").isEmpty();
            return events;
        }
    }

    @Test
    void plays_the_whole_game_over_http_with_three_streamed_turns() {
        TestServer.Player p = server.player("Aria");
        TestServer.Response me = server.get("/auth/me", p.access());
        assertThat(me.status()).isEqualTo(200);
        assertThat(me.json().get("email").asText()).isEqualTo(p.email());
        assertThat(me.body()).doesNotContain("passwordHash").doesNotContain("argon2");

        TestServer.Response character = server.post("/api/characters", p.access(), Map.of("name", "Aria",
                "characterClass", "wizard", "inventory", List.of(Map.of("itemId", "rope", "name", "Hempen rope",
                        "quantity", 1, "weight", 10.0))));
        assertThat(character.status()).isEqualTo(201);
        assertThat(character.json().at("/inventory/0/itemId").asText()).isEqualTo("rope");
        String characterId = character.json().get("id").asText();

        TestServer.Response session = server.post("/api/sessions", p.access(),
                Map.of("characterId", characterId, "title", "The sunken keep"));
        assertThat(session.status()).isEqualTo(201);
        String sessionId = session.json().get("id").asText();

        List<String> said = List.of("I open the door", "I look around the hall", "I climb the stairs");
        List<String> replies = new ArrayList<>();
        for (String text : said) {
            List<SseReader.Event> events = streamTurn(server, sessionId, p.access(), text, null);
            assertThat(events.getFirst().name()).isEqualTo("turn.started");
            assertThat(events.getFirst().json().get("text").asText()).isEqualTo(text);
            assertThat(events.getLast().name()).isEqualTo("turn.completed");
            List<SseReader.Event> tokens = events.stream().filter(e -> e.name().equals("token")).toList();
            assertThat(tokens).hasSizeGreaterThan(3);
            // every event carries the session's monotonic event id
            List<Long> ids = events.stream().map(e -> Long.parseLong(e.id())).toList();
            assertThat(ids).isSorted().doesNotHaveDuplicates();
            SseReader.Event dm = events.stream().filter(e -> e.name().equals("dm.message")).findFirst().orElseThrow();
            replies.add(dm.json().get("content").asText());
            // tokens arrived one by one, before the stored reply
            assertThat(tokens.getFirst().receivedNanos()).isLessThan(dm.receivedNanos());
        }

        TestServer.Response page = server.get("/api/sessions/" + sessionId + "/messages?limit=200", p.access());
        assertThat(page.status()).isEqualTo(200);
        List<JsonNode> items = new ArrayList<>();
        page.json().get("items").forEach(items::add);
        List<String> players = items.stream().filter(m -> m.get("role").asText().equals("player"))
                .map(m -> m.get("content").asText()).toList();
        List<String> dms = items.stream().filter(m -> m.get("role").asText().equals("dm"))
                .map(m -> m.get("content").asText()).toList();
        assertThat(players).containsExactlyElementsOf(said);
        assertThat(dms).containsExactlyElementsOf(replies);
        List<String> ids = items.stream().map(m -> m.get("id").asText()).toList();
        assertThat(ids).isSortedAccordingTo((a, b) -> dev.dmengine.spi.Ids.compare(UUID.fromString(a), UUID.fromString(b)));

        // paging with a cursor walks the same transcript
        TestServer.Response first = server.get("/api/sessions/" + sessionId + "/messages?limit=2", p.access());
        String cursor = first.json().get("nextCursor").asText();
        TestServer.Response second = server.get("/api/sessions/" + sessionId + "/messages?limit=2&cursor="
                + java.net.URLEncoder.encode(cursor, java.nio.charset.StandardCharsets.UTF_8), p.access());
        assertThat(second.json().at("/items/0/id").asText()).isEqualTo(ids.get(2));

        // every player and DM message has its vector
        EmbeddingSpace space = server.server.engine().ports().embedder().space();
        assertThat(space.modelId()).contains("minilm"); // the embedded profile's local sentence embedder
        // the last reply is indexed after its turn.completed, while the client has moved on
        dev.dmengine.testkit.Await.until("every message of the session is indexed", () -> server.server.engine().ports()
                .vectorIndex().count(space, UUID.fromString(sessionId)) >= players.size() + dms.size());
        long vectors = server.server.engine().ports().vectorIndex().count(space, UUID.fromString(sessionId));
        assertThat(vectors).isEqualTo(players.size() + dms.size());
    }

    @Test
    void a_turn_without_event_stream_is_queued_and_its_job_reports_the_result() throws Exception {
        TestServer.Player p = server.player("Bram");
        String session = server.session(p);
        TestServer.Response r = server.send(server.request("/api/sessions/" + session + "/messages", p.access())
                .header("Content-Type", "application/json").header("Idempotency-Key", "k-1")
                .POST(HttpRequest.BodyPublishers.ofString("{\"text\":\"I light a torch\"}")).build());
        assertThat(r.status()).isEqualTo(202);
        String job = r.json().get("jobId").asText();
        assertThat(r.header("Location")).isEqualTo("/api/jobs/" + job);

        // the same Idempotency-Key names the same job
        TestServer.Response again = server.send(server.request("/api/sessions/" + session + "/messages", p.access())
                .header("Content-Type", "application/json").header("Idempotency-Key", "k-1")
                .POST(HttpRequest.BodyPublishers.ofString("{\"text\":\"I light a torch\"}")).build());
        assertThat(again.json().get("jobId").asText()).isEqualTo(job);

        JsonNode status = null;
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            status = server.get("/api/jobs/" + job, p.access()).json();
            if (status.get("state").asText().equals("succeeded")) {
                break;
            }
            Thread.sleep(50);
        }
        assertThat(status.get("state").asText()).isEqualTo("succeeded");
        assertThat(status.at("/result/dmMessageId").asText()).isNotEmpty();
        TestServer.Response page = server.get("/api/sessions/" + session + "/messages", p.access());
        assertThat(page.json().get("items").findValuesAsText("role")).containsExactly("player", "dm");
    }

    @Test
    void regenerate_streams_a_new_reply_to_the_same_player_message() {
        TestServer.Player p = server.player("Cora");
        String session = server.session(p);
        streamTurn(server, session, p.access(), "I knock on the gate", null);
        TestServer.SseResponse r = server.openSse(server.request("/api/sessions/" + session + "/regenerate", p.access())
                .header("Accept", "text/event-stream").POST(HttpRequest.BodyPublishers.noBody()).build());
        assertThat(r.status()).isEqualTo(200);
        List<SseReader.Event> events;
        try (var lines = r.lines()) {
            events = new SseReader(lines).until(e -> e.name().startsWith("turn.c") || e.name().equals("turn.failed"), true);
        }
        assertThat(events.getLast().name()).isEqualTo("turn.completed");
        TestServer.Response page = server.get("/api/sessions/" + session + "/messages", p.access());
        assertThat(page.json().get("items").findValuesAsText("role")).containsExactly("player", "dm");
    }

    @Test
    void an_idempotent_retry_of_a_streamed_turn_returns_the_first_result_without_a_second_turn() {
        TestServer.Player p = server.player("Dain");
        String session = server.session(p);
        List<SseReader.Event> first = streamTurn(server, session, p.access(), "I draw my sword", "retry-1");
        List<SseReader.Event> second = streamTurn(server, session, p.access(), "I draw my sword", "retry-1");
        assertThat(second).hasSize(1);
        assertThat(second.getFirst().json().get("replayed").asBoolean()).isTrue();
        assertThat(second.getFirst().json().get("dmMessageId").asText())
                .isEqualTo(first.getLast().json().get("dmMessageId").asText());
        TestServer.Response page = server.get("/api/sessions/" + session + "/messages", p.access());
        assertThat(page.json().get("items").findValuesAsText("role")).containsExactly("player", "dm");
    }
}
