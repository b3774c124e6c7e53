package dev.dmengine.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code dm.model.provider=openai} and {@code dm.embedder.provider=openai} swap in dm-openai:
 * a turn streams through a local fake that speaks the OpenAI wire protocol (chat stream and
 * embeddings), over real HTTP.
 */
class OpenAiProviderTest {

    static final String REPLY = "The door creaks open onto a hall of dust. What do you do?";
    static HttpServer fake;
    static TestServer server;
    static final AtomicInteger chats = new AtomicInteger();
    static final AtomicInteger embeddings = new AtomicInteger();

    @BeforeAll
    static void start() throws IOException {
        fake = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        fake.createContext("/v1/chat/completions", OpenAiProviderTest::chat);
        fake.createContext("/v1/embeddings", OpenAiProviderTest::embed);
        fake.start();
        String base = "http://127.0.0.1:" + fake.getAddress().getPort() + "/v1";
        server = new TestServer(Map.of("dm.model.provider", "openai", "dm.model.base-url", base,
                "dm.model.name", "fake-llm", "dm.embedder.provider", "openai", "dm.embedder.base-url", base,
                "dm.embedder.name", "fake-embed", "dm.embedder.dimension", "8"));
    }

    @AfterAll
    static void stop() {
        server.close();
        fake.stop(0);
    }

    private static void chat(HttpExchange ex) throws IOException {
        chats.incrementAndGet();
        ex.getRequestBody().readAllBytes();
        ex.getResponseHeaders().add("Content-Type", "text/event-stream");
        ex.sendResponseHeaders(200, 0);
        try (OutputStream out = ex.getResponseBody()) {
            String[] words = REPLY.split(" ");
            for (int i = 0; i < words.length; i++) {
                String piece = words[i] + (i < words.length - 1 ? " " : "");
                String chunk = Http.MAPPER.writeValueAsString(Map.of("object", "chat.completion.chunk",
                        "choices", List.of(Map.of("index", 0, "delta", Map.of("content", piece)))));
                out.write(("data: " + chunk + "\n\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
            String last = Http.MAPPER.writeValueAsString(Map.of("object", "chat.completion.chunk",
                    "choices", List.of(Map.of("index", 0, "delta", Map.of(), "finish_reason", "stop"))));
            out.write(("data: " + last + "\n\ndata: [DONE]\n\n").getBytes(StandardCharsets.UTF_8));
        }
    }

    private static void embed(HttpExchange ex) throws IOException {
        embeddings.incrementAndGet();
        JsonNode req = Http.MAPPER.readTree(ex.getRequestBody().readAllBytes());
        JsonNode input = req.get("input");
        int n = input.isArray() ? input.size() : 1;
        List<Map<String, Object>> data = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            String text = input.isArray() ? input.get(i).asText() : input.asText();
            float[] v = new float[8];
            for (int d = 0; d < 8; d++) {
                v[d] = (float) Math.sin(text.hashCode() * (d + 1));
            }
            data.add(Map.of("object", "embedding", "index", i, "embedding", v));
        }
        byte[] body = Http.MAPPER.writeValueAsBytes(Map.of("object", "list", "data", data, "model", "fake-embed"));
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(200, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    @Test
    void a_turn_streams_from_an_openai_compatible_server() {
        TestServer.Player p = server.player("Zed");
        String session = server.session(p);
        List<SseReader.Event> events = GameFlowTest.streamTurn(server, session, p.access(), "I push the door", null);
        assertThat(events.getLast().name()).isEqualTo("turn.completed");
        assertThat(events.stream().filter(e -> e.name().equals("token")).count()).isGreaterThan(5);
        SseReader.Event dm = events.stream().filter(e -> e.name().equals("dm.message")).findFirst().orElseThrow();
        assertThat(dm.json().get("content").asText()).isEqualTo(REPLY);
        assertThat(chats.get()).isPositive();
        assertThat(embeddings.get()).isPositive();
        var space = server.server.engine().ports().embedder().space();
        assertThat(space.dimension()).isEqualTo(8);
        dev.dmengine.testkit.Await.until("the reply is indexed (after turn.completed)", () -> server.server.engine()
                .ports().vectorIndex().count(space, UUID.fromString(session)) >= 2);
        assertThat(server.server.engine().ports().vectorIndex().count(space, UUID.fromString(session))).isEqualTo(2);
    }
}
