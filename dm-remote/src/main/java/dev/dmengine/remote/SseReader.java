package dev.dmengine.remote;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * Reads a {@code text/event-stream} body (the WHATWG server-sent events format): {@code field: value}
 * lines, {@code data} lines joined with a newline, a blank line dispatching the event, lines starting
 * with a colon ignored as comments.
 */
public final class SseReader implements AutoCloseable {

    /** One dispatched event; {@code event} is {@code "message"} when the stream named none. */
    public record Event(String event, String data, String id) {
    }

    private final BufferedReader reader;

    public SseReader(InputStream body) {
        this.reader = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
    }

    /** The next event, or {@code null} at the end of the stream. */
    public Event next() throws IOException {
        String event = null;
        String id = null;
        StringBuilder data = null;
        String line;
        while ((line = reader.readLine()) != null) {
            if (line.isEmpty()) {
                if (data != null) {
                    return new Event(event == null ? "message" : event, data.toString(), id);
                }
                event = null;
                continue;
            }
            if (line.startsWith(":")) {
                continue;
            }
            int colon = line.indexOf(':');
            String field = colon < 0 ? line : line.substring(0, colon);
            String value = colon < 0 ? "" : line.substring(colon + 1);
            if (value.startsWith(" ")) {
                value = value.substring(1);
            }
            switch (field) {
                case "event" -> event = value;
                case "id" -> id = value;
                case "data" -> {
                    if (data == null) {
                        data = new StringBuilder(value);
                    } else {
                        data.append('\n').append(value);
                    }
                }
                default -> { /* retry and unknown fields are ignored */ }
            }
        }
        if (data != null) {
            return new Event(event == null ? "message" : event, data.toString(), id);
        }
        return null;
    }

    @Override
    public void close() throws IOException {
        reader.close();
    }
}
