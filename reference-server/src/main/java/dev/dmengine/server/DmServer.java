package dev.dmengine.server;

import dev.dmengine.core.DmEngine;
import dev.dmengine.core.auth.AuthCookies;
import dev.dmengine.core.auth.AuthService;
import dev.dmengine.core.auth.CsrfGuard;
import dev.dmengine.spi.DmException;
import io.helidon.http.HeaderNames;
import io.helidon.http.HttpException;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.staticcontent.StaticContentFeature;
import io.helidon.webserver.websocket.WsRouting;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * The reference server: the engine wired from {@link ServerSettings}, served by Helidon SE.
 * {@link #start()} binds the port; {@link #stop()} drains turns (see {@link TurnRunner}) and
 * stops the listener.
 */
public final class DmServer {

    private static final Logger LOG = LoggerFactory.getLogger(DmServer.class);
    private static final Logger ACCESS = LoggerFactory.getLogger("dev.dmengine.server.access");

    private final ServerSettings settings;
    private final Metrics metrics = new Metrics();
    private final Wiring wiring;
    private final TurnRunner runner;
    private final GameApi game;
    private final Routes routes = new Routes();
    private final ClientIps clientIps;
    private final Authn authn;
    private final WebServer server;
    private volatile boolean stopped;

    public DmServer(ServerSettings settings) {
        this.settings = settings;
        this.wiring = new Wiring(settings, metrics::event);
        this.clientIps = new ClientIps(settings.trustedProxies());
        this.runner = new TurnRunner(wiring.engine, settings.jobWorkers());
        metrics.turnsInFlight(runner::inFlight);

        Set<String> origins = new LinkedHashSet<>(settings.allowedOrigins());
        if (origins.isEmpty()) {
            int port = settings.port() == 0 ? 8080 : settings.port();
            origins.add("http://localhost:" + port);
            origins.add("http://127.0.0.1:" + port);
        }
        AuthCookies cookies = settings.insecureCookies() ? AuthCookies.insecureLocalhost() : AuthCookies.secure();
        this.authn = new Authn(wiring.auth, cookies, new CsrfGuard(origins));
        this.game = new GameApi(wiring.engine, authn, runner, wiring.events, metrics, settings);

        new AuthApi(wiring.auth, authn, Clock.systemUTC(), settings.maxPayloadBytes()).routes(routes);
        game.routes(routes);
        ServiceApi.create(wiring.engine, settings.serviceToken(), settings.maxPayloadBytes())
                .ifPresent(api -> api.routes(routes));
        new OpsApi(wiring.checks, metrics, runner::draining, wiring.profile).routes(routes);

        HttpRouting.Builder http = HttpRouting.builder();
        http.addFilter(this::filter);
        routes.install(http);
        http.error(HttpProblem.class, Problems::handle)
                .error(HttpException.class, DmServer::httpException)
                .error(DmException.class, Problems::handle)
                .error(Exception.class, Problems::handle);

        WsRouting.Builder ws = WsRouting.builder().endpoint(SessionSocket.PATH,
                () -> new SessionSocket(wiring.engine, authn, wiring.events, metrics, settings.heartbeat(), game::closing));

        this.server = WebServer.builder()
                .host(settings.host())
                .port(settings.port())
                .shutdownHook(false)
                .maxPayloadSize(Math.max(settings.maxPayloadBytes() * 4L, 1024 * 1024))
                .directHandlers(Problems.directHandlers())
                .routing(http)
                .addRouting(ws)
                .addFeature(webGui())
                .build();
    }

    /**
     * The player's web GUI: the static files under {@code web/} on the classpath, at {@code /}
     * with {@code index.html} as the welcome file, open to everyone (the pages call the API).
     * Weighted above the routes so it is asked first; a path it has no file for goes on to
     * the API routes and their problem+json 404.
     */
    private static StaticContentFeature webGui() {
        return StaticContentFeature.create(b -> b.weight(200)
                .addClasspath(cp -> cp.location("web").welcome("index.html").context("/")));
    }

    /**
     * Helidon's own answers by exception, e.g. the static files' {@code 304 Not Modified} for a
     * matching {@code If-None-Match}: a status below 400 is sent as it is (no body); an error
     * becomes a problem like every other.
     */
    private static void httpException(ServerRequest req, ServerResponse res, HttpException e) {
        int code = e.status().code();
        if (code < 400) {
            if (!res.isSent()) {
                res.status(e.status()).send();
            }
            return;
        }
        Problems.handle(req, res, new HttpProblem(code, code == 404 ? "not-found" : code >= 500 ? "internal-error"
                : "malformed-request", e.status().reasonPhrase(), code >= 500 ? "the server could not complete the request"
                : e.getMessage()));
    }

    private void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        long start = System.nanoTime();
        String id = req.headers().first(HeaderNames.create(RequestInfo.HEADER)).filter(RequestInfo::acceptable)
                .orElseGet(() -> UUID.randomUUID().toString());
        String ip = clientIps.resolve(req.remotePeer().address(),
                req.headers().all(HeaderNames.X_FORWARDED_FOR, List::of),
                req.headers().first(HeaderNames.create("CF-Connecting-IP")));
        req.context().register(new RequestInfo(id, ip, start));
        res.header(RequestInfo.HEADER, id);
        res.header("X-Content-Type-Options", "nosniff");
        res.header("Referrer-Policy", "no-referrer");
        try {
            if (SessionSocket.isUpgrade(req.headers()) && new Routes.Route("GET", SessionSocket.PATH)
                    .matches(req.path().path())) {
                try {
                    SessionSocket.checkHandshake(req.headers());
                    GameApi.lastEventId(req); // a resume point the SSE stream refuses is refused here too
                    SessionSocket.authorize(wiring.engine, authn, req.path().path(), req.headers());
                } catch (RuntimeException e) {
                    Problems.handle(req, res, e);
                    return;
                }
            }
            chain.proceed();
        } finally {
            int status = res.status().code();
            metrics.request(status);
            ACCESS.info("{} {} {} {} {}ms ip={} id={}", req.prologue().method().text(), req.path().path(),
                    status, res.bytesWritten(), (System.nanoTime() - start) / 1_000_000, ip, id);
        }
    }

    public DmServer start() {
        runner.start();
        server.start();
        LOG.info("DM Engine server ({} profile) listening on http://{}:{}", wiring.profile, settings.host(), port());
        return this;
    }

    /** The bound port (useful when configured as 0). */
    public int port() {
        return server.port();
    }

    public DmEngine engine() {
        return wiring.engine;
    }

    public AuthService auth() {
        return wiring.auth;
    }

    /** The HTTP routes as {@code METHOD pattern}, for the OpenAPI check. */
    List<Routes.Route> routes() {
        return routes.routes();
    }

    /**
     * Graceful stop: no new turns, in-flight turns finish within {@code dm.server.shutdown-grace}
     * or are cancelled (they end with {@code turn.failed}); event streams close; the listener stops.
     */
    public synchronized void stop() {
        if (stopped) {
            return;
        }
        stopped = true;
        LOG.info("stopping: draining turns (grace {})", settings.shutdownGrace());
        runner.drain(settings.shutdownGrace());
        game.close();
        try {
            Thread.sleep(300); // let event streams see the close and end their responses
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        server.stop();
        for (AutoCloseable c : wiring.closeables) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.warn("could not close {}: {}", c, e.toString());
            }
        }
        LOG.info("stopped");
    }
}
