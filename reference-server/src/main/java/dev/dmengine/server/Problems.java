package dev.dmengine.server;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dmengine.spi.ConflictException;
import dev.dmengine.spi.DmException;
import dev.dmengine.spi.IdempotencyKeyReusedException;
import dev.dmengine.spi.InvalidInputException;
import dev.dmengine.spi.NotFoundException;
import dev.dmengine.spi.PermissionDeniedException;
import dev.dmengine.spi.RateLimitedException;
import dev.dmengine.spi.UnauthenticatedException;
import dev.dmengine.spi.UnavailableException;
import io.helidon.common.buffers.DataReader;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Turns every failure into an RFC 9457 {@code application/problem+json} answer with a stable
 * type URI per family ({@value #BASE}{@code not-found}, …). Never a stack trace: unexpected
 * exceptions are logged with the request id and answered as {@code internal-error}.
 */
final class Problems {

    static final String BASE = "https://dmengine.dev/problems/";
    static final String MEDIA_TYPE = "application/problem+json";
    private static final Logger LOG = LoggerFactory.getLogger(Problems.class);

    private Problems() {
    }

    /** Registered once per exception family on the routing. */
    static void handle(ServerRequest req, ServerResponse res, Throwable error) {
        if (res.isSent()) { // a stream already started: nothing left to answer
            LOG.debug("error after the response was sent ({}): {}", RequestInfo.id(req), error.toString());
            return;
        }
        if (error instanceof DataReader.InsufficientDataAvailableException) { // the client's end closed early
            RequestInfo.markAborted(req, 499);
            LOG.debug("request {}: the client went away ({})", RequestInfo.id(req), error.toString());
            send(req, res, new Problem(400, "malformed-request", "Malformed request",
                    "the request ended before its body did", Map.of(), List.of()));
            return;
        }
        Problem p = describe(error);
        if (p.status == 500) {
            LOG.error("request {} {} {} failed", RequestInfo.id(req), req.prologue().method().text(),
                    req.path().path(), error);
        } else if (p.status >= 500 && !(error instanceof HttpProblem)) { // our own 503s are answers, counted in /metrics
            // the detail says it in the client's words; the cause is the operator's
            LOG.warn("request {} {} {}: {}{}", RequestInfo.id(req), req.prologue().method().text(), req.path().path(),
                    error.getMessage(), rootCause(error));
        }
        send(req, res, p);
    }

    private static String rootCause(Throwable error) {
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == error ? "" : " (cause: " + root + ")";
    }

    record Problem(int status, String type, String title, String detail, Map<String, String> headers,
                   List<Map<String, String>> errors) {
    }

    static Problem describe(Throwable error) {
        return switch (error) {
            case HttpProblem h -> new Problem(h.status, h.type, h.title, h.getMessage(), h.headers, h.errors);
            case InvalidInputException e -> new Problem(400, "invalid-input", "Invalid input", e.getMessage(), Map.of(),
                    e.errors().stream().map(f -> Map.of("field", f.field(), "message", f.message())).toList());
            case NotFoundException e -> new Problem(404, "not-found", "Not found", e.getMessage(), Map.of(), List.of());
            case IdempotencyKeyReusedException e -> new Problem(422, "idempotency-key-reused",
                    "Idempotency key reused", e.getMessage(), Map.of(), List.of());
            case ConflictException e -> new Problem(409, "conflict", "Conflict", e.getMessage(), Map.of(), List.of());
            case UnauthenticatedException e -> new Problem(401, "unauthenticated", "Authentication required",
                    e.getMessage(), Map.of("WWW-Authenticate", "Bearer realm=\"dm-engine\""), List.of());
            case PermissionDeniedException e -> new Problem(403, "permission-denied", "Permission denied",
                    e.getMessage(), Map.of(), List.of());
            case RateLimitedException e -> new Problem(429, "rate-limited", "Too many requests", e.getMessage(),
                    Map.of("Retry-After", Long.toString(Math.max(1, (e.retryAfter().toMillis() + 999) / 1000))),
                    List.of());
            case UnavailableException e -> new Problem(503, "unavailable", "Service unavailable", e.getMessage(),
                    Map.of("Retry-After", e.retryAfter().map(Problems::seconds).orElse("5")), List.of());
            case DmException e -> new Problem(500, "internal-error", "Internal error",
                    "the server could not complete the request", Map.of(), List.of());
            default -> new Problem(500, "internal-error", "Internal error",
                    "the server could not complete the request", Map.of(), List.of());
        };
    }

    /** A {@code Retry-After} value: whole seconds, rounded up, at least 1. */
    static String seconds(java.time.Duration d) {
        return Long.toString(Math.max(1, (d.toMillis() + 999) / 1000));
    }

    /**
     * Errors Helidon answers before routing (an unparseable request line or header, a body
     * over the listener's limit): the same problem+json shape, with a generated request id.
     */
    static io.helidon.webserver.http.DirectHandlers directHandlers() {
        var b = io.helidon.webserver.http.DirectHandlers.builder();
        for (io.helidon.http.DirectHandler.EventType type : io.helidon.http.DirectHandler.EventType.values()) {
            b.addHandler(type, (request, event, status, headers, message) -> {
                int code = status.code();
                String family = switch (code) {
                    case 400 -> "malformed-request";
                    case 403 -> "permission-denied";
                    case 404 -> "not-found";
                    case 413 -> "payload-too-large";
                    default -> code >= 500 ? "internal-error" : "malformed-request";
                };
                ObjectNode body = Http.MAPPER.createObjectNode();
                body.put("type", BASE + family);
                body.put("title", status.reasonPhrase());
                body.put("status", code);
                body.put("detail", code >= 500 ? "the server could not complete the request"
                        : "the request could not be read as HTTP");
                body.put("requestId", java.util.UUID.randomUUID().toString());
                var response = io.helidon.http.DirectHandler.TransportResponse.builder()
                        .status(status)
                        .headers(headers);
                SecurityHeaders.apply((name, value) -> response.header(HeaderNames.create(name), value));
                return response
                        .header(HeaderNames.CONTENT_TYPE, MEDIA_TYPE)
                        .header(HeaderNames.create(RequestInfo.HEADER), body.get("requestId").asText())
                        .keepAlive(event.keepAlive())
                        .entity(body.toString())
                        .build();
            });
        }
        return b.build();
    }

    static void send(ServerRequest req, ServerResponse res, Problem p) {
        ObjectNode body = Http.MAPPER.createObjectNode();
        body.put("type", BASE + p.type);
        body.put("title", p.title);
        body.put("status", p.status);
        body.put("detail", p.detail);
        body.put("instance", req.path().path());
        body.put("requestId", RequestInfo.id(req));
        if (!p.errors.isEmpty()) {
            ArrayNode errors = body.putArray("errors");
            p.errors.forEach(e -> errors.addObject().put("field", e.get("field")).put("message", e.get("message")));
        }
        res.status(p.status);
        p.headers.forEach(res::header);
        if (req.content().hasEntity() && !req.content().consumed()) {
            // refused before its body was read: closing beats reading a body nobody wants (or waiting for it)
            res.header(HeaderNames.CONNECTION, "close");
        }
        res.header(HeaderNames.CONTENT_TYPE, MEDIA_TYPE);
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        res.send(body.toString().getBytes(StandardCharsets.UTF_8));
    }
}
