package dev.dmengine.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * HTTP/1.1 over a plain socket, byte for byte as given: request targets, header values and
 * bodies that a well-behaved client library refuses to send (invalid UTF-8, raw control bytes,
 * a Content-Type it would set itself) reach the server as written. One request per connection
 * ({@code Connection: close}); a streamed answer (server-sent events, a WebSocket upgrade) is
 * read up to its headers and then closed.
 */
final class RawHttp {

    /** A header to send; the value is raw bytes. */
    record Header(String name, byte[] value) {
        static Header of(String name, String value) {
            return new Header(name, value.getBytes(StandardCharsets.UTF_8));
        }
    }

    /**
     * @param halfClose end the request's side of the connection after sending it, for a body the
     *                  server cannot frame (it reads on until the input ends)
     */
    record Request(String method, byte[] target, List<Header> headers, byte[] body, boolean halfClose) {
        Request(String method, byte[] target, List<Header> headers, byte[] body) {
            this(method, target, headers, body, false);
        }
    }

    /**
     * @param status 0 if the server closed the connection without an answer
     * @param streamed the answer was an open stream (SSE, 101): only its headers were read
     */
    record Response(int status, List<Header> headers, byte[] body, boolean streamed) {
        String header(String name) {
            for (Header h : headers) {
                if (h.name().equalsIgnoreCase(name)) {
                    return new String(h.value(), StandardCharsets.ISO_8859_1);
                }
            }
            return null;
        }
    }

    private static final int MAX_BODY = 4 * 1024 * 1024;

    private final int port;
    private final Duration timeout;

    RawHttp(int port, Duration timeout) {
        this.port = port;
        this.timeout = timeout;
    }

    Response send(Request request) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), (int) timeout.toMillis());
            socket.setSoTimeout((int) timeout.toMillis());
            OutputStream out = socket.getOutputStream();
            try {
                out.write(encode(request));
                out.flush();
                if (request.halfClose()) {
                    socket.shutdownOutput();
                }
            } catch (IOException e) {
                // the server answered (e.g. 413) and closed before the whole body was sent: read its answer
            }
            return read(socket.getInputStream());
        }
    }

    static byte[] encode(Request r) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes((r.method() + " ").getBytes(StandardCharsets.US_ASCII));
        b.writeBytes(r.target());
        b.writeBytes(" HTTP/1.1\r\nHost: localhost\r\n".getBytes(StandardCharsets.US_ASCII));
        if (r.headers().stream().noneMatch(h -> h.name().equalsIgnoreCase("Connection"))) {
            b.writeBytes("Connection: close\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        boolean hasLength = false;
        for (Header h : r.headers()) {
            hasLength |= h.name().equalsIgnoreCase("Content-Length") || h.name().equalsIgnoreCase("Transfer-Encoding");
            b.writeBytes((h.name() + ": ").getBytes(StandardCharsets.US_ASCII));
            b.writeBytes(h.value());
            b.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        if (!hasLength && r.body() != null) {
            b.writeBytes(("Content-Length: " + r.body().length + "\r\n").getBytes(StandardCharsets.US_ASCII));
        }
        b.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        if (r.body() != null) {
            b.writeBytes(r.body());
        }
        return b.toByteArray();
    }

    private static Response read(InputStream in) throws IOException {
        String statusLine;
        try {
            statusLine = line(in);
        } catch (SocketTimeoutException e) {
            throw e;
        } catch (IOException e) { // reset before a byte of answer
            return new Response(0, List.of(), new byte[0], false);
        }
        if (statusLine == null) {
            return new Response(0, List.of(), new byte[0], false);
        }
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
            throw new IOException("not an HTTP status line: " + statusLine);
        }
        int status = Integer.parseInt(parts[1]);
        List<Header> headers = new ArrayList<>();
        for (String h = line(in); h != null && !h.isEmpty(); h = line(in)) {
            int colon = h.indexOf(':');
            headers.add(new Header(h.substring(0, colon).strip(),
                    h.substring(colon + 1).strip().getBytes(StandardCharsets.ISO_8859_1)));
        }
        Response head = new Response(status, headers, new byte[0], false);
        String type = head.header("Content-Type");
        if (status == 101 || type != null && type.toLowerCase(Locale.ROOT).startsWith("text/event-stream")) {
            return new Response(status, headers, new byte[0], true);
        }
        String length = head.header("Content-Length");
        String encoding = head.header("Transfer-Encoding");
        byte[] body;
        if (encoding != null && encoding.toLowerCase(Locale.ROOT).contains("chunked")) {
            body = chunked(in);
        } else if (length != null) {
            body = in.readNBytes(Math.min(MAX_BODY, Integer.parseInt(length.strip())));
        } else {
            body = in.readNBytes(MAX_BODY);
        }
        return new Response(status, headers, body, false);
    }

    private static byte[] chunked(InputStream in) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (body.size() < MAX_BODY) {
            String size = line(in);
            if (size == null) {
                break;
            }
            int n = Integer.parseInt(size.split(";", 2)[0].strip(), 16);
            if (n == 0) {
                for (String t = line(in); t != null && !t.isEmpty(); t = line(in)) {
                    // trailers
                }
                break;
            }
            body.writeBytes(in.readNBytes(n));
            line(in);
        }
        return body.toByteArray();
    }

    /** One CRLF-terminated line as ISO-8859-1, or null at the end of the stream. */
    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                byte[] bytes = b.toByteArray();
                int len = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, len, StandardCharsets.ISO_8859_1);
            }
            b.write(c);
            if (b.size() > 64 * 1024) {
                throw new IOException("header line longer than 64 KiB");
            }
        }
        return b.size() == 0 ? null : new String(b.toByteArray(), StandardCharsets.ISO_8859_1);
    }
}
