package dev.dmengine.examples.jersey;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.stream.Stream;

/**
 * The app's API through the JDK's HttpClient, reading server-sent events line by line as they
 * arrive. The client keeps its defaults, so on {@code http://} it offers an {@code h2c} upgrade
 * with each new connection, as most JDK clients out there do: the app must answer such requests
 * as plain HTTP/1.1 ({@link IgnoreH2cUpgrade}), or these tests fail.
 */
final class HttpTestClient {

    static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient client = HttpClient.newHttpClient();
    private final URI base;

    HttpTestClient(URI base) {
        this.base = base;
    }

    record Reply(int status, String contentType, String body) {
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new UncheckedIOException("not JSON: " + body, e);
            }
        }
    }

    record ServerSentEvent(String name, String data) {
        JsonNode json() {
            try {
                return JSON.readTree(data);
            } catch (IOException e) {
                throw new UncheckedIOException("not JSON: " + data, e);
            }
        }
    }

    /** A streamed turn's response: its status, then its events as they come. */
    static final class TurnStream {
        private final HttpResponse<Stream<String>> response;
        private final Iterator<String> lines;

        TurnStream(HttpResponse<Stream<String>> response) {
            this.response = response;
            this.lines = response.body().iterator();
        }

        int status() {
            return response.statusCode();
        }

        String contentType() {
            return response.headers().firstValue("Content-Type").orElse("");
        }

        /** The next event; blocks until it has arrived whole (a blank line ends it). */
        ServerSentEvent next() {
            String name = "message";
            StringBuilder data = new StringBuilder();
            while (lines.hasNext()) {
                String line = lines.next();
                if (line.isEmpty()) {
                    if (!data.isEmpty()) {
                        return new ServerSentEvent(name, data.toString());
                    }
                } else if (line.startsWith("event:")) {
                    name = line.substring(6).strip();
                } else if (line.startsWith("data:")) {
                    data.append(data.isEmpty() ? "" : "\n").append(line.substring(5).strip());
                }
            }
            throw new NoSuchElementException("the stream ended");
        }

        /** The remaining events, up to the turn's last one. */
        List<ServerSentEvent> readAll() {
            List<ServerSentEvent> events = new ArrayList<>();
            while (true) {
                ServerSentEvent e = next();
                events.add(e);
                if (e.name().equals("turn.completed") || e.name().equals("turn.failed")) {
                    return events;
                }
            }
        }
    }

    /** Signs up a player and returns its id, the value of {@code X-Player}. */
    String newPlayer(String name) {
        Reply r = post(null, "players", "{\"email\":\"" + name + "-" + System.nanoTime() + "@example.org\","
                + "\"displayName\":\"" + name + "\"}");
        return created(r).get("id").asText();
    }

    /** Makes a character for the player and opens a session with it; returns the session id. */
    String newSession(String player) {
        String character = created(post(player, "characters", "{\"name\":\"Hero\",\"characterClass\":\"fighter\"}"))
                .get("id").asText();
        return created(post(player, "sessions", "{\"characterId\":\"" + character + "\",\"title\":\"A test\"}"))
                .get("id").asText();
    }

    TurnStream playStreamed(String player, String session, String text) {
        HttpRequest request = request(player, "sessions/" + session + "/turns")
                .header("Accept", "text/event-stream").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.createObjectNode().put("text", text).toString()))
                .build();
        return new TurnStream(send(request, HttpResponse.BodyHandlers.ofLines()));
    }

    Reply post(String player, String path, String json) {
        return reply(send(request(player, path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString()));
    }

    Reply get(String player, String path) {
        return reply(send(request(player, path).GET().build(), HttpResponse.BodyHandlers.ofString()));
    }

    private HttpRequest.Builder request(String player, String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path));
        if (player != null) {
            b.header("X-Player", player);
        }
        return b;
    }

    private static JsonNode created(Reply r) {
        if (r.status() != 201) {
            throw new AssertionError("expected 201, got " + r.status() + ": " + r.body());
        }
        return r.json();
    }

    private static Reply reply(HttpResponse<String> r) {
        return new Reply(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), r.body());
    }

    private <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
        try {
            return client.send(request, handler);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
