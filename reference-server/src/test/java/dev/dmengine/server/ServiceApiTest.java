package dev.dmengine.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ServiceApiTest {

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
    void embed_returns_one_vector_per_text() {
        TestServer.Response r = server.post("/vec/embed", TestServer.SERVICE_TOKEN, Map.of("texts", List.of("a door", "a key")));
        assertThat(r.status()).isEqualTo(200);
        JsonNode j = r.json();
        assertThat(j.get("vectors")).hasSize(2);
        assertThat(j.at("/vectors/0")).hasSize(j.get("dimension").asInt());
    }

    @Test
    void search_finds_a_sessions_messages_and_never_another_scope() throws Exception {
        TestServer.Player p = server.player("Vel");
        String session = server.session(p);
        GameFlowTest.streamTurn(server, session, p.access(), "I search the dusty library shelves", null);
        TestServer.Response r = server.post("/vec/search", TestServer.SERVICE_TOKEN,
                Map.of("sessionId", session, "text", "library shelves", "k", 3));
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().get("matches").findValuesAsText("sessionId")).isNotEmpty().containsOnly(session);
        TestServer.Response none = server.post("/vec/search", TestServer.SERVICE_TOKEN,
                Map.of("sessionId", java.util.UUID.randomUUID().toString(), "text", "library shelves"));
        assertThat(none.json().get("matches")).isEmpty();
    }

    @Test
    void generate_answers_with_the_language_model() {
        TestServer.Response r = server.post("/ai/generate", TestServer.SERVICE_TOKEN,
                Map.of("messages", List.of(Map.of("role", "user", "content", "I open the door"))));
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().get("text").asText()).isNotBlank();
        assertThat(r.json().get("model").asText()).isEqualTo("offline-narrator-v1");
    }

    @Test
    void the_service_routes_need_the_service_token() {
        TestServer.Player p = server.player("Wyn");
        ErrorsTest.problem(server.post("/vec/embed", null, Map.of("texts", List.of("x"))), 401, "unauthenticated");
        ErrorsTest.problem(server.post("/vec/embed", p.access(), Map.of("texts", List.of("x"))), 403, "permission-denied");
        ErrorsTest.problem(server.post("/ai/generate", "wrong-token-wrong-token", Map.of("messages", List.of())), 403,
                "permission-denied");
    }

    @Test
    void without_a_service_token_the_service_routes_do_not_exist() {
        try (TestServer plain = new TestServer(Map.of("dm.service.token", ""))) {
            ErrorsTest.problem(plain.post("/vec/embed", TestServer.SERVICE_TOKEN, Map.of("texts", List.of("x"))), 404,
                    "not-found");
            ErrorsTest.problem(plain.post("/ai/generate", TestServer.SERVICE_TOKEN, Map.of()), 404, "not-found");
        }
    }
}
