package dev.dmengine.remote;

import dev.dmengine.spi.InvalidInputException;
import dev.dmengine.spi.NotFoundException;
import dev.dmengine.spi.PermissionDeniedException;
import dev.dmengine.spi.RateLimitedException;
import dev.dmengine.spi.UnavailableException;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ConnectException;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

import static dev.dmengine.remote.RetryPolicyTest.headers;
import static org.assertj.core.api.Assertions.assertThat;

class ExceptionMapperTest {

    private static final String KEY = "sk-proj-0123456789abcdefghij";
    private static final Operation CHAT = Operation.of("chat completion", "model", "gpt-4o-mini");
    private final ExceptionMapper mapper = new ExceptionMapper(Provider.named("model server", "API key")
            .withDelayHint(body -> body.contains("in 3 seconds") ? Optional.of(Duration.ofSeconds(3)) : Optional.empty()),
            KEY, Clock.systemUTC());

    @Test
    void a_429_is_rate_limited_with_the_servers_wait_neutral_for_the_breaker_and_retried() {
        AttemptFailure f = mapper.failure(CHAT, 429, headers("retry-after-ms", "1500"), "slow down");

        assertThat(f.error()).isInstanceOf(RateLimitedException.class).hasMessageContaining("HTTP 429: slow down");
        assertThat(((RateLimitedException) f.error()).retryAfter()).isEqualTo(Duration.ofMillis(1500));
        assertThat(f.retriable()).isTrue();
        assertThat(f.providerFault()).isFalse();
        assertThat(f.serverDelay()).contains(Duration.ofMillis(1500));
    }

    @Test
    void a_wait_hinted_in_the_body_counts_when_no_header_names_one() {
        AttemptFailure f = mapper.failure(CHAT, 429, headers(), "Expected available in 3 seconds");

        assertThat(((RateLimitedException) f.error()).retryAfter()).isEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void server_errors_and_a_providers_conflict_are_unavailable_and_retried() {
        AttemptFailure s503 = mapper.failure(CHAT, 503, headers(), "overloaded");
        AttemptFailure s409 = mapper.failure(CHAT, 409, headers(), "lock timeout");

        assertThat(s503.error()).isInstanceOf(UnavailableException.class);
        assertThat(s503.retriable()).isTrue();
        assertThat(s503.providerFault()).isTrue();
        assertThat(s409.error()).isInstanceOf(UnavailableException.class).hasMessageContaining("409");
        assertThat(s409.retriable()).isTrue();
        assertThat(s409.providerFault()).isFalse();
    }

    @Test
    void x_should_retry_false_stops_the_retry_of_a_server_error() {
        AttemptFailure f = mapper.failure(CHAT, 500, headers("x-should-retry", "false"), "");

        assertThat(f.error()).isInstanceOf(UnavailableException.class);
        assertThat(f.retriable()).isFalse();
    }

    @Test
    void x_should_retry_true_makes_a_client_error_a_retried_outage() {
        AttemptFailure f = mapper.failure(CHAT, 400, headers("x-should-retry", "true"), "try again");

        assertThat(f.error()).isInstanceOf(UnavailableException.class);
        assertThat(f.retriable()).isTrue();
    }

    @Test
    void a_refused_key_a_missing_model_and_a_bad_request_are_named_and_not_retried() {
        AttemptFailure s401 = mapper.failure(CHAT, 401, headers(), "Incorrect API key provided: " + KEY);
        AttemptFailure s404 = mapper.failure(CHAT, 404, headers(), "no such model");
        AttemptFailure s400 = mapper.failure(CHAT, 400, headers(), "messages must not be empty");

        assertThat(s401.error()).isInstanceOf(PermissionDeniedException.class).hasMessageContaining("check the API key")
                .hasMessageNotContaining(KEY).hasMessageNotContaining(KEY.substring(0, 8));
        assertThat(s404.error()).isInstanceOf(NotFoundException.class).hasMessageContaining("gpt-4o-mini");
        assertThat(s400.error()).isInstanceOf(InvalidInputException.class).hasMessageContaining("messages must not be empty");
        assertThat(((InvalidInputException) s400.error()).errors().getFirst().field()).isEqualTo("request");
        assertThat(java.util.List.of(s401, s404, s400)).noneMatch(AttemptFailure::retriable);
    }

    @Test
    void an_unreachable_server_is_named_for_players_without_its_address_and_retries_only_when_the_caller_says_so() {
        IOException refused = new ConnectException("Connection refused to api.example.com/10.0.0.7");

        // the message reaches players: the address and the exception's class stay in the cause, for the log
        assertThat(mapper.unreachable(refused, true).error()).hasMessageStartingWith("model server could not be reached")
                .hasMessageNotContaining("api.example.com").hasMessageNotContaining("10.0.0.7")
                .hasMessageNotContaining("ConnectException").hasCause(refused);
        assertThat(mapper.unreachable(refused, true).retriable()).isTrue();
        assertThat(mapper.unreachable(refused, false).retriable()).isFalse();
    }
}
