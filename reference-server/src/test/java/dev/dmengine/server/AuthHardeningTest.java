package dev.dmengine.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dmengine.testkit.Concurrently;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 12 over HTTP: passwords that are not text (finding 4), device cookies against
 * lock-out (finding 7) and concurrent refreshes (finding 9), on the default limits: five
 * failed logins at once per account (untrusted clients) or per device, then one per 90 s.
 */
class AuthHardeningTest {

    static TestServer server;

    @BeforeAll
    static void start() {
        server = new TestServer();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    // ------------------------------------------------------------------ helpers

    /** A login from a fresh address, with an optional Cookie header and device token header. */
    private static TestServer.Response login(String email, String password, String cookie, String deviceToken) {
        HttpRequest.Builder b = HttpRequest.newBuilder(server.uri("/auth/login"))
                .header("Content-Type", "application/json").header("X-Forwarded-For", TestServer.nextIp());
        if (cookie != null) {
            b.header("Cookie", cookie);
        }
        if (deviceToken != null) {
            b.header("DM-Device-Token", deviceToken);
        }
        return server.send(b.POST(HttpRequest.BodyPublishers.ofString(
                TestServer.write(Map.of("email", email, "password", password)))).build());
    }

    private static List<String> setCookies(TestServer.Response r) {
        return r.headers().entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase("set-cookie"))
                .flatMap(e -> e.getValue().stream()).toList();
    }

    /** The device cookie a login set, as {@code name=value} for a Cookie header. */
    private static String deviceCookie(TestServer.Response login) {
        assertThat(login.status()).as(login.body()).isEqualTo(200);
        String set = deviceSetCookie(login).orElseThrow(() -> new AssertionError("no device cookie: " + setCookies(login)));
        return set.split(";", 2)[0];
    }

    private static Optional<String> deviceSetCookie(TestServer.Response login) {
        return setCookies(login).stream().filter(c -> c.startsWith("dm_device_")).findFirst();
    }

    /** Wrong passwords without a device until the account's untrusted budget is gone; returns the 429. */
    private static TestServer.Response exhaustUntrusted(String email, String cookie, String deviceToken) {
        for (int i = 0; i < 20; i++) {
            TestServer.Response r = login(email, "not the password " + i, cookie, deviceToken);
            if (r.status() != 401) {
                return r;
            }
        }
        throw new AssertionError("20 wrong passwords were all answered 401: nothing limits guessing");
    }

