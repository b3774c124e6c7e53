package dev.dmengine.server;

import dev.dmengine.auth.AuthResult;
import dev.dmengine.auth.AuthService;
import dev.dmengine.auth.LoginAttempt;
import dev.dmengine.auth.Registration;
import dev.dmengine.spi.UnauthenticatedException;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.time.Clock;
import java.util.Map;
import java.util.Optional;

/**
 * {@code /auth/…}: JSON {@code {access, refresh}} for API clients and the same tokens as
 * HttpOnly cookies for browsers. Register answers the same whether or not the email was free
 * (the auth service's enumeration resistance); log in next.
 *
 * <p>A login also hands out a device token (see {@link AuthService}): as an HttpOnly cookie
 * per account for the browser, and as {@code deviceToken} in the JSON for API clients, which
 * send it back in the {@value #DEVICE_HEADER} header of their next login. The header wins
 * over the cookie.
 */
final class AuthApi {

    static final String DEVICE_HEADER = "DM-Device-Token";
    private static final HeaderName DEVICE = HeaderNames.create(DEVICE_HEADER);

    private final AuthService auth;
    private final Authn authn;
    private final Clock clock;
    private final int maxPayload;

    AuthApi(AuthService auth, Authn authn, Clock clock, int maxPayload) {
        this.auth = auth;
        this.authn = authn;
        this.clock = clock;
        this.maxPayload = maxPayload;
    }

    void routes(Routes r) {
        r.post("/auth/register", this::register)
                .post("/auth/login", this::login)
                .post("/auth/refresh", this::refresh)
                .post("/auth/logout", this::logout)
                .get("/auth/me", this::me);
    }

    private void register(ServerRequest req, ServerResponse res) {
        Bodies.Register body = Http.body(req, Bodies.Register.class, maxPayload);
        auth.register(new Registration(body.email(), body.password(), body.displayName()), RequestInfo.clientIp(req));
        Http.json(res, Status.ACCEPTED_202, Map.of("status", "accepted",
                "detail", "if the email was free, the account exists now: log in with it"));
    }

    private void login(ServerRequest req, ServerResponse res) {
        Bodies.Login body = Http.body(req, Bodies.Login.class, maxPayload);
        String device = req.headers().first(DEVICE).orElseGet(() -> auth.deviceCookieTag(body.email())
                .flatMap(tag -> authn.cookies().deviceToken(req.headers().first(HeaderNames.COOKIE).orElse(null), tag))
                .orElse(null));
        AuthResult result = auth.login(new LoginAttempt(body.email(), body.password(), RequestInfo.clientIp(req), device));
        result.deviceToken().ifPresent(d -> res.headers().add(HeaderNames.SET_COOKIE,
                authn.cookies().deviceCookie(d, clock.instant())));
        tokens(res, result);
    }

    private void refresh(ServerRequest req, ServerResponse res) {
        Optional<Bodies.Refresh> body = Http.optionalBody(req, Bodies.Refresh.class, maxPayload);
        String token = body.map(Bodies.Refresh::refresh).orElse(null);
        if (token == null) {
            token = fromCookie(req).orElseThrow(() -> new UnauthenticatedException(
                    "send the refresh token as {\"refresh\": …} or the refresh cookie"));
        }
        tokens(res, auth.refresh(token, RequestInfo.clientIp(req)));
    }

    private void logout(ServerRequest req, ServerResponse res) {
        Optional<Bodies.Refresh> body = Http.optionalBody(req, Bodies.Refresh.class, maxPayload);
        String ip = RequestInfo.clientIp(req);
        String token = body.map(Bodies.Refresh::refresh).orElse(null);
        if (token != null) {
            auth.logout(token, ip);
        } else {
            Optional<String> bearer = Authn.bearer(req.headers());
            Optional<String> cookie = fromCookie(req);
            if (bearer.isPresent()) {
                auth.logoutSession(bearer.get(), ip);
            } else if (cookie.isPresent()) {
                auth.logout(cookie.get(), ip);
            } else {
                throw new UnauthenticatedException("send the refresh token, a bearer token or the refresh cookie");
            }
        }
        for (String c : authn.cookies().clearCookies()) {
            res.headers().add(HeaderNames.SET_COOKIE, c);
        }
        Http.noContent(res);
    }

    private void me(ServerRequest req, ServerResponse res) {
        Authn.Caller caller = authn.caller(req.prologue().method().text(), req.headers());
        Http.json(res, Views.PlayerView.of(caller.player()));
    }

    /** The refresh cookie; using it is an unsafe cookie-authenticated call, so CSRF applies. */
    private Optional<String> fromCookie(ServerRequest req) {
        Optional<String> token = authn.cookies().refreshToken(req.headers().first(HeaderNames.COOKIE).orElse(null));
        if (token.isPresent()) {
            authn.checkCsrf(req.prologue().method().text(), req.headers());
        }
        return token;
    }

    private void tokens(ServerResponse res, AuthResult result) {
        for (String c : authn.cookies().setCookies(result.tokens(), clock.instant())) {
            res.headers().add(HeaderNames.SET_COOKIE, c);
        }
        Http.json(res, Views.TokensView.of(result));
    }
}
