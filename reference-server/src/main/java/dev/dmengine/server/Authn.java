package dev.dmengine.server;

import dev.dmengine.auth.AuthService;
import dev.dmengine.spi.PermissionDeniedException;
import dev.dmengine.spi.UnauthenticatedException;
import dev.dmengine.spi.identity.Player;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Headers;

import java.util.Locale;
import java.util.Optional;

/**
 * Who is calling: a bearer token ({@code Authorization}) or the access cookie. Unsafe requests
 * authenticated by the cookie must also pass the CSRF check (Fetch Metadata, Origin fallback).
 */
final class Authn {

    static final HeaderName SEC_FETCH_SITE = HeaderNames.create("Sec-Fetch-Site");

    record Caller(Player player, boolean viaCookie) {
    }

    private final AuthService auth;
    private final AuthCookies cookies;
    private final CsrfGuard csrf;

    Authn(AuthService auth, AuthCookies cookies, CsrfGuard csrf) {
        this.auth = auth;
        this.cookies = cookies;
        this.csrf = csrf;
    }

    AuthCookies cookies() {
        return cookies;
    }

    Caller caller(String method, Headers headers) {
        Optional<String> bearer = bearer(headers);
        if (bearer.isPresent()) {
            return new Caller(auth.authenticate(bearer.get()), false);
        }
        Optional<String> cookie = cookies.accessToken(headers.first(HeaderNames.COOKIE).orElse(null));
        if (cookie.isEmpty()) {
            throw new UnauthenticatedException("sign in first: send Authorization: Bearer <access token> "
                    + "or the access cookie");
        }
        checkCsrf(method, headers);
        return new Caller(auth.authenticate(cookie.get()), true);
    }

    void checkCsrf(String method, Headers headers) {
        CsrfGuard.Decision d = csrf.check(method, true, headers.first(SEC_FETCH_SITE).orElse(null),
                headers.first(HeaderNames.ORIGIN).orElse(null));
        if (!d.allowed()) {
            throw new PermissionDeniedException("cross-site request refused (" + d.name().toLowerCase(Locale.ROOT)
                    + "): send it from the game's own pages, or authenticate with a bearer token");
        }
    }

    static Optional<String> bearer(Headers headers) {
        Optional<String> authz = headers.first(HeaderNames.AUTHORIZATION);
        if (authz.isEmpty()) {
            return Optional.empty();
        }
        String v = authz.get().strip();
        if (v.length() < 8 || !v.substring(0, 7).equalsIgnoreCase("Bearer ")) {
            throw new UnauthenticatedException("the Authorization header must be 'Bearer <access token>'");
        }
        return Optional.of(v.substring(7).strip());
    }
}
