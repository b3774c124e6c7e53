package dev.dmengine.server;

import dev.dmengine.auth.AuthService;
import dev.dmengine.auth.AuthTokens;
import dev.dmengine.auth.DeviceToken;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The browser cookies of a login, as {@code Set-Cookie} header values — framework-free, for
 * the host to add to its responses and read back from {@code Cookie} headers.
 *
 * <ul>
 *   <li>access token: {@code __Host-dm_access}, {@code Path=/}, {@code Secure},
 *       {@code HttpOnly}, {@code SameSite=Lax} (the {@code __Host-} prefix makes the browser
 *       refuse it without Secure, with a Domain, or with another path);</li>
 *   <li>refresh token: {@code __Secure-dm_refresh}, {@code Path=/auth}, {@code Secure},
 *       {@code HttpOnly}, {@code SameSite=Strict} — sent only to the auth endpoints;</li>
 *   <li>device token ({@link DeviceToken}): {@code __Secure-dm_device_<tag>}, one per account
 *       (the tag is a keyed hash of the account, {@link DeviceToken#cookieTag()}),
 *       {@code Path=/auth/login}, {@code Secure}, {@code HttpOnly}, {@code SameSite=Strict} —
 *       sent only to the login endpoint, kept for the token's lifetime and not cleared by
 *       logout (it marks the browser as known to the account, not a session).</li>
 * </ul>
 * For plain-http development on localhost only, {@link #insecureLocalhost()} drops
 * {@code Secure} and with it the prefixes (browsers refuse prefixed cookies without it).
 * Every cookie is checked to stay under 4,096 bytes.
 */
final class AuthCookies {

    public static final String ACCESS = "dm_access";
    public static final String REFRESH = "dm_refresh";
    public static final String REFRESH_PATH = "/auth";
    public static final String DEVICE = "dm_device_";
    public static final String DEVICE_PATH = "/auth/login";
    static final int MAX_COOKIE_BYTES = 4096;

    private final boolean secure;

    private AuthCookies(boolean secure) {
        this.secure = secure;
    }

    /** Secure cookies with {@code __Host-} / {@code __Secure-} prefixes: for every deployment. */
    public static AuthCookies secure() {
        return new AuthCookies(true);
    }

    /** Without {@code Secure} and prefixes: only for {@code http://localhost} development. */
    public static AuthCookies insecureLocalhost() {
        return new AuthCookies(false);
    }

    public String accessCookieName() {
        return secure ? "__Host-" + ACCESS : ACCESS;
    }

    public String refreshCookieName() {
        return secure ? "__Secure-" + REFRESH : REFRESH;
    }

    /** The two {@code Set-Cookie} values of a login or refresh, expiring with their tokens. */
    public String[] setCookies(AuthTokens tokens, Instant now) {
        Objects.requireNonNull(tokens, "tokens");
        return new String[]{
                cookie(accessCookieName(), tokens.accessToken(), "/", "Lax", maxAge(now, tokens.accessTokenExpiresAt())),
                cookie(refreshCookieName(), tokens.refreshToken(), REFRESH_PATH, "Strict",
                        maxAge(now, tokens.refreshTokenExpiresAt()))};
    }

    /** The name of the device cookie of the account with this tag ({@link AuthService#deviceCookieTag}). */
    public String deviceCookieName(String tag) {
        if (tag == null || !tag.matches("[A-Za-z0-9_-]{1,32}")) {
            throw new IllegalArgumentException("a device cookie tag is 1 to 32 Base64url characters");
        }
        return secure ? "__Secure-" + DEVICE + tag : DEVICE + tag;
    }

    /** The {@code Set-Cookie} value that keeps a login's device token, until it expires. */
    public String deviceCookie(DeviceToken device, Instant now) {
        Objects.requireNonNull(device, "device");
        return cookie(deviceCookieName(device.cookieTag()), device.value(), DEVICE_PATH, "Strict",
                maxAge(now, device.expiresAt()));
    }

    /** The device token of the account with this tag from a {@code Cookie} request header, if present. */
    public Optional<String> deviceToken(String cookieHeader, String tag) {
        return value(cookieHeader, deviceCookieName(tag));
    }

    /** The two {@code Set-Cookie} values that delete the cookies (logout). */
    public String[] clearCookies() {
        return new String[]{
                cookie(accessCookieName(), "", "/", "Lax", 0),
                cookie(refreshCookieName(), "", REFRESH_PATH, "Strict", 0)};
    }

    /** The access token from a {@code Cookie} request header, if present. */
    public Optional<String> accessToken(String cookieHeader) {
        return value(cookieHeader, accessCookieName());
    }

    /** The refresh token from a {@code Cookie} request header, if present. */
    public Optional<String> refreshToken(String cookieHeader) {
        return value(cookieHeader, refreshCookieName());
    }

    /** The value of the named cookie in a {@code Cookie} header (first occurrence), if non-empty. */
    public static Optional<String> value(String cookieHeader, String name) {
        if (cookieHeader == null || cookieHeader.isEmpty()) {
            return Optional.empty();
        }
        for (String pair : cookieHeader.split(";")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && pair.substring(0, eq).strip().equals(name)) {
                String v = pair.substring(eq + 1).strip();
                if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
                    v = v.substring(1, v.length() - 1);
                }
                return v.isEmpty() ? Optional.empty() : Optional.of(v);
            }
        }
        return Optional.empty();
    }

    private String cookie(String name, String value, String path, String sameSite, long maxAgeSeconds) {
        for (int i = 0; i < value.length(); i++) { // JWS and our refresh tokens are Base64url and dots only
            char c = value.charAt(i);
            if (!(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.')) {
                throw new IllegalArgumentException("a token cookie value must be Base64url and dots");
            }
        }
        String cookie = name + "=" + value + "; Path=" + path + "; Max-Age=" + maxAgeSeconds
                + (secure ? "; Secure" : "") + "; HttpOnly; SameSite=" + sameSite;
        if (cookie.getBytes(StandardCharsets.US_ASCII).length > MAX_COOKIE_BYTES) {
            throw new IllegalStateException("cookie " + name + " would exceed " + MAX_COOKIE_BYTES + " bytes");
        }
        return cookie;
    }

    private static long maxAge(Instant now, Instant expiresAt) {
        return Math.max(0, Duration.between(now, expiresAt).toSeconds());
    }
}
