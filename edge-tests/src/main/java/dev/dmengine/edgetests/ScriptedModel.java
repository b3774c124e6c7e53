package dev.dmengine.edgetests;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A language-model server speaking the OpenAI chat-completions wire protocol (streamed as
 * server-sent events), whose reply is a fixed text sent one word a chunk. The reference server
 * uses it with {@code dm.model.provider=openai} and {@link #baseUrl()}.
 *
 * <p>Two ways to pace the words:
 * <ul>
 *   <li><b>gated</b> ({@link #gate()}): a word is written only after {@link #release()}; so a
 *       test can let one token out, wait until its client has read it, and only then let the next
 *       one be produced — streaming proven without depending on how fast anything is;</li>
 *   <li><b>free</b> (the default): words follow each other after {@code pacing} (zero: at once).</li>
 * </ul>
 * Each word's write time ({@link System#nanoTime()}) is recorded under the word's text, so a
 * benchmark in the same JVM can measure how late each token reached its client.
 */
public final class ScriptedModel implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final List<String> words;
    private final Duration pacing;
    private final Semaphore permits = new Semaphore(0);
    private volatile boolean gated;
    private final AtomicInteger written = new AtomicInteger();
    private final AtomicInteger requests = new AtomicInteger();
    private final Map<String, Long> writtenAt = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();

    /**
     * @param reply  the text of every reply; its words must be distinct if {@link #writtenAt} is used
     * @param pacing the pause before each word in free mode
     */
    public ScriptedModel(String reply, Duration pacing) {
        this.words = List.of(reply.split(" "));
        this.pacing = pacing;
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/v1/chat/completions", this::chat);
        server.start();
    }

    /** {@code http://127.0.0.1:<port>/v1}: the value of {@code dm.model.base-url}. */
    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    /** The server configuration that points the reference server at this model. */
    public Map<String, String> serverConfig() {
        return Map.of("dm.model.provider", "openai", "dm.model.base-url", baseUrl(), "dm.model.name", "scripted");
    }

    public List<String> words() {
        return words;
    }

    /** The reply as the player finally sees it. */
    public String reply() {
        return String.join(" ", words);
    }

    /** From now on every word waits for a {@link #release()}. */
    public void gate() {
        permits.drainPermits();
        gated = true;
    }

    /** Back to free mode; words waiting for a release go on. */
    public void ungate() {
        gated = false;
        permits.release(10_000);
    }

    /** Lets one more word be written (gated mode). */
    public void release() {
        permits.release();
    }

    /** Words written or being written so far, over all replies (counted just before each is sent). */
    public int written() {
        return written.get();
    }

    public int requests() {
        return requests.get();
    }

    /** When the word (with its trailing space, as streamed) was last about to be written (then flushed at once). */
    public Long writtenAt(String piece) {
        return writtenAt.get(piece);
    }

    /** Problems the model server met (a client gone early…), for a test's failure message. */
    public List<String> failures() {
        return List.copyOf(failures);
    }

    private void chat(HttpExchange ex) throws IOException {
        requests.incrementAndGet();
        try (ex) {
            boolean stream = JSON.readTree(ex.getRequestBody().readAllBytes()).path("stream").asBoolean(false);
            if (!stream) {
                byte[] body = JSON.writeValueAsBytes(Map.of("object", "chat.completion", "choices", List.of(Map.of(
                        "index", 0, "message", Map.of("role", "assistant", "content", reply()), "finish_reason", "stop"))));
                ex.getResponseHeaders().add("Content-Type", "application/json");
                ex.sendResponseHeaders(200, body.length);
                ex.getResponseBody().write(body);
                return;
            }
            ex.getResponseHeaders().add("Content-Type", "text/event-stream");
            ex.sendResponseHeaders(200, 0);
            OutputStream out = ex.getResponseBody();
            for (int i = 0; i < words.size(); i++) {
                awaitTurn();
                String piece = words.get(i) + (i < words.size() - 1 ? " " : "");
                written.incrementAndGet(); // counted before it leaves, so a reader never sees it uncounted
                writtenAt.put(piece, System.nanoTime());
                chunk(out, Map.of("index", 0, "delta", Map.of("content", piece)));
            }
            chunk(out, Map.of("index", 0, "delta", Map.of(), "finish_reason", "stop"));
            out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException | RuntimeException e) {
            failures.add(e.toString());
            throw e;
        }
    }

    private void awaitTurn() {
        try {
            if (gated) {
                // a failure limit only: a test that stops releasing has failed long before
                if (!permits.tryAcquire(5, TimeUnit.MINUTES)) {
                    throw new IllegalStateException("no release() for 5 minutes");
                }
            } else if (!pacing.isZero()) {
                Thread.sleep(pacing);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void chunk(OutputStream out, Map<String, Object> choice) throws IOException {
        String data = JSON.writeValueAsString(Map.of("object", "chat.completion.chunk", "choices", List.of(choice)));
        out.write(("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    @Override
    public void close() {
        ungate();
        server.stop(0);
    }
}
