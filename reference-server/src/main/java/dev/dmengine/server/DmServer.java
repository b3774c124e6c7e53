package dev.dmengine.server;

import dev.dmengine.core.DmEngine;
import dev.dmengine.auth.AuthService;
import dev.dmengine.spi.DmException;
import io.helidon.http.HeaderNames;
import io.helidon.http.HttpException;
import io.helidon.webserver.ServerConnectionException;
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
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.UnaryOperator;

/**
 * The reference server: the engine wired from {@link ServerSettings}, served by Helidon SE.
 * {@link #start()} binds the port; {@link #stop()} drains turns (see {@link dev.dmengine.core.jobs.TurnJobs}) and
 * stops the listener.
 */
public final class DmServer {

    private static final Logger LOG = LoggerFactory.getLogger(DmServer.class);
    private static final Logger ACCESS = LoggerFactory.getLogger("dev.dmengine.server.access");

    private final ServerSettings settings;
    private final Metrics metrics = new Metrics();
    private final Wiring wiring;
    private final GameApi game;
    private final Routes routes = new Routes();
    private final ClientIps clientIps;
    private final Authn authn;
    private final WebServer server;
    private final ConnectionGuard.Plan plan;
    private final ConnectionGuard guard;
    private final StreamLimits streams;
    private final EventPumps pumps;
    private final AssetApi assets; // players' files: /api/assets…, portraits, the clean-up
    private final String contentSecurityPolicy;
    private volatile Runnable onListenerStopped = () -> { };
    private volatile ListenerWatchdog watchdog;
    private volatile boolean stopped;

    public DmServer(ServerSettings settings) {
        this(settings, null);
    }

    /**
     * For benchmarks and tests, not an extension point (an application that wants other ports
     * embeds {@link DmEngine} itself): the server as {@link #DmServer(ServerSettings)} wires it,
     * with every port the engine uses passed through {@code decoratePorts} first — the same
     * adapters wrapped, e.g. to time each stage of a turn without timing code in the engine
     * (FullStackTurnBench).
     */
    public DmServer(ServerSettings settings, UnaryOperator<DmEngine.Ports> decoratePorts) {
        this.settings = settings;
        this.wiring = new Wiring(settings, metrics::event, decoratePorts);
        this.clientIps = new ClientIps(settings.trustedProxies());
        metrics.turnsInFlight(wiring.engine.jobs()::inFlight);

        Set<String> origins = allowedOrigins(settings);
        AuthCookies cookies = settings.insecureCookies() ? AuthCookies.insecureLocalhost() : AuthCookies.secure();
        this.authn = new Authn(wiring.auth, cookies, new CsrfGuard(origins));
        this.plan = ConnectionGuard.plan(settings.limits(),
                settings.postgres().map(ServerSettings.Postgres::maxPoolSize).orElse(0), OpenFiles.now());
        this.streams = new StreamLimits(plan.maxStreams(), settings.limits().maxStreamsPerPlayer(),
                settings.limits().maxStreamsPerSession(), retryAfter(settings.heartbeat()), metrics);
        this.pumps = new EventPumps(wiring.events, settings.heartbeat());
        this.game = new GameApi(wiring.engine, authn, wiring.events, metrics, settings, streams, pumps);

        new AuthApi(wiring.auth, authn, Clock.systemUTC(), settings.maxPayloadBytes()).routes(routes);
        game.routes(routes);
        ServiceApi.create(wiring.engine, settings.serviceToken(), settings.maxPayloadBytes())
                .ifPresent(api -> api.routes(routes));
        VectorApi.create(wiring.engine, wiring.vectors, settings.serviceToken(), settings.maxPayloadBytes())
                .ifPresent(api -> api.routes(routes));
        this.assets = new AssetApi(wiring.engine.assets(), authn, settings.maxPayloadBytes(),
                settings.assets().cleanupInterval());
        assets.routes(routes);
        this.contentSecurityPolicy = SecurityHeaders.policy(wiring.objects.browserOrigins);
        wiring.replicateWebhooks.ifPresent(api -> api.routes(routes));
        new OpsApi(wiring.checks, metrics, wiring.engine.jobs()::draining, wiring.profile, settings.serviceToken().map(ServiceToken::new))
                .detail("embedding", wiring.vectors::health)
                .routes(routes);

        HttpRouting.Builder http = HttpRouting.builder();
        http.addFilter(this::filter);
        new ServedObjects(wiring.objects.served).install(http); // the embedded profile's object store
        routes.install(http);
        http.error(HttpProblem.class, Problems::handle)
                .error(HttpException.class, DmServer::httpException)
                .error(DmException.class, Problems::handle)
                .error(Exception.class, Problems::handle);

        WsRouting.Builder ws = WsRouting.builder().endpoint(SessionSocket.PATH,
                () -> new SessionSocket(wiring.engine, authn, wiring.events, metrics, pumps));

        this.guard = new ConnectionGuard(plan, settings.limits(), metrics);
        this.server = WebServer.builder()
                .host(settings.host())
                .port(settings.port())
                .shutdownHook(false)
                .maxPayloadSize(Math.max(Math.max(settings.maxPayloadBytes() * 4L, 1024 * 1024),
                        wiring.objects.maxServedUpload)) // uploads to the embedded object store
                // HTTP/1.1 and the WebSocket upgrade through the guard only, not Helidon's own selectors
                .protocolsDiscoverServices(false)
                .addProtocol(ConnectionGuard.WEBSOCKET)
                .addConnectionSelector(guard)
                .maxTcpConnections(plan.acceptLimit())
                // Nagle held each turn's first event back until the client (or a proxy) acknowledged the
                // response headers: about 15 ms per streamed turn behind Caddy (EdgeBench)
                .connectionOptions(o -> o.tcpNoDelay(true))
                // the guard times connections out itself; Helidon's idle timer would count a silent WebSocket as idle
                .idleConnectionTimeout(Duration.ofDays(365))
                .idleConnectionPeriod(Duration.ofDays(1))
                .directHandlers(Problems.directHandlers())
                .routing(http)
                .addRouting(ws)
                .addFeature(webGui())
                .build();
    }

