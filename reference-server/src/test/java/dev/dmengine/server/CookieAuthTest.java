package dev.dmengine.server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The browser's way in: HttpOnly cookies, CSRF on unsafe requests, refresh and logout by cookie. */
class CookieAuthTest {

    static TestServer server;

    @BeforeAll
    static void start() {
        // no refresh leeway: a used refresh token presented again is a reuse at once (the leeway
        // itself is AuthHardeningTest's)
        server = new TestServer(Map.of("dm.server.allowed-origins", "http://game.example",
                "dm.auth.refresh-leeway", "0s"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String cookieHeader(TestServer.Response login) {
        List<String> set = login.headers().entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase("set-cookie"))
                .findFirst().orElseThrow().getValue();
        assertThat(set).hasSize(3).allSatisfy(c -> assertThat(c).contains("HttpOnly")); // access, refresh, device
        return String.join("; ", set.stream().map(c -> c.split(";", 2)[0]).toList());
    }

    private static TestServer.Response login(TestServer.Player p) {
        return server.send(HttpRequest.newBuilder(server.uri("/auth/login")).header("Content-Type", "application/json")
                .header("X-Forwarded-For", p.ip())
                .POST(HttpRequest.BodyPublishers.ofString(TestServer.write(Map.of("email", p.email(),
                        "password", p.password())))).build());
    }

    @Test
    void cookies_authenticate_reads_and_unsafe_requests_need_a_same_site_origin() {
        TestServer.Player p = server.player("Mae");
        String cookies = cookieHeader(login(p));

        TestServer.Response me = server.send(HttpRequest.newBuilder(server.uri("/auth/me")).header("Cookie", cookies).GET().build());
        assertThat(me.status()).isEqualTo(200);

        String body = TestServer.write(Map.of("name", "Ned", "characterClass", "fighter"));
        TestServer.Response crossSite = server.send(HttpRequest.newBuilder(server.uri("/api/characters"))
                .header("Cookie", cookies).header("Content-Type", "application/json")
                .header("Sec-Fetch-Site", "cross-site").header("Origin", "http://evil.example")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
        ErrorsTest.problem(crossSite, 403, "permission-denied");

        TestServer.Response noOrigin = server.send(HttpRequest.newBuilder(server.uri("/api/characters"))
                .header("Cookie", cookies).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
        ErrorsTest.problem(noOrigin, 403, "permission-denied");

        TestServer.Response sameOrigin = server.send(HttpRequest.newBuilder(server.uri("/api/characters"))
                .header("Cookie", cookies).header("Content-Type", "application/json")
                .header("Sec-Fetch-Site", "same-origin")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
        assertThat(sameOrigin.status()).isEqualTo(201);

        TestServer.Response allowedOrigin = server.send(HttpRequest.newBuilder(server.uri("/api/characters"))
                .header("Cookie", cookies).header("Content-Type", "application/json")
                .header("Origin", "http://game.example")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
        assertThat(allowedOrigin.status()).isEqualTo(201);
    }

    @Test
    void refresh_rotates_tokens_and_logout_ends_the_session() {
        TestServer.Player p = server.player("Oda");
        TestServer.Response refreshed = server.send(HttpRequest.newBuilder(server.uri("/auth/refresh"))
                .header("Content-Type", "application/json").header("X-Forwarded-For", p.ip())
                .POST(HttpRequest.BodyPublishers.ofString(TestServer.write(Map.of("refresh", p.refresh())))).build());
        assertThat(refreshed.status()).isEqualTo(200);
        String access = refreshed.json().get("access").asText();
        String refresh = refreshed.json().get("refresh").asText();
        assertThat(refresh).isNotEqualTo(p.refresh());

        // the used refresh token is refused (and its family revoked)
        TestServer.Response reuse = server.send(HttpRequest.newBuilder(server.uri("/auth/refresh"))
                .header("Content-Type", "application/json").header("X-Forwarded-For", p.ip())
                .POST(HttpRequest.BodyPublishers.ofString(TestServer.write(Map.of("refresh", p.refresh())))).build());
        ErrorsTest.problem(reuse, 401, "unauthenticated");
        ErrorsTest.problem(server.get("/auth/me", access), 401, "unauthenticated");

        TestServer.Player q = server.player("Pia");
        TestServer.Response out = server.send(server.request("/auth/logout", q.access())
                .POST(HttpRequest.BodyPublishers.noBody()).build());
        assertThat(out.status()).isEqualTo(204);
        assertThat(out.headers().get("set-cookie")).allSatisfy(c -> assertThat(c).contains("Max-Age=0"));
        ErrorsTest.problem(server.get("/auth/me", q.access()), 401, "unauthenticated");
    }

    @Test
    void cookies_are_secure_unless_the_server_runs_embedded_on_localhost() {
        assertThat(ServerSettings.from(config(Map.of())).insecureCookies()).isTrue();
        assertThat(ServerSettings.from(config(Map.of("dm.server.host", "0.0.0.0"))).insecureCookies()).isFalse();
        assertThat(ServerSettings.from(config(Map.of("dm.server.host", "0.0.0.0",
                "dm.auth.insecure-localhost-cookies", "true"))).insecureCookies()).isTrue();
        try (TestServer secure = new TestServer(Map.of("dm.auth.insecure-localhost-cookies", "false"))) {
            TestServer.Player p = secure.player("Quin");
            TestServer.Response login = secure.send(HttpRequest.newBuilder(secure.uri("/auth/login"))
                    .header("Content-Type", "application/json").header("X-Forwarded-For", p.ip())
                    .POST(HttpRequest.BodyPublishers.ofString(TestServer.write(Map.of("email", p.email(),
                            "password", p.password())))).build());
            assertThat(login.headers().get("set-cookie")).allSatisfy(c -> assertThat(c).contains("; Secure"))
                    .anySatisfy(c -> assertThat(c).startsWith("__Host-dm_access="));
        }
    }

    static io.helidon.config.Config config(Map<String, String> m) {
        return io.helidon.config.Config.just(io.helidon.config.ConfigSources.create(m));
    }
}
