package dev.dmengine.edgetests;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A {@code text/event-stream} response parsed as it arrives, on a thread of its own, into a
 * queue: each event carries the moment ({@link System#nanoTime()}) its blank line was read, so
 * a test can tell which events it had read before something else happened.
 */
public final class EventStream implements AutoCloseable {

    /** One event: {@code id} is null for heartbeats; {@code name} is "message" when unnamed. */
    public record Event(String id, String name, String data, long receivedNanos) {
        public JsonNode json() {
            try {
                return GameClient.JSON.readTree(data);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        public boolean heartbeat() {
            return name.equals("heartbeat");
        }
    }

    private static final Event END = new Event(null, "(end of stream)", "", 0);

    private final int status;
    private final HttpHeaders headers;
    private final InputStream body;
    private final BlockingQueue<Event> queue = new LinkedBlockingQueue<>();
    private volatile boolean ended;
    private final StringBuilder raw = new StringBuilder();

    private EventStream(HttpResponse<InputStream> response) {
        this.status = response.statusCode();
        this.headers = response.headers();
        this.body = response.body();
        Thread.ofVirtual().name("sse-reader").start(this::read);
    }

    static EventStream open(HttpClient http, HttpRequest request) {
        try {
            return new EventStream(http.send(request, HttpResponse.BodyHandlers.ofInputStream()));
        } catch (IOException e) {
            throw new UncheckedIOException(request.method() + " " + request.uri() + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public int status() {
        return status;
    }

    public HttpHeaders headers() {
        return headers;
    }

    public String header(String name) {
        return headers.firstValue(name).orElse(null);
    }

    /** The next event, or an AssertionError if none arrives within {@code limit} (a failure limit). */
    public Event next(Duration limit) {
        try {
            Event e = queue.poll(limit.toMillis(), TimeUnit.MILLISECONDS);
            if (e == null) {
                throw new AssertionError("no event within " + limit);
            }
            if (e == END) {
                queue.add(END);
                throw new AssertionError("the stream ended");
            }
            return e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The next event that is not a heartbeat. */
    public Event nextEvent(Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (true) {
            Event e;
            try {
                e = next(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            } catch (AssertionError err) {
                throw new AssertionError("no event other than heartbeats within " + limit
                        + (ended ? " (the stream ended)" : ""), err);
            }
            if (!e.heartbeat()) {
                return e;
            }
        }
    }

    /** Events (heartbeats left out) up to and including the first that matches. */
    public List<Event> until(Predicate<Event> last, Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        List<Event> out = new ArrayList<>();
        while (true) {
            Event e;
            try {
                e = nextEvent(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            } catch (AssertionError err) {
                throw new AssertionError(err.getMessage() + " before the expected event; got " + out, err);
            }
            out.add(e);
            if (last.test(e)) {
                return out;
            }
        }
    }

    /** Whether the server has ended the stream (or it broke). */
    /** The body as text once it has ended (for an answer that is not an event stream: a problem+json). */
    public String bodyText() {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!ended && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        synchronized (raw) {
            return raw.toString();
        }
    }

    public boolean ended() {
        return ended;
    }

    private void read() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
            String id = null;
            String name = null;
            StringBuilder data = null;
            String line;
            while ((line = r.readLine()) != null) {
                synchronized (raw) {
                    if (raw.length() < 65_536) {
                        raw.append(line).append('\n');
                    }
                }
                if (line.isEmpty()) {
                    if (data != null || name != null) {
                        queue.add(new Event(id, name == null ? "message" : name, data == null ? "" : data.toString(),
                                System.nanoTime()));
                    }
                    id = null;
                    name = null;
                    data = null;
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
        } catch (IOException e) {
            // closed by us or broken by the peer: either way the stream has ended
        } finally {
            ended = true;
            queue.add(END);
        }
    }

    @Override
    public void close() {
        try {
            body.close();
        } catch (IOException e) {
            // already gone
        }
    }
}
