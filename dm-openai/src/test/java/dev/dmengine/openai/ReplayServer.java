package dev.dmengine.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/**
 * A local HTTP server on {@code 127.0.0.1:0} that answers {@code POST /v1/chat/completions} with
 * scripted replies: a recorded stream shape (a fixture under {@code src/test/resources/replay/})
 * written byte for byte — in small pieces, so that CRLF pairs and multi-byte characters fall
 * across network reads, or one event at a time with a pause — or an error status with headers.
 * Every request body is kept for the test to inspect.
 */
final class ReplayServer implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    sealed interface Reply {
    }

    /** 200 {@code text/event-stream}: the fixture's bytes in pieces of {@code pieceBytes}, or event by event {@code pauseMillis} apart. */
    record Stream(String fixture, int pieceBytes, long pauseMillis) implements Reply {
    }

    /** 200 with a {@code Content-Length} longer than the fixture: the connection drops after its bytes. */
    record Dropped(String fixture) implements Reply {
    }

    /** An error status with headers and a body (a fixture name ending in .json, or the text itself). */
    record Status(int code, Map<String, String> headers, String body) implements Reply {
    }

    static Stream stream(String fixture) {
        return new Stream(fixture, 7, 0);
    }

    static Stream paced(String fixture, long pauseMillis) {
        return new Stream(fixture, 0, pauseMillis);
    }

    static Status status(int code, String body, String... headerPairs) {
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 0; i < headerPairs.length; i += 2) {
            headers.put(headerPairs[i], headerPairs[i + 1]);
        }
        return new Status(code, headers, body);
    }

    private final HttpServer server;
    private final Queue<Reply> script = new ConcurrentLinkedQueue<>();
    final List<JsonNode> requests = new CopyOnWriteArrayList<>();

    ReplayServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/v1/chat/completions", this::chat);
        server.start();
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    void next(Reply... replies) {
        script.addAll(List.of(replies));
    }

    void reset() {
        script.clear();
        requests.clear();
    }

    static byte[] fixture(String name) {
        try (InputStream in = ReplayServer.class.getResourceAsStream("/replay/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture replay/" + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private void chat(HttpExchange ex) throws IOException {
        try (ex) {
            requests.add(JSON.readTree(ex.getRequestBody()));
            Reply reply = script.poll();
            if (reply == null) {
                throw new IllegalStateException("the test scripted no reply for request " + requests.size());
            }
            switch (reply) {
                case Status s -> status(ex, s);
                case Stream s -> stream(ex, s);
                case Dropped d -> dropped(ex, d);
            }
        } catch (IOException e) {
            // the client went away
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void status(HttpExchange ex, Status s) throws IOException {
        s.headers().forEach((k, v) -> ex.getResponseHeaders().add(k, v));
        byte[] body = s.body().endsWith(".json") ? fixture(s.body()) : s.body().getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(s.code(), body.length);
        ex.getResponseBody().write(body);
    }

    private static void stream(HttpExchange ex, Stream s) throws IOException, InterruptedException {
        ex.getResponseHeaders().add("Content-Type", "text/event-stream");
        ex.sendResponseHeaders(200, 0); // chunked
        OutputStream out = ex.getResponseBody();
        boolean first = true;
        for (byte[] piece : s.pauseMillis() > 0 ? events(fixture(s.fixture())) : pieces(fixture(s.fixture()), s.pieceBytes())) {
            if (s.pauseMillis() > 0 && !first) {
                Thread.sleep(s.pauseMillis());
            }
            first = false;
            out.write(piece);
            out.flush();
        }
    }

    private static void dropped(HttpExchange ex, Dropped d) throws IOException {
        byte[] body = fixture(d.fixture());
        ex.getResponseHeaders().add("Content-Type", "text/event-stream");
        ex.sendResponseHeaders(200, body.length + 4096);
        ex.getResponseBody().write(body);
        ex.getResponseBody().flush();
        // closing now leaves the declared length unmet: the server drops the connection
    }

    private static List<byte[]> pieces(byte[] all, int size) {
        List<byte[]> out = new ArrayList<>();
        for (int from = 0; from < all.length; from += size) {
            out.add(java.util.Arrays.copyOfRange(all, from, Math.min(all.length, from + size)));
        }
        return out;
    }

    /** The fixture cut after each blank line (LF LF or CRLF CRLF): one event per piece. */
    private static List<byte[]> events(byte[] all) {
        List<byte[]> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < all.length; i++) {
            boolean lf = i >= 1 && all[i] == '\n' && all[i - 1] == '\n';
            boolean crlf = i >= 3 && all[i] == '\n' && all[i - 1] == '\r' && all[i - 2] == '\n' && all[i - 3] == '\r';
            if (lf || crlf) {
                out.add(java.util.Arrays.copyOfRange(all, start, i + 1));
                start = i + 1;
            }
        }
        if (start < all.length) {
            out.add(java.util.Arrays.copyOfRange(all, start, all.length));
        }
        return out;
    }
}