    /**
     * The origins whose pages may call the API with the cookies ({@code dm.server.allowed-origins};
     * by default the server's own on localhost), and whose pages S3 buckets let upload.
     */
    static Set<String> allowedOrigins(ServerSettings settings) {
        Set<String> origins = new LinkedHashSet<>(settings.allowedOrigins());
        if (origins.isEmpty()) {
            int port = settings.port() == 0 ? 8080 : settings.port();
            origins.add("http://localhost:" + port);
            origins.add("http://127.0.0.1:" + port);
        }
        return origins;
    }

    /** Whole seconds a refused stream should wait: a stream whose client left is let go within a heartbeat. */
    private static Duration retryAfter(Duration heartbeat) {
        return Duration.ofSeconds(Math.max(1, (heartbeat.toMillis() + 999) / 1000));
    }

    /**
     * What to do if the listener stops while the server has not been asked to (Helidon gives up
     * on a listener whose {@code accept()} fails, e.g. with "Too many open files", and the port
     * is unbound for good). The default only logs; {@link Main} ends the process with status 3
     * so that a supervisor restarts it. An application embedding the server decides for itself.
     */
    public DmServer onListenerStopped(Runnable callback) {
        this.onListenerStopped = callback;
        return this;
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

    /**
     * Every request: its id and client address, the security headers, a 503 for a connection
     * over the limit, the WebSocket upgrade's checks, and one access-log line and count, with
     * 499 (or 408) for a request whose client went away (or was cut off) before it was answered.
     */
    private void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        long start = System.nanoTime();
        String id = req.headers().first(HeaderNames.create(RequestInfo.HEADER)).filter(RequestInfo::acceptable)
                .orElseGet(() -> UUID.randomUUID().toString());
        String ip = clientIps.resolve(req.remotePeer().address(),
                req.headers().all(HeaderNames.X_FORWARDED_FOR, List::of),
                req.headers().first(HeaderNames.create("CF-Connecting-IP")));
        req.context().register(new RequestInfo(id, ip, start));
        res.header(RequestInfo.HEADER, id);
        SecurityHeaders.apply(res::header, contentSecurityPolicy);
        Optional<ConnectionGuard.Guarded> connection = ConnectionGuard.current();
        try {
            if (connection.isPresent() && connection.get().overflow) {
                refuseOverflow(req, res);
            } else if (isSessionSocketUpgrade(req)) {
                upgrade(chain, req, res);
            } else {
                chain.proceed();
            }
        } catch (ServerConnectionException e) { // the socket failed under a write: the client has gone
            if (RequestInfo.abortedStatus(req) < 0) {
                RequestInfo.markAborted(req, 499);
            }
            throw e;
        } finally {
            connection.ifPresent(c -> c.requestEnded(req.content().hasEntity() && !req.content().consumed()));
            int aborted = RequestInfo.abortedStatus(req);
            int status = aborted > 0 ? aborted : res.status().code();
            metrics.request(status);
            ACCESS.info("{} {} {} {} {}ms ip={} id={}", req.prologue().method().text(), req.path().path(),
                    status, res.bytesWritten(), (System.nanoTime() - start) / 1_000_000, ip, id);
        }
    }

