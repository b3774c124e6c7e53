package dev.dmengine.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Text that is not valid Unicode (a lone UTF-16 surrogate, sent as a JSON {@code \ud800}
 * escape) or holds a NUL or another control character is refused with a 400 naming the field,
 * in every text field, and nothing is stored: the player's lists keep loading. Bodies are sent
 * as raw JSON so the escapes reach the server as written.
 */
class InvalidTextTest {

    static TestServer server;
    TestServer.Player player;
    String session;

    @BeforeAll
    static void start() {
        server = new TestServer();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @BeforeEach
    void newPlayer() {
        player = server.player("Ines");
        session = server.session(player);
    }

    /** Lone high surrogate, lone low surrogate, a reversed pair, NUL, ESC. */
    static final String[] BAD = {"\\ud800", "\\udfff", "\\udc00\\ud800", "\\u0000", "\\u001b"};

    private void assertRefused(TestServer.Response r, String field) {
        JsonNode p = ErrorsTest.problem(r, 400, "invalid-input");
        assertThat(p.get("errors").findValuesAsText("field")).as(r.body()).contains(field);
    }

    private void assertListsStillLoad() {
        for (String path : new String[] {"/api/characters", "/api/sessions", "/api/sessions/" + session + "/messages",
                "/auth/me"}) {
            TestServer.Response r = server.get(path, player.access());
            assertThat(r.status()).as(path + ": " + r.body()).isEqualTo(200);
        }
        List<String> names = new ArrayList<>();
        server.get("/api/characters", player.access()).json().get("items").forEach(c -> names.add(c.get("name").asText()));
        assertThat(names).as("nothing was stored").containsExactly("Aria");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3, 4})
    void a_character_name_that_is_not_valid_text_is_refused_and_the_list_still_loads(int bad) {
        assertRefused(server.post("/api/characters", player.access(),
                "{\"name\":\"Ari" + BAD[bad] + "\",\"characterClass\":\"wizard\"}"), "name");
        assertListsStillLoad();
    }

    @Test
    void a_character_class_with_a_lone_surrogate_is_refused() {
        assertRefused(server.post("/api/characters", player.access(),
                "{\"name\":\"Ari\",\"characterClass\":\"wizard\\ud800\"}"), "characterClass");
        assertListsStillLoad();
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 3})
    void inventory_names_and_tags_that_are_not_valid_text_are_refused(int bad) {
        assertRefused(server.post("/api/characters", player.access(), "{\"name\":\"Ari\",\"characterClass\":\"wizard\","
                + "\"inventory\":[{\"itemId\":\"torch\",\"name\":\"Torch" + BAD[bad] + "\"}]}"), "inventory[0].name");
        assertRefused(server.post("/api/characters", player.access(), "{\"name\":\"Ari\",\"characterClass\":\"wizard\","
                + "\"inventory\":[{\"itemId\":\"torch\",\"tags\":[\"light" + BAD[bad] + "\"]}]}"), "inventory[0].tags");
        assertListsStillLoad();
    }

    @Test
    void a_replaced_character_is_held_to_the_same_rules() {
        String id = server.post("/api/characters", player.access(), "{\"name\":\"Ari\",\"characterClass\":\"wizard\"}")
                .json().get("id").asText();
        assertRefused(server.json("PUT", "/api/characters/" + id, player.access(),
                "{\"name\":\"Ari\\udbff\",\"characterClass\":\"wizard\",\"version\":1}"), "name");
        assertThat(server.get("/api/characters/" + id, player.access()).json().get("name").asText()).isEqualTo("Ari");
        server.delete("/api/characters/" + id, player.access());
        assertListsStillLoad();
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 3, 4})
    void session_titles_that_are_not_valid_text_are_refused_on_open_and_rename(int bad) {
        String character = server.get("/api/characters", player.access()).json().at("/items/0/id").asText();
        assertRefused(server.post("/api/sessions", player.access(),
                "{\"characterId\":\"" + character + "\",\"title\":\"Keep" + BAD[bad] + "\"}"), "title");
        assertRefused(server.json("PATCH", "/api/sessions/" + session, player.access(),
                "{\"title\":\"Keep" + BAD[bad] + "\"}"), "title");
        assertListsStillLoad();
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3})
    void message_text_that_is_not_valid_text_is_refused_streamed_or_queued(int bad) {
        String body = "{\"text\":\"I open the door" + BAD[bad] + "\"}";
        assertRefused(server.post("/api/sessions/" + session + "/messages", player.access(), body), "text");
        assertRefused(server.send(server.request("/api/sessions/" + session + "/messages", player.access())
                .header("Content-Type", "application/json").header("Accept", "text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build()), "text");
        assertThat(server.get("/api/sessions/" + session + "/messages", player.access()).json().get("items")).isEmpty();
        assertListsStillLoad();
    }

    @Test
    void message_text_may_hold_line_breaks_and_tabs() {
        TestServer.Response r = server.post("/api/sessions/" + session + "/messages", player.access(),
                "{\"text\":\"I say:\\n\\t\\\"Open up!\\\"\\r\\n\"}");
        assertThat(r.status()).as(r.body()).isEqualTo(202);
    }

    @Test
    void a_display_name_or_email_that_is_not_valid_text_is_refused_at_registration() {
        String ip = TestServer.nextIp();
        assertRefused(server.send(HttpRequest.newBuilder(server.uri("/auth/register"))
                .header("Content-Type", "application/json").header("X-Forwarded-For", ip)
                .POST(HttpRequest.BodyPublishers.ofString("{\"email\":\"zed-" + System.nanoTime()
                        + "@example.org\",\"password\":\"a long passphrase of mine\",\"displayName\":\"Zed\\ud800\"}"))
                .build()), "displayName");
        assertRefused(server.send(HttpRequest.newBuilder(server.uri("/auth/register"))
                .header("Content-Type", "application/json").header("X-Forwarded-For", ip)
                .POST(HttpRequest.BodyPublishers.ofString("{\"email\":\"zed\\udc00-" + System.nanoTime()
                        + "@example.org\",\"password\":\"a long passphrase of mine\",\"displayName\":\"Zed\"}"))
                .build()), "email");
    }

    @Test
    void valid_text_beyond_the_basic_plane_is_kept_as_written() {
        TestServer.Response r = server.post("/api/characters", player.access(),
                "{\"name\":\"Ari \\ud83d\\udc09\",\"characterClass\":\"wizard\"}");
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        assertThat(server.get("/api/characters", player.access()).json().at("/items/1/name").asText())
                .isEqualTo("Ari \uD83D\uDC09");
    }
}
