package dev.dmengine.remote;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;

/**
 * Reads a {@code text/event-stream} body by the WHATWG rules: lines end in CRLF, LF or CR;
 * {@code field: value} lines (one space after the colon is dropped, none is needed); {@code data}
 * lines joined with a newline; a blank line dispatches the event; lines starting with a colon
 * ({@code : ping}) are comments; a leading byte-order mark is skipped; unknown fields are ignored.
 *
 * <p>At the end of the stream an event that was not finished by a blank line is dropped, never
 * dispatched: a connection cut mid-event must not hand its partial data to a JSON parser (the
 * WHATWG rule; openai-node does the same). {@link #endedMidEvent()} tells the caller it happened.
 *
 * <p>A line longer than {@code maxLineChars} or an event whose data exceeds
 * {@code maxEventChars} fails the read with an {@link EventTooLargeException}, so a broken or
 * hostile server cannot make the reader buffer without bound.
 */
public final class SseReader implements AutoCloseable {

    /** Default bound of one line. */
    public static final int DEFAULT_MAX_LINE_CHARS = 1 << 20;
    /** Default bound of one event's data. */
    public static final int DEFAULT_MAX_EVENT_CHARS = 4 << 20;

    /** One dispatched event; {@code event} is {@code "message"} when the stream named none. */
    public record Event(String event, String data, String id) {
    }

    /** A line or an event larger than the reader's bound. */
    public static final class EventTooLargeException extends IOException {
        EventTooLargeException(String message) {
            super(message);
        }
    }

    private final Reader reader;
    private final int maxLineChars;
    private final int maxEventChars;
    private final StringBuilder line = new StringBuilder();
    private boolean first = true;
    private boolean pendingLf;
    private boolean endedMidEvent;

    public SseReader(InputStream body) {
        this(body, DEFAULT_MAX_LINE_CHARS, DEFAULT_MAX_EVENT_CHARS);
    }

    public SseReader(InputStream body, int maxLineChars, int maxEventChars) {
        this.reader = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
        this.maxLineChars = HttpModelBuilder.atLeast(maxLineChars, 16, "maxLineChars");
        this.maxEventChars = HttpModelBuilder.atLeast(maxEventChars, 16, "maxEventChars");
    }

    /** The next event, or {@code null} at the end of the stream. */
    public Event next() throws IOException {
        String event = null;
        String id = null;
        StringBuilder data = null;
        boolean started = false;
        String l;
        while ((l = readLine()) != null) {
            if (l.isEmpty()) {
                if (data != null) {
                    return new Event(event == null ? "message" : event, data.toString(), id);
                }
                event = null;
                started = false;
                continue;
            }
            if (l.startsWith(":")) {
                continue;
            }
            started = true;
            int colon = l.indexOf(':');
            String field = colon < 0 ? l : l.substring(0, colon);
            String value = colon < 0 ? "" : l.substring(colon + 1);
            if (value.startsWith(" ")) {
                value = value.substring(1);
            }
            switch (field) {
                case "event" -> event = value;
                case "id" -> id = value;
                case "data" -> data = appendData(data, value);
                default -> { /* retry and unknown fields are ignored */ }
            }
        }
        endedMidEvent = started;
        return null;
    }

    /** Whether the stream ended inside an event (its lines were read but no blank line followed). */
    public boolean endedMidEvent() {
        return endedMidEvent;
    }

    private StringBuilder appendData(StringBuilder data, String value) throws EventTooLargeException {
        StringBuilder d = data == null ? new StringBuilder(value) : data.append('\n').append(value);
        if (d.length() > maxEventChars) {
            throw new EventTooLargeException("a server-sent event carried more than " + maxEventChars + " characters");
        }
        return d;
    }

    /** The next line without its terminator (CRLF, LF or CR), or null at the end of the stream. */
    private String readLine() throws IOException {
        line.setLength(0);
        while (true) {
            int c = reader.read();
            if (first) {
                first = false;
                if (c == '\uFEFF') {
                    continue;
                }
            }
            if (pendingLf) {
                pendingLf = false;
                if (c == '\n') {
                    continue; // the LF of a CRLF
                }
            }
            if (c < 0) {
                return line.isEmpty() ? null : line.toString();
            }
            if (c == '\n') {
                return line.toString();
            }
            if (c == '\r') {
                pendingLf = true;
                return line.toString();
            }
            if (line.length() >= maxLineChars) {
                throw new EventTooLargeException("a server-sent event line was longer than " + maxLineChars
                        + " characters");
            }
            line.append((char) c);
        }
    }

    @Override
    public void close() throws IOException {
        reader.close();
    }
}
