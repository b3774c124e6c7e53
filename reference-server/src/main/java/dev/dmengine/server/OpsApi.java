package dev.dmengine.server;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/** {@code /health} (liveness and readiness), {@code /metrics} (Prometheus text), {@code /openapi}. */
final class OpsApi {

    private final List<Wiring.Check> checks;
    private final Metrics metrics;
    private final BooleanSupplier draining;
    private final String profile;
    private final byte[] openapi;

    OpsApi(List<Wiring.Check> checks, Metrics metrics, BooleanSupplier draining, String profile) {
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
        return body;
    }

    private void metrics(ServerRequest req, ServerResponse res) {
        res.header(HeaderNames.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
        res.send(metrics.prometheus().getBytes(StandardCharsets.UTF_8));
    }

    private void openapi(ServerRequest req, ServerResponse res) {
        res.header(HeaderNames.CONTENT_TYPE, "application/yaml");
        res.send(openapi);
    }
}
