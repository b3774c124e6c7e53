package dev.dmengine.remote;

import dev.dmengine.spi.UnavailableException;
import org.junit.jupiter.api.Test;

import java.net.http.HttpHeaders;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RetryPolicyTest {

    private static final Instant NOW = Instant.parse("2025-06-01T12:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    static HttpHeaders headers(String... nameValues) {
        Map<String, List<String>> map = new java.util.HashMap<>();
        for (int i = 0; i < nameValues.length; i += 2) {
            map.put(nameValues[i], List.of(nameValues[i + 1]));
        }
        return HttpHeaders.of(map, (a, b) -> true);
    }

    @Test
    void retries_what_the_official_openai_clients_retry() {
        HttpHeaders none = headers();

        assertThat(List.of(408, 409, 429, 500, 502, 503, 504)).allMatch(s -> RetryPolicy.shouldRetry(s, none));
        assertThat(List.of(400, 401, 403, 404, 413, 422)).noneMatch(s -> RetryPolicy.shouldRetry(s, none));
    }

    @Test
    void x_should_retry_overrides_the_status_either_way() {
        assertThat(RetryPolicy.shouldRetry(500, headers("x-should-retry", "false"))).isFalse();
        assertThat(RetryPolicy.shouldRetry(429, headers("x-should-retry", "false"))).isFalse();
        assertThat(RetryPolicy.shouldRetry(400, headers("x-should-retry", "true"))).isTrue();
        assertThat(RetryPolicy.shouldRetry(503, headers("x-should-retry", "maybe"))).isTrue();
    }

    @Test
    void retry_after_ms_wins_over_retry_after() {
        assertThat(RetryPolicy.serverDelay(headers("retry-after-ms", "250", "Retry-After", "7"), CLOCK))
                .contains(Duration.ofMillis(250));
    }

    @Test
    void retry_after_is_read_as_seconds_fractions_included() {
        assertThat(RetryPolicy.serverDelay(headers("Retry-After", "2"), CLOCK)).contains(Duration.ofSeconds(2));
        assertThat(RetryPolicy.serverDelay(headers("Retry-After", "1.5"), CLOCK)).contains(Duration.ofMillis(1500));
    }

    @Test
    void retry_after_is_read_as_an_http_date() {
        String at = DateTimeFormatter.RFC_1123_DATE_TIME.format(NOW.plusSeconds(30).atZone(ZoneOffset.UTC));

        assertThat(RetryPolicy.serverDelay(headers("Retry-After", at), CLOCK)).contains(Duration.ofSeconds(30));
    }

    @Test
    void a_wait_that_is_not_positive_or_not_readable_counts_as_none() {
        String past = DateTimeFormatter.RFC_1123_DATE_TIME.format(NOW.minusSeconds(30).atZone(ZoneOffset.UTC));

        assertThat(RetryPolicy.serverDelay(headers("Retry-After", past), CLOCK)).isEmpty();
        assertThat(RetryPolicy.serverDelay(headers("Retry-After", "0"), CLOCK)).isEmpty();
        assertThat(RetryPolicy.serverDelay(headers("Retry-After", "-3"), CLOCK)).isEmpty();
        assertThat(RetryPolicy.serverDelay(headers("Retry-After", "soon"), CLOCK)).isEmpty();
        assertThat(RetryPolicy.serverDelay(headers("retry-after-ms", "abc", "Retry-After", "3"), CLOCK))
                .contains(Duration.ofSeconds(3));
    }

    private static final RetryPolicy POLICY = new RetryPolicy(2, new Backoff(Duration.ofMillis(100),
            Duration.ofMillis(400)), Duration.ofSeconds(10));
    private static final long FAR = System.nanoTime() + Duration.ofHours(1).toNanos();

    @Test
    void a_retriable_failure_waits_the_servers_delay_or_backoff_until_the_retries_run_out() {
        AttemptFailure told = AttemptFailure.of(new UnavailableException("x"), true, true, Duration.ofSeconds(3));
        AttemptFailure plain = AttemptFailure.retriable(new UnavailableException("x"));

        assertThat(POLICY.delayBeforeRetry(told, 1, FAR)).contains(Duration.ofSeconds(3));
        assertThat(POLICY.delayBeforeRetry(plain, 1, FAR)).hasValueSatisfying(d ->
                assertThat(d).isBetween(Duration.ofMillis(50), Duration.ofMillis(100)));
        assertThat(POLICY.delayBeforeRetry(plain, 2, FAR)).hasValueSatisfying(d ->
                assertThat(d).isBetween(Duration.ofMillis(100), Duration.ofMillis(200)));
        assertThat(POLICY.delayBeforeRetry(plain, 3, FAR)).isEmpty();
    }

    @Test
    void a_fatal_failure_a_longer_server_wait_than_allowed_and_a_wait_past_the_deadline_end_the_call() {
        AttemptFailure tooLong = AttemptFailure.of(new UnavailableException("x"), true, true, Duration.ofSeconds(11));
        AttemptFailure fine = AttemptFailure.of(new UnavailableException("x"), true, true, Duration.ofSeconds(5));

        assertThat(POLICY.delayBeforeRetry(AttemptFailure.fatal(new UnavailableException("x")), 1, FAR)).isEmpty();
        assertThat(POLICY.delayBeforeRetry(tooLong, 1, FAR)).isEmpty();
        assertThat(POLICY.delayBeforeRetry(fine, 1, System.nanoTime() + Duration.ofSeconds(4).toNanos())).isEmpty();
    }

    @Test
    void settings_are_checked() {
        assertThatThrownBy(() -> new RetryPolicy(-1, new Backoff(Duration.ofMillis(1), Duration.ofMillis(1)),
                Duration.ofSeconds(1))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxRetries");
    }
}
