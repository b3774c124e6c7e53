package dev.dmengine.edgetests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/**
 * A player's HTTP client of the game API at one origin (Caddy's {@code https://…} or an instance's
 * {@code http://…}), optionally from a chosen loopback address (127.0.0.2, 127.0.0.3…) so that
 * tests can be several clients with different addresses on one machine.
 */
public final class GameClient {

    public static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http;
    private final String origin;

    public GameClient(HttpClient http, String origin) {
        this.http = http;
        this.origin = origin;
    }

    /** Through Caddy, from {@code localAddress} (e.g. "127.0.0.2"; null for the default). */
    public static GameClient via(CaddyProcess caddy, String localAddress) {
        HttpClient.Builder b = caddy.client();
        if (localAddress != null) {
            b.localAddress(address(localAddress));
        }
        return new GameClient(b.build(), caddy.origin());
    }

    /** Straight to one instance, bypassing the edge. */
    public static GameClient direct(ServerProcess server) {
        return new GameClient(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build(), server.directOrigin());
    }

    public static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }

    public HttpClient http() {
        return http;
    }

    public String origin() {
        return origin;
    }

    public URI uri(String path) {
        return URI.create(origin + path);
    }

    /** A request to {@code path}, with the bearer token if not null. */
    public HttpRequest.Builder request(String path, String token) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(60));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return b;
    }

    public Response send(HttpRequest request) {
        try {
            HttpResponse<byte[]> r = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
            return new Response(r.statusCode(), r.headers(), r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(request.method() + " " + request.uri() + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public Response get(String path, String token) {
        return send(request(path, token).GET().build());
    }

    public Response post(String path, String token, Object body) {
        return send(request(path, token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(write(body))).build());
    }

    /** Opens an event stream (the request should accept text/event-stream). */
    public EventStream stream(HttpRequest request) {
        return EventStream.open(http, request);
    }

    // ---------------------------------------------------------------- the game, as a player plays it

    /** A registered, logged-in player. */
    public record Player(String id, String email, String password, String access) {
    }

    /** Registers and logs in a new player (two auth calls from this client's address). */
    public Player newPlayer(String name) {
        String email = name.toLowerCase() + "-" + System.nanoTime() + "@example.org";
        String password = "amber lantern " + System.nanoTime() + " over the moor";
        Response reg = post("/auth/register", null, Map.of("email", email, "password", password, "displayName", name));
        if (reg.status() != 202) {
            throw new IllegalStateException("register: " + reg);
        }
        Response login = post("/auth/login", null, Map.of("email", email, "password", password));
        if (login.status() != 200) {
            throw new IllegalStateException("login: " + login);
        }
        JsonNode j = login.json();
        return new Player(j.at("/player/id").asText(), email, password, j.get("access").asText());
    }

    /** Creates a character and opens a session for it; returns the session id. */
    public String newSession(Player p) {
        Response c = post("/api/characters", p.access(), Map.of("name", "Aria", "characterClass", "wizard"));
        if (c.status() != 201) {
            throw new IllegalStateException("character: " + c);
        }
        Response s = post("/api/sessions", p.access(), Map.of("characterId", c.json().get("id").asText(),
                "title", "The sunken keep"));
        if (s.status() != 201) {
            throw new IllegalStateException("session: " + s);
        }
        return s.json().get("id").asText();
    }

    /** {@code POST /api/sessions/{id}/messages} asking for the turn as an event stream. */
    public HttpRequest.Builder turnRequest(Player p, String session, String text) {
        return request("/api/sessions/" + session + "/messages", p.access())
                .header("Content-Type", "application/json").header("Accept", "text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(write(Map.of("text", text))));
    }

    public static String write(Object body) {
        if (body instanceof String s) {
            return s;
        }
        try {
            return JSON.writeValueAsString(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A response read whole. */
    public record Response(int status, HttpHeaders headers, byte[] body) {

        public String header(String name) {
            return headers.firstValue(name).orElse(null);
        }

        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new UncheckedIOException("not JSON (" + status + "): " + text(), e);
            }
        }

        @Override
        public String toString() {
            return status + " " + headers.map() + " " + (body.length > 2000 ? body.length + " bytes" : text());
        }
    }
}
