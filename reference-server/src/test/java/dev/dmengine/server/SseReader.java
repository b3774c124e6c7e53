package dev.dmengine.server;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;

/** Parses a text/event-stream as it arrives. */
final class SseReader {

    record Event(String id, String name, String data, long receivedNanos) {
        JsonNode json() {
            try {
                return Http.MAPPER.readTree(data);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private final Iterator<String> lines;

    SseReader(Stream<String> lines) {
        this.lines = lines.iterator();
    }

    /** The next event, or null at the end of the stream. */
    Event next() {
        String id = null;
        String name = null;
        StringBuilder data = null;
        while (lines.hasNext()) {
            String line = lines.next();
            if (line.isEmpty()) {
                if (data != null || name != null) {
                    return new Event(id, name == null ? "message" : name, data == null ? "" : data.toString(),
                            System.nanoTime());
                }
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
                case "id" -> id = value;
                case "event" -> name = value;
                case "data" -> data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
                default -> { }
            }
        }
        return null;
    }

    /** Events until (and including) the first that matches, skipping heartbeats if asked. */
    List<Event> until(Predicate<Event> last, boolean skipHeartbeats) {
        List<Event> out = new ArrayList<>();
        Event e;
        while ((e = next()) != null) {
            if (skipHeartbeats && e.name().equals("heartbeat")) {
                continue;
            }
            out.add(e);
            if (last.test(e)) {
                return out;
            }
        }
        throw new AssertionError("the stream ended before the expected event; got " + out);
    }

    /** The events left until the end of the stream, skipping heartbeats if asked. */
    List<Event> rest(boolean skipHeartbeats) {
        List<Event> out = new ArrayList<>();
        Event e;
        while ((e = next()) != null) {
            if (!(skipHeartbeats && e.name().equals("heartbeat"))) {
                out.add(e);
            }
        }
        return out;
    }
}
