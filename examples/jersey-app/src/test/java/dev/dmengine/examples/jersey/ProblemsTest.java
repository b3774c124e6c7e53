package dev.dmengine.examples.jersey;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dmengine.spi.ConflictException;
import dev.dmengine.spi.InvalidInputException;
import dev.dmengine.spi.NotFoundException;
import dev.dmengine.spi.PermissionDeniedException;
import dev.dmengine.spi.RateLimitedException;
import dev.dmengine.spi.UnauthenticatedException;
import dev.dmengine.spi.UnavailableException;
import jakarta.ws.rs.NotAllowedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Each exception family becomes one status and one problem type; nothing internal leaks. */
class ProblemsTest {

    private final Problems problems = new Problems();

    private Problems.Problem body(Response r) {
        assertThat(r.getMediaType().toString()).isEqualTo("application/problem+json");
        Problems.Problem p = (Problems.Problem) r.getEntity();
        assertThat(p.status()).isEqualTo(r.getStatus());
        return p;
    }

    @Test
    void each_engine_family_has_its_status_and_type() {
        record Case(RuntimeException error, int status, String type) {
        }
        List<Case> cases = List.of(
                new Case(new InvalidInputException("text", "must not be empty"), 400, "invalid-input"),
                new Case(new UnauthenticatedException("who are you"), 401, "unauthenticated"),
                new Case(new PermissionDeniedException("no"), 403, "permission-denied"),
                new Case(new NotFoundException("session", "42"), 404, "not-found"),
                new Case(new ConflictException("a turn is already in progress"), 409, "conflict"),
                new Case(new RateLimitedException("slow down", Duration.ofMillis(1500)), 429, "rate-limited"),
                new Case(new UnavailableException("the model is down"), 503, "unavailable"));

        for (Case c : cases) {
            Response r = problems.toResponse(c.error());
            assertThat(r.getStatus()).as(c.type()).isEqualTo(c.status());
            assertThat(body(r).type()).isEqualTo("https://dmengine.dev/problems/" + c.type());
            assertThat(body(r).detail()).isEqualTo(c.error().getMessage());
        }
    }

    @Test
    void invalid_input_lists_each_field() {
        Response r = problems.toResponse(new InvalidInputException(List.of(
                new InvalidInputException.FieldError("name", "must not be empty"),
                new InvalidInputException.FieldError("level", "must be 1 to 20, was 30"))));

        assertThat(body(r).errors()).containsExactly(new Problems.FieldError("name", "must not be empty"),
                new Problems.FieldError("level", "must be 1 to 20, was 30"));
    }

    @Test
    void rate_limited_says_when_to_retry_in_whole_seconds_rounded_up() {
        Response r = problems.toResponse(new RateLimitedException("slow down", Duration.ofMillis(1500)));

        assertThat(r.getHeaderString("Retry-After")).isEqualTo("2");
    }

    private static Exception readingFails(String json) {
        try {
            new ObjectMapper().readValue(json, Api.Turn.class);
            throw new AssertionError("read " + json);
        } catch (JsonProcessingException e) {
            return e;
        }
    }

    @Test
    void unreadable_json_is_a_400_and_an_unknown_field_is_named() {
        Response syntax = problems.toResponse(readingFails("{\"text\": "));
        Response unknown = problems.toResponse(readingFails("{\"txt\": \"I open the door\"}"));

        assertThat(syntax.getStatus()).isEqualTo(400);
        assertThat(body(syntax).type()).endsWith("/malformed-request");
        assertThat(unknown.getStatus()).isEqualTo(400);
        assertThat(body(unknown).errors()).containsExactly(new Problems.FieldError("txt", "is not a field of this body"));
        assertThat(body(unknown).detail()).doesNotContain("dev.dmengine");
    }

    @Test
    void jax_rs_errors_keep_their_status() {
        Response methodNotAllowed = problems.toResponse(new NotAllowedException("GET"));
        Response tooLarge = problems.toResponse(new WebApplicationException("the body is larger than 65536 bytes", 413));

        assertThat(methodNotAllowed.getStatus()).isEqualTo(405);
        assertThat(body(methodNotAllowed).type()).endsWith("/method-not-allowed");
        assertThat(tooLarge.getStatus()).isEqualTo(413);
        assertThat(body(tooLarge).detail()).isEqualTo("the body is larger than 65536 bytes");
    }

    @Test
    void anything_else_is_a_500_that_shows_nothing_of_the_cause() {
        Response r = problems.toResponse(new IllegalStateException("secret table name in a stack"));

        assertThat(r.getStatus()).isEqualTo(500);
        assertThat(body(r).detail()).isEqualTo("the server could not complete the request");
    }
}
