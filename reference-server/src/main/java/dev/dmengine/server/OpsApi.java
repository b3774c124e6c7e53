package dev.dmengine.server;

import dev.dmengine.spi.PermissionDeniedException;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** {@code /health} (liveness and readiness), {@code /metrics} (Prometheus text), {@code /openapi}. */
final class OpsApi {

    private final List<Wiring.Check> checks;
    private final Metrics metrics;
    private final BooleanSupplier draining;
    private final String profile;
    private final Optional<ServiceToken> serviceToken;
    private final byte[] openapi;
    private final Map<String, Supplier<Object>> details = new LinkedHashMap<>();

    /**
     * @param serviceToken guards {@code /metrics} when present; without it only a direct client
     *                     on this host may read them
     */
    OpsApi(List<Wiring.Check> checks, Metrics metrics, BooleanSupplier draining, String profile,
           Optional<ServiceToken> serviceToken) {
        this.serviceToken = serviceToken;
        this.checks = List.copyOf(checks);
        this.metrics = metrics;
        this.draining = draining;
        this.profile = profile;
        try (InputStream in = OpsApi.class.getResourceAsStream("/openapi.yaml")) {
            if (in == null) {
                throw new IllegalStateException("openapi.yaml is missing from the classpath");
            }
            this.openapi = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Adds {@code name} to the body of {@code /health} with what {@code detail} says at each request. */
    OpsApi detail(String name, Supplier<Object> detail) {
        details.put(name, detail);
        return this;
    }

    void routes(Routes r) {
        r.get("/health", this::health)
                .get("/health/live", this::live)
                .get("/health/ready", this::ready)
                .get("/metrics", this::metrics)
                .get("/openapi", this::openapi);
    }

    private void live(ServerRequest req, ServerResponse res) {
        Http.json(res, Map.of("status", "UP"));
    }

    private void ready(ServerRequest req, ServerResponse res) {
        Map<String, Object> body = readiness();
        Http.json(res, "UP".equals(body.get("status")) ? Status.OK_200 : Status.SERVICE_UNAVAILABLE_503, body);
    }

    private void health(ServerRequest req, ServerResponse res) {
        ready(req, res);
    }

    private Map<String, Object> readiness() {
        List<Map<String, String>> results = new ArrayList<>();
        boolean up = true;
        for (Wiring.Check c : checks) {
            String problem;
            try {
                problem = c.probe().get();
            } catch (RuntimeException e) {
                problem = e.getClass().getSimpleName() + ": " + e.getMessage();
            }
            Map<String, String> r = new LinkedHashMap<>();
            r.put("name", c.name());
            r.put("status", problem == null ? "UP" : "DOWN");
            if (problem != null) {
                r.put("detail", problem);
                up = false;
            }
            results.add(r);
        }
        if (draining.getAsBoolean()) {
            results.add(Map.of("name", "lifecycle", "status", "DOWN", "detail", "shutting down"));
            up = false;
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", up ? "UP" : "DOWN");
        body.put("profile", profile);
        body.put("checks", results);
        details.forEach((name, detail) -> body.put(name, detail.get()));
        return body;
    }

    private void metrics(ServerRequest req, ServerResponse res) {
        authorizeMetrics(req);
        res.header(HeaderNames.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
        res.send(metrics.prometheus().getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Metrics tell an attacker what the server is doing (load, errors, streams, connections). With
     * {@code dm.service.token} set they need it; without, they answer only a client connected
     * from this host directly. A request relayed by a proxy is refused even when the proxy runs
     * here: it says whom it forwards for, and that is someone elsewhere.
     */
    private void authorizeMetrics(ServerRequest req) {
        if (serviceToken.isPresent()) {
            serviceToken.get().authorize(req.headers());
        } else if (!directFromThisHost(req)) {
            throw new PermissionDeniedException("/metrics answers only a client on this host while dm.service.token is "
                    + "not set; set it and send it as a bearer token to scrape from elsewhere");
        }
    }

    private static boolean directFromThisHost(ServerRequest req) {
        boolean loopback = req.remotePeer().address() instanceof InetSocketAddress a && a.getAddress() != null
                && a.getAddress().isLoopbackAddress();
        return loopback && PROXY_HEADERS.stream().noneMatch(req.headers()::contains);
    }

    private static final List<HeaderName> PROXY_HEADERS = List.of(HeaderNames.X_FORWARDED_FOR,
            HeaderNames.create("Forwarded"), HeaderNames.create("X-Real-IP"), HeaderNames.create("CF-Connecting-IP"));

    private void openapi(ServerRequest req, ServerResponse res) {
        res.header(HeaderNames.CONTENT_TYPE, "application/yaml");
        res.send(openapi);
    }
}
