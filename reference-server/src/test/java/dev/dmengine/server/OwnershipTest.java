package dev.dmengine.server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Every route that takes an id answers 404 when the id is another player's. */
class OwnershipTest {

    static TestServer server;

    @BeforeAll
    static void start() {
        server = new TestServer();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void every_route_given_another_players_id_answers_404() throws Exception {
        TestServer.Player owner = server.player("Sol");
        TestServer.Player intruder = server.player("Tam");
        String character = server.post("/api/characters", owner.access(), Map.of("name", "Sol", "characterClass", "cleric"))
                .json().get("id").asText();
        String session = server.post("/api/sessions", owner.access(), Map.of("characterId", character)).json()
                .get("id").asText();
        String job = server.post("/api/sessions/" + session + "/messages", owner.access(), Map.of("text", "I pray"))
                .json().get("jobId").asText();

        String t = intruder.access();
        Map<String, Object> characterBody = Map.of("name", "X", "characterClass", "rogue", "version", 1);
        List<TestServer.Response> answers = new ArrayList<>(List.of(
                server.get("/api/characters/" + character, t),
                server.json("PUT", "/api/characters/" + character, t, characterBody),
                server.delete("/api/characters/" + character, t),
                server.post("/api/sessions", t, Map.of("characterId", character)),
                server.get("/api/sessions/" + session, t),
                server.json("PATCH", "/api/sessions/" + session, t, Map.of("title", "mine now")),
                server.delete("/api/sessions/" + session, t),
                server.get("/api/sessions/" + session + "/messages", t),
                server.post("/api/sessions/" + session + "/messages", t, Map.of("text", "I steal")),
                server.send(server.request("/api/sessions/" + session + "/messages", t)
                        .header("Content-Type", "application/json").header("Accept", "text/event-stream")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"text\":\"I steal\"}")).build()),
                server.send(server.request("/api/sessions/" + session + "/regenerate", t)
                        .POST(HttpRequest.BodyPublishers.noBody()).build()),
                server.get("/api/sessions/" + session + "/events", t),
                server.get("/api/sessions/" + session + "/ws", t),
                server.get("/api/jobs/" + job, t)));
        for (TestServer.Response r : answers) {
            ErrorsTest.problem(r, 404, "not-found");
        }
        // and nothing changed for the owner
        assertThat(server.get("/api/characters/" + character, owner.access()).json().get("name").asText()).isEqualTo("Sol");
        assertThat(server.get("/api/sessions/" + session, owner.access()).status()).isEqualTo(200);
        assertThat(server.get("/api/jobs/" + job, owner.access()).status()).isEqualTo(200);
    }

    @Test
    void a_malformed_id_is_a_404_too() {
        TestServer.Player p = server.player("Uma");
        ErrorsTest.problem(server.get("/api/characters/not-a-uuid", p.access()), 404, "not-found");
        ErrorsTest.problem(server.get("/api/sessions/123/messages", p.access()), 404, "not-found");
    }
}
