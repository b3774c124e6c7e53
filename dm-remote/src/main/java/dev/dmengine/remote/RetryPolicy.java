package dev.dmengine.remote;

import java.net.http.HttpHeaders;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Whether and when a failed call to a provider is tried again: the one retry policy of every
 * model adapter (see the package documentation for who owns retries).
 *
 * <p>The signals are the official OpenAI clients' ({@code _should_retry} in openai-python,
 * {@code shouldRetry} in openai-node): {@code x-should-retry: true|false} overrides everything;
 * otherwise 408, 409, 429 and 5xx are retried. The wait is the server's when it names one
 * ({@code retry-after-ms}, then {@code Retry-After} as seconds or an HTTP date), else
 * exponential backoff with jitter. Unlike those clients, a server wait longer than
 * {@link #maxServerDelay()} is not replaced by backoff: the call fails at once with the
 * server's wait in the error ({@link dev.dmengine.spi.RateLimitedException#retryAfter()}), so
 * a player's turn never hangs for minutes and the host can pass the wait on.
 *
 * @param maxRetries     retries after the first attempt (0 turns retrying off)
 * @param backoff        the wait when the server names none
 * @param maxServerDelay the longest server-named wait that is honoured by waiting
 */
public record RetryPolicy(int maxRetries, Backoff backoff, Duration maxServerDelay) {

    public RetryPolicy {
        if (maxRetries < 0) {
            throw new IllegalArgumentException("maxRetries must be 0 or more, was " + maxRetries);
        }
        Objects.requireNonNull(backoff, "backoff");
        Objects.requireNonNull(maxServerDelay, "maxServerDelay");
    }

    /** Whether a response with this status and these headers may be retried (openai-python's rule). */
    public static boolean shouldRetry(int status, HttpHeaders headers) {
        Optional<Boolean> server = serverSaysRetry(headers);
        if (server.isPresent()) {
            return server.get();
        }
        return status == 408 || status == 409 || status == 429 || status >= 500;
    }

    /** The server's explicit {@code x-should-retry} verdict, if it gave one. */
    public static Optional<Boolean> serverSaysRetry(HttpHeaders headers) {
        String v = headers.firstValue("x-should-retry").orElse("").trim().toLowerCase(Locale.ROOT);
        return switch (v) {
            case "true" -> Optional.of(true);
            case "false" -> Optional.of(false);
            default -> Optional.empty();
        };
    }

    /**
     * The wait the server asks for: {@code retry-after-ms} (milliseconds, OpenAI's), else
     * {@code Retry-After} as delta-seconds or an HTTP date. Only a positive wait counts.
     */
    public static Optional<Duration> serverDelay(HttpHeaders headers, Clock clock) {
        Optional<Duration> ms = headers.firstValue("retry-after-ms").flatMap(RetryPolicy::parseMillis);
        if (ms.isPresent()) {
            return ms;
        }
        return headers.firstValue("Retry-After").flatMap(v -> parseRetryAfter(v, clock));
    }

    /** A {@code Retry-After} value: delta-seconds (fractions allowed) or an HTTP date; empty unless positive. */
    public static Optional<Duration> parseRetryAfter(String value, Clock clock) {
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        String v = value.trim();
        try {
            return positive(Duration.ofMillis((long) Math.ceil(Double.parseDouble(v) * 1000)));
        } catch (NumberFormatException notSeconds) {
            try {
                ZonedDateTime at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME);
                return positive(Duration.between(clock.instant(), at.toInstant()));
            } catch (RuntimeException notADate) {
                return Optional.empty();
            }
        }
    }

    private static Optional<Duration> parseMillis(String value) {
        try {
            return positive(Duration.ofMillis((long) Math.ceil(Double.parseDouble(value.trim()))));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static Optional<Duration> positive(Duration d) {
        return d.isNegative() || d.isZero() ? Optional.empty() : Optional.of(d);
    }

    /**
     * The wait before retrying after {@code failure} on attempt number {@code attempt} (1 for the
     * first), or empty when the failure is to be reported: not retriable, out of retries, a server
     * wait longer than {@link #maxServerDelay()}, or a wait that would end past the deadline.
     */
    public Optional<Duration> delayBeforeRetry(AttemptFailure failure, int attempt, long deadlineNanos) {
        if (!failure.retriable() || attempt > maxRetries) {
            return Optional.empty();
        }
        Duration wait;
        if (failure.serverDelay().isPresent()) {
            wait = failure.serverDelay().get();
            if (wait.compareTo(maxServerDelay) > 0) {
                return Optional.empty();
            }
        } else {
            wait = backoff.delay(attempt);
        }
        if (System.nanoTime() + wait.toNanos() >= deadlineNanos) {
            return Optional.empty();
        }
        return Optional.of(wait);
    }
}
