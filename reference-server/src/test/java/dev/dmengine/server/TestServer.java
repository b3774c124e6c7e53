package dev.dmengine.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.config.Config;
import io.helidon.config.ConfigSources;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/** A real server on a free port, and a small JDK HTTP client speaking to it over sockets. */
final class TestServer implements AutoCloseable {

    static final String SERVICE_TOKEN = "test-service-token-0123456789";
    private static final AtomicInteger IPS = new AtomicInteger(1);

    final DmServer server;
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    TestServer(Map<String, String> overrides) {
        Map<String, String> cfg = new HashMap<>();
        cfg.put("dm.server.port", "0");
        cfg.put("dm.server.heartbeat", "300ms");
        cfg.put("dm.server.shutdown-grace", "2s");
        cfg.put("dm.server.trusted-proxies", "127.0.0.1/32,::1/128");
        cfg.put("dm.narrator.pacing", "2ms");
        cfg.put("dm.service.token", SERVICE_TOKEN);
        cfg.put("dm.embedder.provider", "hashing"); // fast; GameFlowTest runs the default (MiniLM)
        cfg.putAll(overrides);
        cfg.values().removeIf(v -> v == null || v.isEmpty());
        server = new DmServer(ServerSettings.from(Config.just(ConfigSources.create(cfg)))).start();
    }

    TestServer() {
        this(Map.of());
    }

    String base() {
        return "http://localhost:" + server.port();
    }

    URI uri(String path) {
        return URI.create(base() + path);
    }

    /** A fresh client address (sent via X-Forwarded-For from the trusted loopback proxy) per player. */
    static String nextIp() {
        int n = IPS.getAndIncrement();
        return "10.1." + (n / 250) + "." + (n % 250 + 1);
    }

    record Response(int status, Map<String, java.util.List<String>> headers, String body) {
        JsonNode json() {
            try {
                return Http.MAPPER.readTree(body);
            } catch (IOException e) {
                throw new UncheckedIOException("not JSON (" + status + "): " + body, e);
            }
        }

        String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().getFirst()).findFirst().orElse(null);
        }

        String contentType() {
            return header("Content-Type");
        }
    }

    Response send(HttpRequest request) {
        try {
            HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
            return new Response(r.statusCode(), r.headers().map(), r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    HttpRequest.Builder request(String path, String token) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return b;
    }

    Response get(String path, String token) {
        return send(request(path, token).GET().build());
    }

    Response delete(String path, String token) {
        return send(request(path, token).DELETE().build());
    }

    Response json(String method, String path, String token, Object body) {
        String text = body instanceof String s ? s : write(body);
        return send(request(path, token).header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(text)).build());
    }

    Response post(String path, String token, Object body) {
        return json("POST", path, token, body);
    }

    static String write(Object body) {
        try {
            return Http.MAPPER.writeValueAsString(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A player logged in from their own address. */
    record Player(String id, String email, String password, String access, String refresh, String ip) {
    }

    Player player(String name) {
        String ip = nextIp();
        String email = name.toLowerCase() + "-" + System.nanoTime() + "@example.org";
        String password = "amber lantern " + System.nanoTime() + " over the moor";
        Response reg = send(HttpRequest.newBuilder(uri("/auth/register")).header("Content-Type", "application/json")
                .header("X-Forwarded-For", ip)
                .POST(HttpRequest.BodyPublishers.ofString(write(Map.of("email", email, "password", password,
                        "displayName", name)))).build());
        if (reg.status() != 202) {
            throw new IllegalStateException("register: " + reg);
        }
        Response login = send(HttpRequest.newBuilder(uri("/auth/login")).header("Content-Type", "application/json")
                .header("X-Forwarded-For", ip)
                .POST(HttpRequest.BodyPublishers.ofString(write(Map.of("email", email, "password", password)))).build());
        if (login.status() != 200) {
            throw new IllegalStateException("login: " + login);
        }
        JsonNode j = login.json();
        return new Player(j.at("/player/id").asText(), email, password, j.get("access").asText(),
                j.get("refresh").asText(), ip);
    }

    /** Creates a character and a session; returns the session id. */
    String session(Player p) {
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

    /** An open SSE response, read line by line. */
    record SseResponse(int status, Map<String, java.util.List<String>> headers, Stream<String> lines) {
    }

    SseResponse openSse(HttpRequest request) {
        try {
            HttpResponse<Stream<String>> r = http.send(request, HttpResponse.BodyHandlers.ofLines());
            return new SseResponse(r.statusCode(), r.headers().map(), r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.stop();
    }
}
