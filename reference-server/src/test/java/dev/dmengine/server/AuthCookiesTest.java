package dev.dmengine.server;

import dev.dmengine.auth.AuthResult;
import dev.dmengine.auth.AuthService;
import dev.dmengine.auth.AuthTokens;
import dev.dmengine.auth.DeviceToken;
import dev.dmengine.auth.Registration;
import dev.dmengine.auth.TokenKeys;
import dev.dmengine.core.inmemory.InMemoryPlayerStore;
import dev.dmengine.core.inmemory.InMemoryRateLimiter;
import dev.dmengine.core.inmemory.InMemoryRefreshTokenStore;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AuthCookiesTest {

    private static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");
    /** The tokens the cookies carry, as dm-auth issues them (two accounts, for two device cookies). */
    private static final AuthResult ANN;
    private static final AuthResult BEN;

    static {
        Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
        AuthService auth = AuthService.builder().playerStore(new InMemoryPlayerStore())
                .refreshTokenStore(new InMemoryRefreshTokenStore()).rateLimiter(new InMemoryRateLimiter(clock))
                .clock(clock).tokenKeys(TokenKeys.generate()).auditLog(event -> { }).build();
        ANN = account(auth, "ann@example.org");
        BEN = account(auth, "ben@example.org");
    }

    private static AuthResult account(AuthService auth, String email) {
        String password = "Cookies-For-The-Keep-7";
        auth.register(new Registration(email, password, "Player"), "203.0.113.7");
        return auth.login(email, password, "203.0.113.7");
    }

    private final AuthTokens pair = ANN.tokens();

    @Test
    void secure_cookies_use_the_host_and_secure_prefixes() {
        String[] cookies = AuthCookies.secure().setCookies(pair, NOW);

        assertThat(cookies[0]).isEqualTo("__Host-dm_access=" + pair.accessToken()
                + "; Path=/; Max-Age=900; Secure; HttpOnly; SameSite=Lax");
        assertThat(cookies[1]).isEqualTo("__Secure-dm_refresh=" + pair.refreshToken()
                + "; Path=/auth; Max-Age=1209600; Secure; HttpOnly; SameSite=Strict");
        assertThat(cookies).allSatisfy(c -> assertThat(c).doesNotContain("Domain").hasSizeLessThan(4096));
    }

    @Test
    void localhost_cookies_drop_secure_and_the_prefixes() {
        String[] cookies = AuthCookies.insecureLocalhost().setCookies(pair, NOW);

        assertThat(cookies[0]).startsWith("dm_access=").doesNotContain("Secure").contains("HttpOnly");
        assertThat(cookies[1]).startsWith("dm_refresh=").contains("Path=/auth");
    }

    @Test
    void clearing_expires_both_cookies_on_their_paths() {
        assertThat(AuthCookies.secure().clearCookies()).containsExactly(
                "__Host-dm_access=; Path=/; Max-Age=0; Secure; HttpOnly; SameSite=Lax",
                "__Secure-dm_refresh=; Path=/auth; Max-Age=0; Secure; HttpOnly; SameSite=Strict");
    }

    @Test
    void reads_tokens_back_from_a_cookie_header() {
        AuthCookies cookies = AuthCookies.secure();
        String header = "theme=dark; __Host-dm_access=" + pair.accessToken() + ";  __Secure-dm_refresh=" + pair.refreshToken();

        assertThat(cookies.accessToken(header)).contains(pair.accessToken());
        assertThat(cookies.refreshToken(header)).contains(pair.refreshToken());
        assertThat(cookies.accessToken("dm_access=" + pair.accessToken())).isEmpty(); // unprefixed is not ours
        assertThat(cookies.accessToken(null)).isEmpty();
        assertThat(AuthCookies.value("a=; b=2", "a")).isEmpty();
    }

    @Test
    void refuses_values_that_could_inject_attributes() {
        AuthTokens evil = new AuthTokens("x; Domain=evil.example", NOW, "y", NOW);

        assertThatThrownBy(() -> AuthCookies.secure().setCookies(evil, NOW)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void the_device_cookie_is_per_account_sent_only_to_login_and_read_back_by_its_tag() {
        DeviceToken ann = ANN.deviceToken().orElseThrow();
        DeviceToken ben = BEN.deviceToken().orElseThrow();

        String cookie = AuthCookies.secure().deviceCookie(ann, NOW);

        assertThat(cookie).isEqualTo("__Secure-dm_device_" + ann.cookieTag() + "=" + ann.value()
                + "; Path=/auth/login; Max-Age=7776000; Secure; HttpOnly; SameSite=Strict");
        assertThat(AuthCookies.insecureLocalhost().deviceCookie(ann, NOW)).startsWith("dm_device_" + ann.cookieTag() + "=")
                .doesNotContain("Secure");
        String header = "__Secure-dm_device_" + ann.cookieTag() + "=" + ann.value() + "; __Secure-dm_device_"
                + ben.cookieTag() + "=" + ben.value();
        assertThat(AuthCookies.secure().deviceToken(header, ann.cookieTag())).contains(ann.value());
        assertThat(AuthCookies.secure().deviceToken(header, ben.cookieTag())).contains(ben.value());
        assertThat(ann.cookieTag()).isNotEqualTo(ben.cookieTag()).matches("[A-Za-z0-9_-]{16}");
        assertThatThrownBy(() -> AuthCookies.secure().deviceCookieName("a;b")).isInstanceOf(IllegalArgumentException.class);
    }
}
