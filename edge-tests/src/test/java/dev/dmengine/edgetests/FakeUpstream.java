package dev.dmengine.edgetests;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * An upstream that stands in for a reference-server instance where a test needs to decide what
 * the instance does: a plain HTTP/1.1 server on a raw socket that records every request it
 * receives (with its headers) and, per switch, answers {@code /health/ready} with 200 or 503,
 * answers other requests with 200 naming itself, or drops the connection after reading a request
 * without answering (an instance that dies mid-request).
 */
final class FakeUpstream implements AutoCloseable {

    /** A request as the upstream received it; header names in lower case. */
    record Received(String method, String path, Map<String, List<String>> headers) {
        String header(String name) {
            List<String> v = headers.get(name.toLowerCase(Locale.ROOT));
            return v == null ? null : String.join(", ", v);
        }
    }

    final String name;
    private final ServerSocket socket;
    private final List<Received> received = Collections.synchronizedList(new ArrayList<>());
    private final List<Socket> open = Collections.synchronizedList(new ArrayList<>());
    volatile boolean ready = true;
    volatile boolean drop;
    volatile Map<String, String> extraHeaders = Map.of();

    FakeUpstream(String name) {
        this.name = name;
        try {
            socket = new ServerSocket(0, 128, InetAddress.getByName("127.0.0.1"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Thread.ofVirtual().name("fake-upstream-" + name).start(this::accept);
    }

    String address() {
        return "127.0.0.1:" + socket.getLocalPort();
    }

    /** Requests other than health checks, in arrival order. */
    List<Received> requests() {
        synchronized (received) {
            return received.stream().filter(r -> !r.path().startsWith("/health")).toList();
        }
    }

    /** Readiness checks received so far (Caddy's active health checks). */
    int healthChecks() {
        synchronized (received) {
            return (int) received.stream().filter(r -> r.path().startsWith("/health")).count();
        }
    }

    private void accept() {
        while (!socket.isClosed()) {
            try {
                Socket s = socket.accept();
                open.add(s);
                Thread.ofVirtual().start(() -> serve(s));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void serve(Socket s) {
        try (s; InputStream in = new BufferedInputStream(s.getInputStream()); OutputStream out = s.getOutputStream()) {
            while (true) {
                String head = readHead(in);
                if (head == null) {
                    return;
                }
                String[] lines = head.split("\r\n");
                String[] start = lines[0].split(" ");
                Map<String, List<String>> headers = new LinkedHashMap<>();
                for (int i = 1; i < lines.length; i++) {
                    int colon = lines[i].indexOf(':');
                    if (colon > 0) {
                        headers.computeIfAbsent(lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT),
                                k -> new ArrayList<>()).add(lines[i].substring(colon + 1).strip());
                    }
                }
                Received r = new Received(start[0], start[1], headers);
                readBody(in, r);
                received.add(r);
                if (r.path().startsWith("/health")) {
                    respond(out, ready ? 200 : 503, "{\"status\":\"" + (ready ? "UP" : "DOWN") + "\"}", Map.of());
                } else if (drop) {
                    return; // closes the connection without a word
                } else {
                    respond(out, 200, "{\"upstream\":\"" + name + "\"}", extraHeaders);
                }
            }
        } catch (IOException e) {
            // the peer went away
        } finally {
            open.remove(s);
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int matched = 0;
        int b;
        while ((b = in.read()) != -1) {
            buf.write(b);
            matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3))
                    ? matched + 1 : 0;
            if (matched == 4) {
                return buf.toString(StandardCharsets.ISO_8859_1);
            }
        }
        return null;
    }

    private static void readBody(InputStream in, Received r) throws IOException {
        String length = r.header("content-length");
        if (length != null) {
            in.readNBytes(Integer.parseInt(length.strip()));
        } else if ("chunked".equalsIgnoreCase(r.header("transfer-encoding"))) {
            while (true) {
                StringBuilder line = new StringBuilder();
                int b;
                while ((b = in.read()) != '\n' && b != -1) {
                    if (b != '\r') {
                        line.append((char) b);
                    }
                }
                int size = Integer.parseInt(line.toString().split(";")[0].strip(), 16);
                in.readNBytes(size + 2);
                if (size == 0) {
                    return;
                }
            }
        }
    }

    private static void respond(OutputStream out, int status, String body, Map<String, String> extra) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        StringBuilder head = new StringBuilder("HTTP/1.1 " + status + (status == 200 ? " OK" : " Service Unavailable") + "\r\n")
                .append("Content-Type: application/json\r\n")
                .append("Content-Length: ").append(bytes.length).append("\r\n");
        extra.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
        head.append("\r\n");
        out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        out.write(bytes);
        out.flush();
    }

    /** Stops listening and resets every open connection: the instance is gone. */
    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // closed already
        }
        synchronized (open) {
            for (Socket s : open) {
                try {
                    s.setSoLinger(true, 0);
                    s.close();
                } catch (IOException e) {
                    // gone already
                }
            }
        }
    }
}
