package dev.dmengine.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ErrorsTest {

    static TestServer server;
    static TestServer.Player player;

    @BeforeAll
    static void start() {
        server = new TestServer();
        player = server.player("Jo");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static JsonNode problem(TestServer.Response r, int status, String type) {
        assertThat(r.status()).as(r.body()).isEqualTo(status);
        assertThat(r.contentType()).startsWith("application/problem+json");
        JsonNode p = r.json();
        assertThat(p.get("type").asText()).isEqualTo("https://dmengine.dev/problems/" + type);
        assertThat(p.get("status").asInt()).isEqualTo(status);
        assertThat(p.get("title").asText()).isNotBlank();
        assertThat(p.get("requestId").asText()).isEqualTo(r.header("X-Request-Id"));
        assertThat(r.body()).doesNotContain("Exception").doesNotContain("\tat ").doesNotContain("dev.dmengine");
        return p;
    }

    @Test
    void malformed_json_is_a_400() {
        problem(server.post("/api/characters", player.access(), "{\"name\": "), 400, "malformed-request");
    }

    @Test
    void unknown_fields_are_a_400_naming_the_field() {
        JsonNode p = problem(server.post("/api/characters", player.access(),
                Map.of("name", "A", "characterClass", "wizard", "colour", "red")), 400, "invalid-input");
        assertThat(p.at("/errors/0/field").asText()).isEqualTo("colour");
    }

    @Test
    void wrong_types_are_a_400_naming_the_field() {
        JsonNode p = problem(server.post("/api/characters", player.access(),
                "{\"name\":\"A\",\"characterClass\":\"wizard\",\"level\":\"three\"}"), 400, "invalid-input");
        assertThat(p.at("/errors/0/field").asText()).isEqualTo("level");
    }

    @Test
    void engine_validation_lists_field_errors() {
        TestServer.Response r = server.post("/api/characters", player.access(), Map.of("name", "", "characterClass", "wizard"));
        JsonNode p = problem(r, 400, "invalid-input");
        assertThat(p.get("errors").findValuesAsText("field")).isNotEmpty();
    }

    @Test
    void oversized_bodies_are_a_413() {
        String big = "{\"text\":\"" + "a".repeat(70 * 1024) + "\"}";
        problem(server.post("/api/characters", player.access(), big), 413, "payload-too-large");
    }

    @Test
    void a_body_that_is_not_json_is_a_415() {
        TestServer.Response r = server.send(server.request("/api/characters", player.access())
                .header("Content-Type", "text/plain").POST(HttpRequest.BodyPublishers.ofString("name=A")).build());
        problem(r, 415, "unsupported-media-type");
    }

    @Test
    void an_unknown_route_is_a_404() {
        problem(server.get("/api/dragons", player.access()), 404, "not-found");
        problem(server.get("/nowhere/at/all", null), 404, "not-found");
    }

    @Test
    void a_wrong_method_is_a_405_with_allow() {
        TestServer.Response r = server.send(server.request("/auth/me", player.access())
                .method("PUT", HttpRequest.BodyPublishers.noBody()).build());
        problem(r, 405, "method-not-allowed");
        assertThat(r.header("Allow")).contains("GET");
    }

    @Test
    void no_credentials_is_a_401_with_a_bearer_challenge() {
        TestServer.Response r = server.get("/api/characters", null);
        problem(r, 401, "unauthenticated");
        assertThat(r.header("WWW-Authenticate")).startsWith("Bearer");
        problem(server.get("/api/characters", "not-a-token"), 401, "unauthenticated");
    }

    @Test
    void a_stale_character_version_is_a_409() {
        TestServer.Response c = server.post("/api/characters", player.access(), Map.of("name", "Kit", "characterClass", "rogue"));
        String id = c.json().get("id").asText();
        Map<String, Object> update = Map.of("name", "Kit the Bold", "characterClass", "rogue", "version", 1);
        assertThat(server.json("PUT", "/api/characters/" + id, player.access(), update).status()).isEqualTo(200);
        problem(server.json("PUT", "/api/characters/" + id, player.access(), update), 409, "conflict");
    }

    @Test
    void too_many_logins_are_a_429_with_retry_after() {
        TestServer.Player p = server.player("Lux");
        String ip = TestServer.nextIp();
        TestServer.Response last = null;
        for (int i = 0; i < 12; i++) {
            last = server.send(HttpRequest.newBuilder(server.uri("/auth/login"))
                    .header("Content-Type", "application/json").header("X-Forwarded-For", ip)
                    .POST(HttpRequest.BodyPublishers.ofString(TestServer.write(Map.of("email", p.email(),
                            "password", "wrong password " + i)))).build());
            if (last.status() == 429) {
                break;
            }
            problem(last, 401, "unauthenticated");
        }
        problem(last, 429, "rate-limited");
        assertThat(Integer.parseInt(last.header("Retry-After"))).isPositive();
    }

    @Test
    void the_request_id_is_echoed_or_made() {
        TestServer.Response mine = server.send(server.request("/health/live", null).header("X-Request-Id", "abc-123").GET().build());
        assertThat(mine.header("X-Request-Id")).isEqualTo("abc-123");
        TestServer.Response made = server.get("/health/live", null);
        assertThat(made.header("X-Request-Id")).hasSizeGreaterThan(8);
        assertThat(made.header("X-Content-Type-Options")).isEqualTo("nosniff");
        TestServer.Response hostile = server.send(server.request("/health/live", null)
                .header("X-Request-Id", "x\u00e9y").GET().build());
        assertThat(hostile.header("X-Request-Id")).isNotEqualTo("x\u00e9y");
    }

    @Test
    void requests_helidon_refuses_before_routing_are_problems_too() throws Exception {
        try (var socket = new java.net.Socket("localhost", server.server.port())) {
            socket.getOutputStream().write("GET /api/%zz HTTP/1.1\r\nHost: x\r\n\r\n".getBytes());
            String answer = new String(socket.getInputStream().readNBytes(600));
            assertThat(answer).startsWith("HTTP/1.1 400").contains("application/problem+json")
                    .contains("https://dmengine.dev/problems/malformed-request");
        }
    }

    @Test
    void a_turn_on_an_unknown_session_is_a_404() {
        problem(server.post("/api/sessions/" + java.util.UUID.randomUUID() + "/messages", player.access(),
                Map.of("text", "hello")), 404, "not-found");
    }

    @Test
    void a_second_turn_while_one_is_in_flight_is_a_409() {
        try (TestServer slow = new TestServer(Map.of("dm.narrator.pacing", "40ms"))) {
            TestServer.Player p = slow.player("Rue");
            String session = slow.session(p);
            TestServer.SseResponse first = slow.openSse(slow.request("/api/sessions/" + session + "/messages", p.access())
                    .header("Content-Type", "application/json").header("Accept", "text/event-stream")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"text\":\"I wait\"}")).build());
            SseReader reader = new SseReader(first.lines());
            assertThat(reader.next().name()).isEqualTo("turn.started");
            TestServer.Response second = slow.send(slow.request("/api/sessions/" + session + "/messages", p.access())
                    .header("Content-Type", "application/json").header("Accept", "text/event-stream")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"text\":\"I wait again\"}")).build());
            problem(second, 409, "conflict");
            assertThat(reader.until(e -> e.name().equals("turn.completed"), true)).isNotEmpty();
            first.lines().close();
        }
    }
}
