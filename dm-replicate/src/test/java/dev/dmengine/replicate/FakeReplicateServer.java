package dev.dmengine.replicate;

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
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A local Replicate over real HTTP: creates predictions for official models, versions and
 * deployments; moves each through starting → processing → succeeded as it is polled; serves
 * {@code urls.stream} as server-sent events ({@code output}, {@code error}, {@code done}); lists
 * recent predictions with {@code created_after}; cancels. Language models answer with words chosen
 * from the prompt; models whose name contains {@code bge} answer with hashed 1024-d vectors.
 * Tests script the next creates and streams.
 */
final class FakeReplicateServer implements AutoCloseable {

    static final int EMBED_DIMENSION = 1024;
    static final String VERSION = "5c7d5dc6dd8bf75c1acaa8565735e7986bc5b66206b55cca93cb72c9bf15ccaa";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] WORDS = ("The torchlight flickers across ancient stone .\n\nCold air spills from "
            + "the crypt and somewhere below a chain rattles while dust settles on the bones of forgotten kings who "
            + "guard their silver crowns in silence until a careless hero wakes them").split(" ");

    sealed interface Script {
    }

    /** Answer the create with this status and body, creating nothing. */
    record Status(int code, String retryAfter, String body) implements Script {
    }

    /** Create the prediction, then answer 500 as if the response were lost. */
    record CreateThenFail() implements Script {
    }

    /** Create the prediction, then send no response until the client gives up. */
    record CreateThenStall() implements Script {
    }

    /** Create the prediction without a stream URL. */
    record NoStream() implements Script {
    }

    /** Stream: send headers, then nothing. */
    record Stall() implements Script {
    }

    /** Stream: wait between events. */
    record Slow(long millis) implements Script {
    }

    /** Stream: send this many outputs, then close the connection without done. */
    record Break(int after) implements Script {
    }

    /** Stream: a done event whose data is not JSON. */
    record MalformedDone() implements Script {
    }

    /** Stream: an error event, then done with reason error. */
    record ErrorEvent(String detail) implements Script {
    }

    /** Stream: done with reason canceled after one output, as when Cancel-After fires. */
    record RemoteCancel() implements Script {
    }

    /** Create the prediction, let {@code others} predictions of other clients be created after it, then answer 500. */
    record CreateThenFailWhileOthersCreate(int others) implements Script {
    }

    /** Stream: the bytes of a recorded stream (src/test/resources/replay/…), as Replicate sent them. */
    record Replay(String fixture) implements Script {
    }

    final class Prediction {
        final String id;
        final String model;
        final String version;
        final String deployment;
        final ObjectNode input;
        final boolean streamable;
        final Instant createdAt;
        final List<String> tokens;
        final boolean embedding;
        volatile String status = "starting";
        volatile int progress;
        volatile boolean cancelled;
        final List<String> statusesSeen = new CopyOnWriteArrayList<>();

        Prediction(String id, String model, String version, String deployment, ObjectNode input, boolean streamable,
                   Instant createdAt) {
            this.id = id;
            this.model = model;
            this.version = version;
            this.deployment = deployment;
            this.input = input;
            this.streamable = streamable;
            this.createdAt = createdAt;
            this.embedding = model.contains("bge");
            this.tokens = embedding ? List.of() : tokensFor(input);
        }

        synchronized ObjectNode json() {
            ObjectNode p = JSON.createObjectNode();
            p.put("id", id).put("model", model).put("version", version).put("status", status)
                    .put("created_at", createdAt.toString()).put("source", "api");
            if (deployment != null) {
                p.put("deployment", deployment);
            }
            p.set("input", input);
            ObjectNode urls = p.putObject("urls");
            urls.put("get", baseUrl() + "/predictions/" + id).put("cancel", baseUrl() + "/predictions/" + id + "/cancel");
            if (streamable) {
                urls.put("stream", "http://127.0.0.1:" + server.getAddress().getPort() + "/stream/" + id);
            }
            if (embedding) {
                if (status.equals("succeeded")) {
                    p.set("output", embeddingOutput());
                } else {
                    p.putNull("output");
                }
            } else if (progress == 0) {
                p.putNull("output");
            } else {
                ArrayNode out = p.putArray("output");
                tokens.subList(0, progress).forEach(out::add);
            }
            if (status.equals("succeeded")) {
                p.putObject("metrics").put("output_token_count", tokens.size()).put("predict_time", 0.1);
            }
            p.putNull("error");
            return p;
        }

        private JsonNode embeddingOutput() {
            ArrayNode list = JSON.createArrayNode();
            try {
                for (JsonNode t : JSON.readTree(input.path("texts").asText())) {
                    ArrayNode v = JSON.createArrayNode();
                    for (float x : hashEmbed(t.asText())) {
                        v.add(x);
                    }
                    switch (embeddingOutput) {
                        case ARRAY_OF_OBJECTS -> list.addObject().put("input", t.asText()).set("embedding", v);
                        default -> list.add(v);
                    }
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            if (embeddingOutput == EmbeddingOutput.NESTED) {
                ObjectNode nested = JSON.createObjectNode();
                nested.putObject("result").set("vectors", list);
                return nested;
            }
            return list;
        }

        /** One poll's worth of progress: starting, then processing with three more tokens, then succeeded. */
        synchronized void advance() {
            switch (status) {
                case "starting" -> status = "processing";
                case "processing" -> {
                    progress = Math.min(tokens.size(), progress + 3);
                    if (progress == tokens.size()) {
                        status = "succeeded";
                    }
                }
                default -> { }
            }
        }

        synchronized void complete() {
            progress = tokens.size();
            status = "succeeded";
        }
    }

    private final HttpServer server;
    private final Queue<Script> createScript = new ConcurrentLinkedQueue<>();
    private final Queue<Script> streamScript = new ConcurrentLinkedQueue<>();
    final Map<String, Prediction> predictions = new ConcurrentHashMap<>();
    final List<JsonNode> createBodies = new CopyOnWriteArrayList<>();
    final List<String> createPaths = new CopyOnWriteArrayList<>();
    final List<Map<String, String>> createHeaders = new CopyOnWriteArrayList<>();
    final List<String> cancels = new CopyOnWriteArrayList<>();
    final AtomicInteger lists = new AtomicInteger();
    final AtomicInteger gets = new AtomicInteger();
    private final AtomicInteger ids = new AtomicInteger();
    private final CountDownLatch stopping = new CountDownLatch(1);
    volatile boolean preferWaitCompletes;
    /** Predictions per list page (Replicate's is 100). */
    volatile int pageSize = 100;
    /** List everything, as if the API did not know {@code created_after}: the client must stop at older ones. */
    volatile boolean ignoreCreatedAfter;
    /** When set, list pages name their next page on this base URL instead of the fake's own. */
    volatile String nextPageBase;
    /** How a succeeded embedding prediction's output is shaped. */
    volatile EmbeddingOutput embeddingOutput = EmbeddingOutput.ARRAY_OF_ARRAYS;
    /** Runs after a prediction is created and before the create is answered (a webhook that overtakes it). */
    volatile java.util.function.Consumer<Prediction> beforeCreateAnswer = p -> { };

    enum EmbeddingOutput {
        /** {@code [[…], […]]}, as nateraw/bge-large-en-v1.5 answers. */
        ARRAY_OF_ARRAYS,
        /** {@code [{"embedding": […], "input": …}]}, as replicate/all-mpnet-base-v2 answers. */
        ARRAY_OF_OBJECTS,
        /** {@code {"result": {"vectors": [[…]]}}}: a model that nests its vectors. */
        NESTED
    }

    FakeReplicateServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/v1/", this::api);
        server.createContext("/stream/", this::stream);
        server.start();
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    void nextCreate(Script... s) {
        createScript.addAll(List.of(s));
    }

    void nextStream(Script... s) {
        streamScript.addAll(List.of(s));
    }

    void reset() {
        createScript.clear();
        streamScript.clear();
        predictions.clear();
        createBodies.clear();
        createPaths.clear();
        createHeaders.clear();
        cancels.clear();
        lists.set(0);
        gets.set(0);
        preferWaitCompletes = false;
        pageSize = 100;
        ignoreCreatedAfter = false;
        embeddingOutput = EmbeddingOutput.ARRAY_OF_ARRAYS;
        nextPageBase = null;
        beforeCreateAnswer = p -> { };
    }

    @Override
    public void close() {
        stopping.countDown();
        server.stop(0);
    }

    private void api(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath().substring("/v1/".length());
            String method = ex.getRequestMethod();
            if (!("Bearer " + ReplicateLanguageModelTest.TOKEN).equals(ex.getRequestHeaders().getFirst("Authorization"))) {
                send(ex, 401, problem(401, "Unauthenticated", "You did not pass a valid authentication token"));
                return;
            }
            String[] parts = path.split("/");
            if (method.equals("POST") && (path.equals("predictions") || path.endsWith("/predictions"))) {
                create(ex, path, parts);
            } else if (method.equals("GET") && path.equals("predictions")) {
                list(ex);
            } else if (method.equals("GET") && parts.length == 2 && parts[0].equals("predictions")) {
                gets.incrementAndGet();
                Prediction p = predictions.get(parts[1]);
                if (p == null) {
                    send(ex, 404, problem(404, "Not found", "Not found."));
                    return;
                }
                p.advance();
                p.statusesSeen.add(p.status);
                send(ex, 200, p.json().toString());
            } else if (method.equals("POST") && parts.length == 3 && parts[2].equals("cancel")) {
                cancels.add(parts[1]);
                Prediction p = predictions.get(parts[1]);
                if (p == null) {
                    send(ex, 404, problem(404, "Not found", "Not found."));
                    return;
                }
                synchronized (p) {
                    p.cancelled = true;
                    if (!p.status.equals("succeeded") && !p.status.equals("failed")) {
                        p.status = "canceled";
                    }
                }
                send(ex, 200, p.json().toString());
            } else {
                send(ex, 404, problem(404, "Not found", "no route " + method + " " + path));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void create(HttpExchange ex, String path, String[] parts) throws IOException, InterruptedException {
        JsonNode body = JSON.readTree(ex.getRequestBody());
        createBodies.add(body);
        createPaths.add(path);
        Map<String, String> headers = new ConcurrentHashMap<>();
        for (String h : List.of("Prefer", "Cancel-After", "Content-Type")) {
            String v = ex.getRequestHeaders().getFirst(h);
            if (v != null) {
                headers.put(h, v);
            }
        }
        createHeaders.add(headers);
        Script s = createScript.poll();
        if (s instanceof Status st) {
            if (st.retryAfter() != null) {
                ex.getResponseHeaders().add("Retry-After", st.retryAfter());
            }
            send(ex, st.code(), st.body());
            return;
        }
        String model;
        String version = VERSION;
        String deployment = null;
        if (path.equals("predictions")) {
            String v = body.path("version").asText();
            version = v.contains(":") ? v.substring(v.indexOf(':') + 1) : v;
            model = v.contains(":") ? v.substring(0, v.indexOf(':')) : "acme/versioned-model";
        } else if (parts[0].equals("deployments")) {
            model = "acme/model-behind-deployments"; // a deployment's predictions name the model behind it
            deployment = parts[1] + "/" + parts[2];
        } else {
            model = parts[1] + "/" + parts[2];
        }
        Prediction p = add(model, version, deployment, (ObjectNode) body.path("input"),
                body.path("stream").asBoolean(false) && !(s instanceof NoStream) && !model.contains("bge"), Instant.now());
        if (s instanceof CreateThenFailWhileOthersCreate crowd) {
            for (int i = 0; i < crowd.others(); i++) {
                Thread.sleep(2); // strictly newer
                add("someone/else", VERSION, null, JSON.createObjectNode().put("prompt", "another client's " + i),
                        false, Instant.now());
            }
            send(ex, 500, problem(500, "Internal Server Error", "upstream connect error"));
            return;
        }
        if (s instanceof CreateThenFail) {
            send(ex, 500, problem(500, "Internal Server Error", "upstream connect error"));
            return;
        }
        if (s instanceof CreateThenStall) {
            stopping.await(30, TimeUnit.SECONDS);
            return;
        }
        if (ex.getRequestHeaders().getFirst("Prefer") != null && (preferWaitCompletes || p.embedding)) {
            p.complete();
        }
        beforeCreateAnswer.accept(p);
        send(ex, 201, p.json().toString());
    }

    Prediction add(String model, String version, String deployment, ObjectNode input, boolean streamable,
                   Instant createdAt) {
        String id = "p" + Integer.toString(1000 + ids.incrementAndGet(), 36) + "fake";
        Prediction p = new Prediction(id, model, version, deployment, input, streamable, createdAt);
        predictions.put(id, p);
        return p;
    }

    /** Predictions other clients created {@code ago} before now, each with its own input. */
    void seedOld(int count, java.time.Duration ago) {
        for (int i = 0; i < count; i++) {
            add("someone/else", VERSION, null, JSON.createObjectNode().put("prompt", "old " + i), false,
                    Instant.now().minus(ago).minusSeconds(i));
        }
    }

    private void list(HttpExchange ex) throws IOException {
        lists.incrementAndGet();
        String query = ex.getRequestURI().getRawQuery();
        Instant after = Instant.EPOCH;
        String createdAfter = null;
        int cursor = 0;
        if (query != null) {
            for (String kv : query.split("&")) {
                if (kv.startsWith("created_after=")) {
                    createdAfter = kv.substring("created_after=".length());
                    after = Instant.parse(URLDecoder.decode(createdAfter, StandardCharsets.UTF_8));
                } else if (kv.startsWith("cursor=")) {
                    cursor = Integer.parseInt(kv.substring("cursor=".length()));
                }
            }
        }
        List<Prediction> recent = new ArrayList<>();
        for (Prediction p : predictions.values()) {
            if (ignoreCreatedAfter || !p.createdAt.isBefore(after)) {
                recent.add(p);
            }
        }
        recent.sort((a, b) -> b.createdAt.compareTo(a.createdAt));
        ObjectNode page = JSON.createObjectNode();
        int end = Math.min(recent.size(), cursor + pageSize);
        if (end < recent.size()) { // Replicate's next is an absolute URL that keeps the query
            page.put("next", (nextPageBase != null ? nextPageBase : baseUrl()) + "/predictions?" + (createdAfter == null ? "" : "created_after=" + createdAfter
                    + "&") + "cursor=" + end);
        } else {
            page.putNull("next");
        }
        page.putNull("previous");
        ArrayNode results = page.putArray("results");
        for (Prediction p : recent.subList(Math.min(cursor, recent.size()), end)) {
            results.add(p.json());
        }
        send(ex, 200, page.toString());
    }

    private void stream(HttpExchange ex) throws IOException {
        try (ex) {
            Prediction p = predictions.get(ex.getRequestURI().getPath().substring("/stream/".length()));
            if (p == null) {
                send(ex, 404, problem(404, "Not found", "Not found."));
                return;
            }
            Script s = streamScript.poll();
            ex.getResponseHeaders().add("Content-Type", "text/event-stream");
            ex.sendResponseHeaders(200, 0);
            OutputStream out = ex.getResponseBody();
            if (s instanceof Replay replay) {
                synchronized (p) {
                    p.status = "succeeded";
                }
                byte[] body = fixture(replay.fixture());
                for (int from = 0; from < body.length; from += 5) { // in small pieces, as the network delivers them
                    out.write(body, from, Math.min(5, body.length - from));
                    out.flush();
                }
                return;
            }
            if (s instanceof Stall) {
                out.write(": waiting for a GPU\n\n".getBytes(StandardCharsets.UTF_8));
                out.flush();
                while (!p.cancelled && stopping.getCount() > 0) {
                    Thread.sleep(20);
                }
                return;
            }
            synchronized (p) {
                p.status = "processing";
            }
            long pause = s instanceof Slow slow ? slow.millis() : 0;
            int limit = s instanceof Break br ? br.after() : s instanceof RemoteCancel ? 1
                    : s instanceof ErrorEvent ? 2 : p.tokens.size();
            for (int i = 0; i < Math.min(limit, p.tokens.size()); i++) {
                if (p.cancelled) {
                    event(out, "done", "{\"reason\":\"canceled\"}", p.id + ":d");
                    return;
                }
                if (pause > 0) {
                    Thread.sleep(pause);
                }
                event(out, "output", p.tokens.get(i), p.id + ":" + i);
            }
            if (s instanceof Break) {
                return; // the connection closes without done
            }
            if (s instanceof MalformedDone) {
                event(out, "done", "{reason: oops", p.id + ":d");
                return;
            }
            if (s instanceof ErrorEvent err) {
                synchronized (p) {
                    p.status = "failed";
                }
                event(out, "error", "{\"detail\":\"" + err.detail() + "\"}", p.id + ":e");
                event(out, "done", "{\"reason\":\"error\"}", p.id + ":d");
                return;
            }
            if (s instanceof RemoteCancel) {
                synchronized (p) {
                    p.status = "canceled";
                }
                event(out, "done", "{\"reason\":\"canceled\"}", p.id + ":d");
                return;
            }
            p.complete();
            event(out, "done", "{}", p.id + ":d");
        } catch (IOException e) {
            // the client went away
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void event(OutputStream out, String name, String data, String id) throws IOException {
        StringBuilder sb = new StringBuilder("event: ").append(name).append('\n').append("id: ").append(id).append('\n');
        for (String line : data.split("\n", -1)) {
            sb.append("data: ").append(line).append('\n');
        }
        out.write(sb.append('\n').toString().getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static void send(HttpExchange ex, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", status >= 400 ? "application/problem+json" : "application/json");
        ex.sendResponseHeaders(status, b.length);
        ex.getResponseBody().write(b);
    }

    static byte[] fixture(String name) {
        try (java.io.InputStream in = FakeReplicateServer.class.getResourceAsStream("/replay/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture replay/" + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static String problem(int status, String title, String detail) {
        return "{\"title\":\"" + title + "\",\"detail\":\"" + detail + "\",\"status\":" + status + "}";
    }

    /** Tokens for a prompt: words from a fixed narration, as many as max_tokens allows (at most 40). */
    static List<String> tokensFor(JsonNode input) {
        int max = input.path("max_tokens").asInt(input.path("max_new_tokens").asInt(16));
        String prompt = input.path("prompt").asText();
        int start = Math.floorMod(prompt.hashCode(), WORDS.length);
        List<String> tokens = new ArrayList<>();
        for (int i = 0; i < Math.min(max, 40); i++) {
            String w = WORDS[(start + i) % WORDS.length];
            tokens.add(i == 0 || w.startsWith("\n") ? w : " " + w);
        }
        return tokens;
    }

    static float[] hashEmbed(String text) {
        float[] v = new float[EMBED_DIMENSION];
        for (String w : text.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")) {
            if (!w.isEmpty()) {
                v[Math.floorMod(w.hashCode(), EMBED_DIMENSION)] += 1f;
            }
        }
        v[EMBED_DIMENSION - 1] += 0.01f;
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
