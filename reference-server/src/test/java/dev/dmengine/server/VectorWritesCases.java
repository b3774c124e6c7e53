package dev.dmengine.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code /vec/upsert}, {@code /vec/delete} and documents in {@code /vec/search} over HTTP, on
 * whichever profile the subclass starts ({@link VectorWritesTest}: embedded;
 * {@link PostgresVectorWritesIT}: PostgreSQL).
 */
abstract class VectorWritesCases {

    static final String TOKEN = TestServer.SERVICE_TOKEN;

    protected abstract TestServer server();

    static Map<String, Object> item(UUID id, String text) {
        return Map.of("id", id.toString(), "text", text);
    }

    TestServer.Response upsert(String player, String session, List<Map<String, Object>> items) {
        Map<String, Object> body = new HashMap<>(Map.of("playerId", player, "items", items));
        if (session != null) {
            body.put("sessionId", session);
        }
        return server().post("/vec/upsert", TOKEN, body);
    }

    JsonNode search(Map<String, Object> body) {
        TestServer.Response r = server().post("/vec/search", TOKEN, body);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json();
    }

    static JsonNode fieldError(JsonNode problem) {
        assertThat(problem.get("errors")).as(problem.toString()).hasSize(1);
        return problem.at("/errors/0");
    }

    @Test
    void a_service_indexes_its_texts_and_finds_them_as_documents_outside_the_game_history() throws Exception {
        TestServer.Player p = server().player("Ilse");
        String session = server().session(p);
        GameFlowTest.streamTurn(server(), session, p.access(), "I study the runes on the tower door", null);
        UUID map = UUID.randomUUID();
        UUID note = UUID.randomUUID();
        TestServer.Response r = upsert(p.id(), session, List.of(
                item(map, "A hand-drawn map of the drowned crypt beneath the lighthouse"),
                item(note, "The innkeeper owes the party forty silver pieces")));

        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().get("created").asInt()).isEqualTo(2);
        assertThat(r.json().get("replaced").asInt()).isZero();
        JsonNode docs = search(Map.of("sessionId", session, "text", "map of the drowned crypt", "documents", true));
        assertThat(docs.at("/matches/0/messageId").asText()).isEqualTo(map.toString());
        assertThat(docs.at("/matches/0/kind").asText()).isEqualTo("document");
        assertThat(docs.at("/matches/0/sessionId").asText()).isEqualTo(session);
        assertThat(docs.at("/matches/0/content").asText()).startsWith("A hand-drawn map");
        assertThat(docs.get("matches").findValuesAsText("kind")).containsOnly("document").hasSize(2);
        // the session's history (what the DM retrieves) holds the game's messages only
        JsonNode history = search(Map.of("sessionId", session, "text", "map of the drowned crypt", "k", 20));
        assertThat(history.get("matches").findValuesAsText("kind")).isNotEmpty().containsOnly("message");
        // a player-wide search meets both
        JsonNode everything = search(Map.of("playerId", p.id(), "text", "map of the drowned crypt", "k", 20));
        assertThat(everything.get("matches").findValuesAsText("kind")).contains("message", "document");
        assertThat(everything.at("/matches/0/messageId").asText()).isEqualTo(map.toString());
    }

    @Test
    void upserting_an_id_again_replaces_its_text_and_vector() {
        TestServer.Player p = server().player("Joss");
        UUID id = UUID.randomUUID();
        assertThat(upsert(p.id(), null, List.of(item(id, "a silver key under the doormat"))).status()).isEqualTo(200);

        TestServer.Response again = upsert(p.id(), null, List.of(item(id, "a golden crown in the abbot's chest")));

        assertThat(again.status()).as(again.body()).isEqualTo(200);
        assertThat(again.json().get("replaced").asInt()).isEqualTo(1);
        JsonNode hit = search(Map.of("playerId", p.id(), "text", "a golden crown in the abbot's chest", "documents",
                true));
        assertThat(hit.get("matches")).hasSize(1);
        assertThat(hit.at("/matches/0/content").asText()).isEqualTo("a golden crown in the abbot's chest");
        assertThat(hit.at("/matches/0/score").asDouble()).isGreaterThan(0.999);
        assertThat(hit.at("/matches/0").has("sessionId")).isFalse();
    }

    @Test
    void another_players_document_or_a_game_message_is_a_404_naming_the_field_and_stays_as_it_was() throws Exception {
        TestServer.Player owner = server().player("Kell");
        TestServer.Player other = server().player("Lio");
        UUID id = UUID.randomUUID();
        assertThat(upsert(owner.id(), null, List.of(item(id, "the owner's secret"))).status()).isEqualTo(200);

        JsonNode write = ErrorsTest.problem(upsert(other.id(), null, List.of(item(UUID.randomUUID(), "fine"),
                item(id, "taken over"))), 404, "not-found");
        assertThat(fieldError(write).get("field").asText()).isEqualTo("items[1].id");
        JsonNode delete = ErrorsTest.problem(server().post("/vec/delete", TOKEN, Map.of("playerId", other.id(),
                "ids", List.of(id.toString()))), 404, "not-found");
        assertThat(fieldError(delete).get("field").asText()).isEqualTo("ids[0]");
        JsonNode kept = search(Map.of("playerId", owner.id(), "text", "the owner's secret", "documents", true));
        assertThat(kept.at("/matches/0/content").asText()).isEqualTo("the owner's secret");
        assertThat(search(Map.of("playerId", other.id(), "text", "fine", "documents", true)).get("matches"))
                .as("nothing of a refused request is written").isEmpty();

        // the id of a message of the owner's own game is not a document either
        String session = server().session(owner);
        GameFlowTest.streamTurn(server(), session, owner.access(), "I light a torch", null);
        String messageId = server().get("/api/sessions/" + session + "/messages", owner.access()).json()
                .at("/items/0/id").asText();
        JsonNode message = ErrorsTest.problem(upsert(owner.id(), session, List.of(item(UUID.fromString(messageId),
                "overwrite a message's vector"))), 404, "not-found");
        assertThat(fieldError(message).get("field").asText()).isEqualTo("items[0].id");
    }

    @Test
    void a_player_or_session_that_is_not_the_owners_is_a_404() {
        TestServer.Player p = server().player("Mara");
        TestServer.Player other = server().player("Nim");
        String othersSession = server().session(other);

        ErrorsTest.problem(upsert(UUID.randomUUID().toString(), null, List.of(item(UUID.randomUUID(), "x"))), 404,
                "not-found");
        JsonNode session = ErrorsTest.problem(upsert(p.id(), othersSession, List.of(item(UUID.randomUUID(), "x"))),
                404, "not-found");
        assertThat(session.get("detail").asText()).contains("session");
    }

    @Test
    void sizes_are_limited_and_the_problem_names_the_field_and_the_limit() {
        TestServer.Player p = server().player("Orin");
        List<Map<String, Object>> tooMany = new ArrayList<>();
        for (int i = 0; i < VectorApi.MAX_ITEMS + 1; i++) {
            tooMany.add(item(UUID.randomUUID(), "t" + i));
        }
        JsonNode many = ErrorsTest.problem(upsert(p.id(), null, tooMany), 400, "invalid-input");
        assertThat(fieldError(many).get("field").asText()).isEqualTo("items");
        assertThat(fieldError(many).get("message").asText()).contains("64");

        JsonNode longText = ErrorsTest.problem(upsert(p.id(), null, List.of(item(UUID.randomUUID(),
                "x".repeat(VectorApi.MAX_TEXT + 1)))), 400, "invalid-input");
        assertThat(fieldError(longText).get("field").asText()).isEqualTo("items[0].text");
        assertThat(fieldError(longText).get("message").asText()).contains("8000");

        UUID twice = UUID.randomUUID();
        JsonNode dup = ErrorsTest.problem(upsert(p.id(), null, List.of(item(twice, "a"), item(twice, "b"))), 400,
                "invalid-input");
        assertThat(fieldError(dup).get("field").asText()).isEqualTo("items[1].id");

        JsonNode empty = ErrorsTest.problem(upsert(p.id(), null, List.of(item(UUID.randomUUID(), "  "))), 400,
                "invalid-input");
        assertThat(fieldError(empty).get("field").asText()).isEqualTo("items[0].text");

        List<String> ids = new ArrayList<>();
        for (int i = 0; i < VectorApi.MAX_ITEMS + 1; i++) {
            ids.add(UUID.randomUUID().toString());
        }
        JsonNode deletes = ErrorsTest.problem(server().post("/vec/delete", TOKEN, Map.of("playerId", p.id(),
                "ids", ids)), 400, "invalid-input");
        assertThat(fieldError(deletes).get("field").asText()).isEqualTo("ids");

        // eight texts near the limit are more than the server reads in one body
        List<Map<String, Object>> big = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            big.add(item(UUID.randomUUID(), "y".repeat(VectorApi.MAX_TEXT)));
        }
        JsonNode tooLarge = ErrorsTest.problem(upsert(p.id(), null, big), 413, "payload-too-large");
        assertThat(tooLarge.get("detail").asText()).contains("65536");
    }

    @Test
    void a_write_naming_another_space_than_the_active_one_is_a_conflict() {
        TestServer.Player p = server().player("Pell");
        JsonNode embed = server().post("/vec/embed", TOKEN, Map.of("texts", List.of("x"))).json();
        Map<String, Object> body = new HashMap<>(Map.of("playerId", p.id(), "items",
                List.of(item(UUID.randomUUID(), "a text"))));

        body.put("model", "some-other-model");
        body.put("dimension", embed.get("dimension").asInt());
        JsonNode conflict = ErrorsTest.problem(server().post("/vec/upsert", TOKEN, body), 409, "conflict");
        assertThat(conflict.get("detail").asText()).contains(embed.get("model").asText());

        body.put("model", embed.get("model").asText());
        TestServer.Response ok = server().post("/vec/upsert", TOKEN, body);
        assertThat(ok.status()).as(ok.body()).isEqualTo(200);
        assertThat(ok.json().get("dimension").asInt()).isEqualTo(embed.get("dimension").asInt());
    }

    @Test
    void delete_removes_documents_and_their_vectors_and_a_second_delete_is_a_404() {
        TestServer.Player p = server().player("Quin");
        UUID keep = UUID.randomUUID();
        UUID drop = UUID.randomUUID();
        upsert(p.id(), null, List.of(item(keep, "the keep stays"), item(drop, "the dropped scroll")));

        TestServer.Response deleted = server().post("/vec/delete", TOKEN, Map.of("playerId", p.id(),
                "ids", List.of(drop.toString())));

        assertThat(deleted.status()).as(deleted.body()).isEqualTo(200);
        assertThat(deleted.json().get("deleted").asInt()).isEqualTo(1);
        JsonNode left = search(Map.of("playerId", p.id(), "text", "the dropped scroll", "documents", true, "k", 10));
        assertThat(left.get("matches").findValuesAsText("messageId")).containsExactly(keep.toString());
        ErrorsTest.problem(server().post("/vec/delete", TOKEN, Map.of("playerId", p.id(),
                "ids", List.of(drop.toString()))), 404, "not-found");
    }

    @Test
    void the_write_routes_need_the_service_token() {
        TestServer.Player p = server().player("Rue");
        Map<String, Object> body = Map.of("playerId", p.id(), "items", List.of(item(UUID.randomUUID(), "x")));
        ErrorsTest.problem(server().post("/vec/upsert", null, body), 401, "unauthenticated");
        ErrorsTest.problem(server().post("/vec/upsert", p.access(), body), 403, "permission-denied");
        ErrorsTest.problem(server().post("/vec/delete", p.access(), Map.of("playerId", p.id(), "ids", List.of())), 403,
                "permission-denied");
        ErrorsTest.problem(server().get("/vec/reembed", p.access()), 403, "permission-denied");
    }

    @Test
    void health_names_the_active_embedding_space() {
        JsonNode embed = server().post("/vec/embed", TOKEN, Map.of("texts", List.of("x"))).json();
        JsonNode health = server().get("/health", null).json();
        assertThat(health.at("/embedding/active/model").asText()).isEqualTo(embed.get("model").asText());
        assertThat(health.at("/embedding/active/dimension").asInt()).isEqualTo(embed.get("dimension").asInt());
    }
}