    private static TestServer.Response raw(String path, String json) {
        return server.send(HttpRequest.newBuilder(server.uri(path)).header("Content-Type", "application/json")
                .header("X-Forwarded-For", TestServer.nextIp())
                .POST(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    // ------------------------------------------------------------------ finding 4: passwords

    @Test
    void a_password_with_a_lone_surrogate_is_400_naming_the_field_at_register_and_login() {
        String email = "lone-" + System.nanoTime() + "@example.org";
        // JSON escapes: \ud800 is a lone high surrogate, which UTF-8 cannot encode (it became '?')
        TestServer.Response register = raw("/auth/register", "{\"email\":\"" + email
                + "\",\"password\":\"amber lantern \\ud800 over the moor\",\"displayName\":\"Lone\"}");
        JsonNode p = ErrorsTest.problem(register, 400, "invalid-input");
        assertThat(p.at("/errors/0/field").asText()).isEqualTo("password");

        TestServer.Player q = server.player("Quill"); // a valid account whose password has no '?'
        assertThat(raw("/auth/register", "{\"email\":\"" + email
                + "\",\"password\":\"amber lantern ? over the moor\",\"displayName\":\"Lone\"}").status()).isEqualTo(202);
        for (String who : List.of(email, q.email())) {
            TestServer.Response login = raw("/auth/login", "{\"email\":\"" + who
                    + "\",\"password\":\"amber lantern \\udc00 over the moor\"}");
            assertThat(ErrorsTest.problem(login, 400, "invalid-input").at("/errors/0/field").asText()).isEqualTo("password");
        }
        assertThat(login(email, "amber lantern ? over the moor", null, null).status()).isEqualTo(200);
    }

    // ------------------------------------------------------------------ finding 7: device cookies

    @Test
    void a_login_sets_an_httponly_device_cookie_per_account_sent_only_to_login_and_returns_the_token() {
        TestServer.Player ann = server.player("Ann");
        TestServer.Player ben = server.player("Ben");

        TestServer.Response a = login(ann.email(), ann.password(), null, null);
        TestServer.Response b = login(ben.email(), ben.password(), null, null);

        String set = deviceSetCookie(a).orElseThrow();
        assertThat(set).contains("HttpOnly", "SameSite=Strict", "Path=/auth/login", "Max-Age=");
        assertThat(a.json().get("deviceToken").asText()).isEqualTo(deviceCookie(a).split("=", 2)[1]);
        String annName = deviceCookie(a).split("=", 2)[0];
        String benName = deviceCookie(b).split("=", 2)[0];
        assertThat(annName).isNotEqualTo(benName); // one browser keeps a device cookie per account
        assertThat(annName).doesNotContain("ann").doesNotContain("example"); // the name does not give the email away
        // logout ends the session, not the device's trust
        TestServer.Response logout = server.post("/auth/logout", null, Map.of("refresh", a.json().get("refresh").asText()));
        assertThat(logout.status()).isEqualTo(204);
        assertThat(setCookies(logout)).noneMatch(c -> c.startsWith("dm_device_"));
    }

    @Test
    void an_attacker_exhausts_the_untrusted_budget_but_the_owner_with_a_device_cookie_still_logs_in() {
        TestServer.Player p = server.player("Dana");
        String laptopCookie = deviceCookie(login(p.email(), p.password(), null, null));
        String phoneToken = login(p.email(), p.password(), null, null).json().get("deviceToken").asText();

        TestServer.Response locked = exhaustUntrusted(p.email(), null, null);
        ErrorsTest.problem(locked, 429, "rate-limited");
        assertThat(Integer.parseInt(locked.header("Retry-After"))).isPositive();
        // a client without a device cookie is locked out, even with the right password
        assertThat(login(p.email(), p.password(), null, null).status()).isEqualTo(429);

        TestServer.Response laptop = login(p.email(), p.password(), laptopCookie, null);
        TestServer.Response phone = login(p.email(), p.password(), null, phoneToken);

        assertThat(laptop.status()).as(laptop.body()).isEqualTo(200);
        assertThat(phone.status()).as(phone.body()).isEqualTo(200);
        assertThat(server.get("/auth/me", laptop.json().get("access").asText()).status()).isEqualTo(200);
    }

    @Test
    void a_device_that_fails_too_often_is_locked_on_its_own() {
        TestServer.Player p = server.player("Eli");
        String laptopCookie = deviceCookie(login(p.email(), p.password(), null, null));
        String phoneToken = login(p.email(), p.password(), null, null).json().get("deviceToken").asText();

        TestServer.Response locked = exhaustUntrusted(p.email(), laptopCookie, null);

        ErrorsTest.problem(locked, 429, "rate-limited");
        assertThat(login(p.email(), p.password(), laptopCookie, null).status()).isEqualTo(429);
        // the other device and untrusted clients keep their own budgets
        assertThat(login(p.email(), p.password(), null, phoneToken).status()).isEqualTo(200);
        assertThat(login(p.email(), p.password(), null, null).status()).isEqualTo(200);
    }

    @Test
    void another_accounts_or_a_tampered_device_token_counts_as_untrusted() {
        TestServer.Player victim = server.player("Fay");
        TestServer.Player attacker = server.player("Gil");
        String attackersToken = login(attacker.email(), attacker.password(), null, null).json().get("deviceToken").asText();
        String victimsToken = login(victim.email(), victim.password(), null, null).json().get("deviceToken").asText();
        char last = victimsToken.charAt(victimsToken.length() - 1);
        String tampered = victimsToken.substring(0, victimsToken.length() - 1) + (last == 'A' ? 'B' : 'A');

        ErrorsTest.problem(exhaustUntrusted(victim.email(), null, null), 429, "rate-limited");

        assertThat(login(victim.email(), victim.password(), null, attackersToken).status()).isEqualTo(429);
        assertThat(login(victim.email(), victim.password(), null, tampered).status()).isEqualTo(429);
        assertThat(login(victim.email(), victim.password(), null, "garbage").status()).isEqualTo(429);
        assertThat(login(victim.email(), victim.password(), null, victimsToken).status()).isEqualTo(200);
    }

    // ------------------------------------------------------------------ finding 9: tabs refreshing at once

    @Test
    void tabs_refreshing_at_once_with_one_token_all_stay_logged_in_with_the_same_successor() {
        TestServer.Player p = server.player("Hal");

        List<TestServer.Response> answers = Concurrently.run(10, t -> server.send(HttpRequest.newBuilder(
                        server.uri("/auth/refresh")).header("Content-Type", "application/json")
                .header("X-Forwarded-For", p.ip())
                .POST(HttpRequest.BodyPublishers.ofString(TestServer.write(Map.of("refresh", p.refresh())))).build()));

        assertThat(answers).allSatisfy(r -> assertThat(r.status()).as(r.body()).isEqualTo(200));
        Set<String> successors = answers.stream().map(r -> r.json().get("refresh").asText()).collect(Collectors.toSet());
        assertThat(successors).hasSize(1);
        for (TestServer.Response r : answers) {
            assertThat(server.get("/auth/me", r.json().get("access").asText()).status()).isEqualTo(200);
        }
        assertThat(server.post("/auth/refresh", null, Map.of("refresh", successors.iterator().next())).status())
                .isEqualTo(200);
    }
}
