package dev.dmengine.examples.jersey;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import dev.dmengine.spi.ConflictException;
import dev.dmengine.spi.InvalidInputException;
import dev.dmengine.spi.NotFoundException;
import dev.dmengine.spi.PermissionDeniedException;
import dev.dmengine.spi.RateLimitedException;
import dev.dmengine.spi.UnauthenticatedException;
import dev.dmengine.spi.UnavailableException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Every error as an RFC 9457 {@code application/problem+json} body, from one place: the
 * engine's exceptions (dm-spi's hierarchy) by family, JAX-RS's own (unknown route, wrong method
 * or media type, a body over the limit) by their status, unreadable JSON as a 400, anything
 * else as a 500 that is logged and never shows a stack trace.
 */
final class Problems implements ExceptionMapper<Throwable> {

    static final String MEDIA_TYPE = "application/problem+json";
    static final String TYPE_BASE = "https://dmengine.dev/problems/";
    private static final Logger LOG = LoggerFactory.getLogger(Problems.class);

    /** The body. {@code errors} only for invalid input: one entry per field. */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    record Problem(String type, String title, int status, String detail, List<FieldError> errors) {
    }

    record FieldError(String field, String message) {
    }

    @Override
    public Response toResponse(Throwable error) {
        Response.ResponseBuilder response = switch (error) {
            case InvalidInputException e -> problem(400, "invalid-input", "Invalid input", e.getMessage(),
                    e.errors().stream().map(f -> new FieldError(f.field(), f.message())).toList());
            case UnauthenticatedException e -> problem(401, "unauthenticated", "Authentication required", e.getMessage())
                    .header("WWW-Authenticate", DemoLogin.HEADER);
            case PermissionDeniedException e -> problem(403, "permission-denied", "Permission denied", e.getMessage());
            case NotFoundException e -> problem(404, "not-found", "Not found", e.getMessage());
            case ConflictException e -> problem(409, "conflict", "Conflict", e.getMessage());
            case RateLimitedException e -> problem(429, "rate-limited", "Too many requests", e.getMessage())
                    .header("Retry-After", Math.max(1, (e.retryAfter().toMillis() + 999) / 1000));
            case UnavailableException e -> problem(503, "unavailable", "Service unavailable", e.getMessage())
                    .header("Retry-After", 5);
            case JsonMappingException e when !e.getPath().isEmpty() -> problem(400, "invalid-input", "Invalid input",
                    "the body does not match the expected fields", List.of(fieldError(e)));
            case JsonProcessingException e -> problem(400, "malformed-request", "Malformed request",
                    "the body is not valid JSON");
            case WebApplicationException e -> fromJaxRs(e);
            default -> {
                LOG.error("request failed", error);
                yield problem(500, "internal-error", "Internal error", "the server could not complete the request");
            }
        };
        return response.type(MEDIA_TYPE).header("Cache-Control", "no-store").build();
    }

    private static Response.ResponseBuilder problem(int status, String type, String title, String detail) {
        return problem(status, type, title, detail, List.of());
    }

    private static Response.ResponseBuilder problem(int status, String type, String title, String detail,
                                                    List<FieldError> errors) {
        return Response.status(status).entity(new Problem(TYPE_BASE + type, title, status, detail, errors));
    }

    private static FieldError fieldError(JsonMappingException e) {
        String field = e.getPath().stream()
                .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining(".")).replace(".[", "[");
        return new FieldError(field, e instanceof UnrecognizedPropertyException
                ? "is not a field of this body" : "has the wrong type or format");
    }

    private static Response.ResponseBuilder fromJaxRs(WebApplicationException e) {
        Response.StatusType status = e.getResponse().getStatusInfo();
        String type = switch (status.getStatusCode()) {
            case 404 -> "not-found";
            case 405 -> "method-not-allowed";
            case 406 -> "not-acceptable";
            case 413 -> "payload-too-large";
            case 415 -> "unsupported-media-type";
            default -> status.getStatusCode() >= 500 ? "internal-error" : "malformed-request";
        };
        return problem(status.getStatusCode(), type, status.getReasonPhrase(),
                e.getMessage() == null ? status.getReasonPhrase() : e.getMessage());
    }
}
