package dev.dmengine.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** The plain CRUD routes of characters and sessions, as their owner uses them. */
class CrudTest {

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
    void characters_are_listed_read_replaced_with_their_inventory_and_deleted() {
        TestServer.Player p = server.player("Abe");
        TestServer.Response created = server.post("/api/characters", p.access(), Map.of("name", "Abe",
                "characterClass", "fighter", "inventory", List.of(Map.of("itemId", "torch", "quantity", 3))));
        assertThat(created.status()).isEqualTo(201);
        String id = created.json().get("id").asText();
        assertThat(created.header("Location")).isEqualTo("/api/characters/" + id);
        assertThat(created.json().get("sheet").isObject()).isTrue();
        assertThat(created.json().get("version").asLong()).isEqualTo(1);

        TestServer.Response list = server.get("/api/characters", p.access());
        assertThat(list.json().get("items").findValuesAsText("id")).containsExactly(id);
        assertThat(server.get("/api/characters/" + id, p.access()).json().at("/inventory/0/quantity").asInt()).isEqualTo(3);

        TestServer.Response replaced = server.json("PUT", "/api/characters/" + id, p.access(), Map.of("name", "Abe",
                "characterClass", "fighter", "version", 1,
                "inventory", List.of(Map.of("itemId", "torch", "quantity", 2), Map.of("itemId", "rope", "name", "Rope"))));
        assertThat(replaced.status()).isEqualTo(200);
        JsonNode c = replaced.json();
        assertThat(c.get("version").asLong()).isEqualTo(2);
        assertThat(c.get("inventory").findValuesAsText("itemId")).containsExactlyInAnyOrder("torch", "rope");

        ErrorsTest.problem(server.json("PUT", "/api/characters/" + id, p.access(), Map.of("name", "Abe",
                "characterClass", "fighter")), 400, "invalid-input");
        ErrorsTest.problem(server.post("/api/characters", p.access(), Map.of("name", "Abe", "characterClass", "fighter",
                "inventory", List.of(Map.of("itemId", "torch", "quantity", -1)))), 400, "invalid-input");

        assertThat(server.delete("/api/characters/" + id, p.access()).status()).isEqualTo(204);
        ErrorsTest.problem(server.get("/api/characters/" + id, p.access()), 404, "not-found");
        assertThat(server.get("/api/characters", p.access()).json().get("items")).isEmpty();
    }

    @Test
    void sessions_are_listed_read_renamed_and_deleted_with_their_transcript() {
        TestServer.Player p = server.player("Bea");
        String session = server.session(p);
        GameFlowTest.streamTurn(server, session, p.access(), "I sit by the fire", null);

        assertThat(server.get("/api/sessions", p.access()).json().get("items").findValuesAsText("id")).containsExactly(session);
        assertThat(server.get("/api/sessions/" + session, p.access()).json().get("title").asText()).isEqualTo("The sunken keep");
        TestServer.Response renamed = server.json("PATCH", "/api/sessions/" + session, p.access(), Map.of("title", "The warm hearth"));
        assertThat(renamed.status()).isEqualTo(200);
        assertThat(renamed.json().get("title").asText()).isEqualTo("The warm hearth");
        ErrorsTest.problem(server.json("PATCH", "/api/sessions/" + session, p.access(), Map.of()), 400, "invalid-input");

        assertThat(server.delete("/api/sessions/" + session, p.access()).status()).isEqualTo(204);
        ErrorsTest.problem(server.get("/api/sessions/" + session, p.access()), 404, "not-found");
        assertThat(server.server.engine().ports().messageStore().count(UUID.fromString(session))).isZero();
    }

    @Test
    void the_websocket_url_without_an_upgrade_asks_for_one() {
        TestServer.Player p = server.player("Cy");
        String session = server.session(p);
        TestServer.Response r = server.get("/api/sessions/" + session + "/ws", p.access());
        ErrorsTest.problem(r, 426, "upgrade-required");
        assertThat(r.header("Upgrade")).isEqualTo("websocket");
    }

    @Test
    void an_invalid_last_event_id_is_a_400() {
        TestServer.Player p = server.player("Dot");
        String session = server.session(p);
        ErrorsTest.problem(server.send(server.request("/api/sessions/" + session + "/events", p.access())
                .header("Last-Event-ID", "yesterday").GET().build()), 400, "invalid-input");
    }

    @Test
    void logout_by_refresh_token_in_the_body_ends_that_session() {
        TestServer.Player p = server.player("Eli");
        TestServer.Response out = server.send(server.request("/auth/logout", null).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(TestServer.write(Map.of("refresh", p.refresh())))).build());
        assertThat(out.status()).isEqualTo(204);
        ErrorsTest.problem(server.get("/auth/me", p.access()), 401, "unauthenticated");
    }
}