    private static boolean isSessionSocketUpgrade(ServerRequest req) {
        return SessionSocket.isUpgrade(req.headers()) && new Routes.Route("GET", SessionSocket.PATH)
                .matches(req.path().path());
    }

    /** Lets a checked upgrade through with its stream place, which goes back unless the socket claimed it. */
    private void upgrade(FilterChain chain, ServerRequest req, ServerResponse res) {
        StreamLimits.Permit permit;
        try {
            permit = admitUpgrade(req);
        } catch (RuntimeException e) {
            Problems.handle(req, res, e);
            return;
        }
        SessionSocket.PENDING.set(permit);
        try {
            chain.proceed();
        } finally {
            SessionSocket.PENDING.remove();
            if (!permit.claimed()) {
                permit.close();
            }
        }
    }

    /**
     * A WebSocket upgrade is checked like a request before Helidon answers it (401, 403, 404,
     * 400 for a bad {@code lastEventId}, 429/503 beyond the stream caps: problem+json, not
     * Helidon's bare 400) and takes its stream place here; the socket claims it once upgraded,
     * and the connection gives it back when it ends if nothing has before.
     */
    private StreamLimits.Permit admitUpgrade(ServerRequest req) {
        SessionSocket.checkHandshake(req.headers());
        SessionSocket.Target target = SessionSocket.authorize(wiring.engine, authn, req.path().path(), req.headers());
        SessionSocket.lastEventId(req.query());
        StreamLimits.Permit permit = streams.acquire(target.player(), target.session());
        ConnectionGuard.current().ifPresent(c -> c.own(permit));
        return permit;
    }

    /** A connection over the limit with no idle one to make way: 503, and the connection closes. */
    private static void refuseOverflow(ServerRequest req, ServerResponse res) {
        res.header(HeaderNames.CONNECTION, "close");
        Problems.handle(req, res, new HttpProblem(503, "unavailable", "Service unavailable",
                "the server is serving as many connections as it can; try again shortly",
                java.util.Map.of("Retry-After", "2"), List.of()));
    }

    public DmServer start() {
        wiring.engine.jobs().start();
        server.start();
        assets.start();
        LOG.info("DM Engine server ({} profile) listening on http://{}:{}", wiring.profile, settings.host(), port());
        logPlan();
        watchdog = new ListenerWatchdog(settings.host(), port(), Duration.ofSeconds(2), this::listenerStopped);
        return this;
    }

    private void logPlan() {
        String files = plan.files().map(f -> "open-file limit " + f.limit() + " (" + f.open() + " open at start-up)")
                .orElse("open-file limit unknown");
        LOG.info("{}: serving at most {} connections at once (dm.server.max-connections {}; {} more are answered 503), "
                        + "at most {} event streams ({} per player, {} per session); timeouts: idle {}, headers {}, body {}",
                files, plan.maxConnections(), settings.limits().maxConnections().isPresent() ? "as configured" : "auto",
                plan.overflow(), plan.maxStreams(), settings.limits().maxStreamsPerPlayer(),
                settings.limits().maxStreamsPerSession(), settings.limits().idleTimeout(),
                settings.limits().headerTimeout(), settings.limits().bodyTimeout());
        plan.warnings().forEach(LOG::warn);
    }

    private void listenerStopped() {
        if (stopped) {
            return;
        }
        LOG.error("the HTTP listener on port {} has stopped (see the log above: Helidon gives up on a listener whose "
                + "accept() fails) and this server can no longer be reached", port());
        onListenerStopped.run();
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
        if (watchdog != null) {
            watchdog.close();
        }
        LOG.info("stopping: draining turns (grace {})", settings.shutdownGrace());
        wiring.engine.jobs().drain(settings.shutdownGrace());
        game.close();
        assets.close();
        try {
            Thread.sleep(300); // let event streams see the close and end their responses
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        server.stop();
        guard.close();
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
