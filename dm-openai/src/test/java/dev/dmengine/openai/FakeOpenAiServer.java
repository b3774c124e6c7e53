package dev.dmengine.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A local OpenAI-compatible server over real HTTP: {@code POST /v1/chat/completions} streams
 * {@code chat.completion.chunk} objects as server-sent events (chunked transfer) ending in
 * {@code data: [DONE]}; {@code POST /v1/embeddings} answers with hashed bag-of-words vectors.
 * Tests script the next responses (errors, stalls, malformed events, slow streams).
 */
final class FakeOpenAiServer implements AutoCloseable {

    static final int DIMENSION = 64;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] WORDS = ("The torchlight flickers across ancient stone as cold air spills from the "
            + "crypt and somewhere below a chain rattles while dust settles on the bones of forgotten kings who "
            + "guard their silver crowns in silence until a careless hero wakes them").split(" ");

    /** What the server does with the next chat request. */
    sealed interface Scenario {
    }

    record Status(int code, String retryAfter, String body) implements Scenario {
    }

    /** Sends the 200 headers, then nothing until the client gives up. */
    record Stall() implements Scenario {
    }

    /** Streams {@code chunks} chunks of text, then only {@code : ping} comments until the client gives up. */
    record StallAfter(int chunks) implements Scenario {
    }

    /** Sends a first event that is not JSON. */
    record Malformed() implements Scenario {
    }

    /** Ignores "stream": true and answers with one chat.completion JSON object. */
    record NotStreaming() implements Scenario {
    }

    /** Streams normally but waits between chunks. */
    record Slow(long millisPerChunk) implements Scenario {
    }

    private final HttpServer server;
    private final Queue<Scenario> chatScript = new ConcurrentLinkedQueue<>();
    private final Queue<Scenario> embedScript = new ConcurrentLinkedQueue<>();
    final List<JsonNode> chatRequests = new CopyOnWriteArrayList<>();
    final List<String> authorizations = new CopyOnWriteArrayList<>();
    final AtomicInteger embedRequests = new AtomicInteger();
    final AtomicInteger brokenStreams = new AtomicInteger();
    private final CountDownLatch stopping = new CountDownLatch(1);

    FakeOpenAiServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/v1/chat/completions", this::chat);
        server.createContext("/v1/embeddings", this::embeddings);
        server.start();
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    void nextChat(Scenario... scenarios) {
        chatScript.addAll(List.of(scenarios));
    }

    void nextEmbedding(Scenario... scenarios) {
        embedScript.addAll(List.of(scenarios));
    }

    void reset() {
        chatScript.clear();
        embedScript.clear();
        chatRequests.clear();
        authorizations.clear();
        embedRequests.set(0);
    }

    @Override
    public void close() {
        stopping.countDown();
        server.stop(0);
    }

    private void chat(HttpExchange ex) throws IOException {
        try (ex) {
            JsonNode req = JSON.readTree(ex.getRequestBody());
            chatRequests.add(req);
            authorizations.add(String.valueOf(ex.getRequestHeaders().getFirst("Authorization")));
            Scenario s = chatScript.poll();
            if (s instanceof Status st) {
                sendStatus(ex, st);
                return;
            }
            if (s instanceof NotStreaming) {
                byte[] body = ("{\"id\":\"chatcmpl-whole\",\"object\":\"chat.completion\",\"model\":\"fake-model\","
                        + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"The door creaks.\"},"
                        + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":4}}")
                        .getBytes(StandardCharsets.UTF_8);
                ex.getResponseHeaders().add("Content-Type", "application/json");
                ex.sendResponseHeaders(200, body.length);
                ex.getResponseBody().write(body);
                return;
            }
            ex.getResponseHeaders().add("Content-Type", "text/event-stream");
            ex.sendResponseHeaders(200, 0); // chunked
            OutputStream out = ex.getResponseBody();
            if (s instanceof Stall) {
                out.write(": keep-alive\n\n".getBytes(StandardCharsets.UTF_8));
                out.flush();
                stopping.await(30, TimeUnit.SECONDS);
                return;
            }
            if (s instanceof StallAfter stall) {
                String id = "chatcmpl-stall";
                event(out, chunk(id, "{\"role\":\"assistant\",\"content\":\"\"}", null));
                for (int i = 0; i < stall.chunks(); i++) {
                    event(out, chunk(id, JSON.writeValueAsString(JSON.createObjectNode().put("content", WORDS[i] + " ")),
                            null));
                }
                while (!stopping.await(100, TimeUnit.MILLISECONDS)) { // comments are no sign of life
                    out.write(": ping\n\n".getBytes(StandardCharsets.UTF_8));
                    out.flush();
                }
                return;
            }
            if (s instanceof Malformed) {
                event(out, "{\"id\": \"chatcmpl-x\", \"choices\": [ {\"delta\": ");
                event(out, "[DONE]");
                return;
            }
            long pause = s instanceof Slow slow ? slow.millisPerChunk() : 0;
            stream(out, req, pause);
        } catch (IOException e) {
            brokenStreams.incrementAndGet(); // the client went away
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void stream(OutputStream out, JsonNode req, long pause) throws IOException, InterruptedException {
        int maxTokens = req.path("max_tokens").asInt(16);
        String prompt = req.path("messages").path(req.path("messages").size() - 1).path("content").asText();
        int start = Math.floorMod(prompt.hashCode(), WORDS.length);
        int count = Math.min(maxTokens, 40);
        String id = "chatcmpl-" + Integer.toHexString(prompt.hashCode());
        event(out, chunk(id, "{\"role\":\"assistant\",\"content\":\"\"}", null));
        for (int i = 0; i < count; i++) {
            if (pause > 0) {
                Thread.sleep(pause);
            }
            String word = (i == 0 ? "" : " ") + WORDS[(start + i) % WORDS.length];
            event(out, chunk(id, JSON.writeValueAsString(JSON.createObjectNode().put("content", word)), null));
        }
        event(out, chunk(id, "{}", count == maxTokens ? "length" : "stop"));
        if (req.path("stream_options").path("include_usage").asBoolean(false)) {
            event(out, "{\"id\":\"" + id + "\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,"
                    + "\"model\":\"fake-model\",\"choices\":[],\"usage\":{\"prompt_tokens\":42,\"completion_tokens\":"
                    + count + ",\"total_tokens\":" + (42 + count) + "}}");
        }
        event(out, "[DONE]");
    }

    private static String chunk(String id, String delta, String finishReason) {
        return "{\"id\":\"" + id + "\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,"
                + "\"model\":\"fake-model\",\"choices\":[{\"index\":0,\"delta\":" + delta + ",\"finish_reason\":"
                + (finishReason == null ? "null" : "\"" + finishReason + "\"") + "}]}";
    }

    private static void event(OutputStream out, String data) throws IOException {
        out.write(("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static void sendStatus(HttpExchange ex, Status st) throws IOException {
        if (st.retryAfter() != null) {
            ex.getResponseHeaders().add("Retry-After", st.retryAfter());
        }
        ex.getResponseHeaders().add("Content-Type", "application/json");
        byte[] body = st.body().getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(st.code(), body.length);
        ex.getResponseBody().write(body);
    }

    private void embeddings(HttpExchange ex) throws IOException {
        try (ex) {
            embedRequests.incrementAndGet();
            JsonNode req = JSON.readTree(ex.getRequestBody());
            Scenario s = embedScript.poll();
            if (s instanceof Status st) {
                sendStatus(ex, st);
                return;
            }
            ObjectNode root = JSON.createObjectNode().put("object", "list").put("model", req.path("model").asText());
            ArrayNode data = root.putArray("data");
            JsonNode input = req.path("input");
            for (int i = input.size() - 1; i >= 0; i--) { // reverse order: clients must sort by index
                ObjectNode item = data.addObject().put("object", "embedding").put("index", i);
                ArrayNode vector = item.putArray("embedding");
                for (float x : hashEmbed(input.get(i).asText())) {
                    vector.add(x);
                }
            }
            root.putObject("usage").put("prompt_tokens", 10).put("total_tokens", 10);
            byte[] body = JSON.writeValueAsBytes(root);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
        }
    }

    /** A bag of lower-cased words hashed into {@link #DIMENSION} buckets, L2-normalised. */
    static float[] hashEmbed(String text) {
        float[] v = new float[DIMENSION];
        for (String w : text.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")) {
            if (!w.isEmpty()) {
                v[Math.floorMod(w.hashCode(), DIMENSION)] += 1f;
            }
        }
        v[DIMENSION - 1] += 0.01f;
        double n = 0;
        for (float x : v) {
            n += x * x;
        }
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (v[i] / Math.sqrt(n));
        }
        return v;
    }
}
