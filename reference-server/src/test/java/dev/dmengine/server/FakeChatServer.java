package dev.dmengine.server;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An OpenAI-compatible chat server on a raw socket, so a test controls every byte the model
 * adapter receives: {@code POST /v1/chat/completions} with {@code "stream": true} is answered
 * with {@code chat.completion.chunk} server-sent events in chunked transfer encoding, ending in
 * {@code data: [DONE]}, the way OpenAI, vLLM and Ollama stream. The next requests' misbehaviour
 * is scripted ({@link #next}): stalling before the headers or after some tokens, an error
 * status with or without {@code Retry-After}, or a connection dropped after some tokens
 * (no terminating chunk). Unscripted requests stream {@link #REPLY} normally.
 */
final class FakeChatServer implements AutoCloseable {

    static final String REPLY = "The torchlight flickers across ancient stone as cold air spills from the crypt "
            + "and somewhere below a chain rattles. What do you do?";

    /** What the server does with one chat request. */
    sealed interface Scenario {
    }

    /** Streams the whole reply. */
    record Normal() implements Scenario {
    }

    /** Reads the request and answers nothing at all, not even the status line. */
    record StallBeforeHeaders() implements Scenario {
    }

    /** Streams {@code tokens} tokens, then sends nothing more and keeps the connection open. */
    record StallAfter(int tokens) implements Scenario {
    }

    /** Answers with an error status (and {@code Retry-After} when not null). */
    record Status(int code, String retryAfter) implements Scenario {
    }

    /**
     * Streams {@code tokens} tokens, then closes the connection mid-stream (no final chunk, no
     * [DONE]). A plain close, not a reset: a reset discards what the client has not read yet, so
     * whether the tokens arrived would be a race.
     */
    record DropAfter(int tokens) implements Scenario {
    }

    private final ServerSocket socket;
    private final Queue<Scenario> script = new ConcurrentLinkedQueue<>();
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final CountDownLatch closing = new CountDownLatch(1);
    final AtomicInteger requests = new AtomicInteger();
    final AtomicInteger completed = new AtomicInteger();

    FakeChatServer() {
        try {
            socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Thread.ofVirtual().name("fake-chat-accept").start(this::accept);
    }

    String baseUrl() {
        return "http://127.0.0.1:" + socket.getLocalPort() + "/v1";
    }

    /** Scripts the next requests, in order; after them, requests are answered normally. */
    void next(Scenario... scenarios) {
        script.addAll(List.of(scenarios));
    }

    /** Forgets what was scripted and not yet used. */
    void reset() {
        script.clear();
    }

    int scripted() {
        return script.size();
    }

    @Override
    public void close() {
        closing.countDown();
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        open.forEach(FakeChatServer::closeQuietly);
    }

    private void accept() {
        while (!socket.isClosed()) {
            try {
                Socket s = socket.accept();
                open.add(s);
                Thread.ofVirtual().name("fake-chat-" + s.getPort()).start(() -> serve(s));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void serve(Socket s) {
        try (s) {
            InputStream in = new BufferedInputStream(s.getInputStream());
            OutputStream out = s.getOutputStream();
            String head = readHead(in);
            if (head == null) {
                return;
            }
            int length = contentLength(head);
            in.readNBytes(length);
            if (!head.startsWith("POST /v1/chat/completions ")) {
                write(out, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
                return;
            }
            requests.incrementAndGet();
            Scenario scenario = script.poll();
            switch (scenario == null ? new Normal() : scenario) {
                case StallBeforeHeaders ignored -> closing.await(60, TimeUnit.SECONDS);
                case Status st -> status(out, st);
                case StallAfter st -> {
                    streamHead(out);
                    tokens(out, st.tokens());
                    closing.await(60, TimeUnit.SECONDS);
                }
                case DropAfter d -> {
                    streamHead(out);
                    tokens(out, d.tokens());
                    Thread.sleep(200); // a server that dies while generating, a moment after its last token
                }
                case Normal ignored -> {
                    streamHead(out);
                    String[] words = REPLY.split(" ");
                    tokens(out, words.length);
                    chunk(out, "data: " + chunkJson("{}", "\"stop\"") + "\n\n");
                    chunk(out, "data: [DONE]\n\n");
                    write(out, "0\r\n\r\n");
                    completed.incrementAndGet();
                }
            }
        } catch (SocketException e) {
            // the client went away, or we reset the connection on purpose
        } catch (IOException e) {
            // the client went away
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            open.remove(s);
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        int b;
        while ((b = in.read()) >= 0) {
            head.write(b);
            matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3))
                    ? matched + 1 : 0;
            if (matched == 4) {
                return head.toString(StandardCharsets.ISO_8859_1);
            }
            if (head.size() > 64 * 1024) {
                throw new IOException("request head too large");
            }
        }
        return null;
    }

    private static int contentLength(String head) {
        for (String line : head.split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                return Integer.parseInt(line.substring("content-length:".length()).strip());
            }
        }
        return 0;
    }

    private static void status(OutputStream out, Status st) throws IOException {
        String body = st.code() == 429
                ? "{\"error\":{\"message\":\"Rate limit reached for requests\",\"type\":\"requests\","
                + "\"code\":\"rate_limit_exceeded\"}}"
                : "{\"error\":{\"message\":\"The server had an error while processing your request\","
                + "\"type\":\"server_error\"}}";
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        write(out, "HTTP/1.1 " + st.code() + " " + (st.code() == 429 ? "Too Many Requests" : "Internal Server Error")
                + "\r\nContent-Type: application/json\r\nContent-Length: " + bytes.length + "\r\n"
                + (st.retryAfter() == null ? "" : "Retry-After: " + st.retryAfter() + "\r\n")
                + "Connection: close\r\n\r\n" + body);
    }

    private static void streamHead(OutputStream out) throws IOException {
        write(out, "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
                + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n");
        chunk(out, "data: " + chunkJson("{\"role\":\"assistant\",\"content\":\"\"}", "null") + "\n\n");
    }

    private static void tokens(OutputStream out, int count) throws IOException {
        String[] words = REPLY.split(" ");
        for (int i = 0; i < count && i < words.length; i++) {
            String piece = (i == 0 ? "" : " ") + words[i];
            chunk(out, "data: " + chunkJson("{\"content\":\"" + piece.replace("\"", "\\\"") + "\"}", "null") + "\n\n");
        }
    }

    private static String chunkJson(String delta, String finishReason) {
        return "{\"id\":\"chatcmpl-fake\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,"
                + "\"model\":\"fake-llm\",\"choices\":[{\"index\":0,\"delta\":" + delta + ",\"finish_reason\":"
                + finishReason + "}]}";
    }

    private static void chunk(OutputStream out, String data) throws IOException {
        byte[] bytes = data.getBytes(StandardCharsets.UTF_8);
        out.write((Integer.toHexString(bytes.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(bytes);
        out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    private static void write(OutputStream out, String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // gone
        }
    }
}
