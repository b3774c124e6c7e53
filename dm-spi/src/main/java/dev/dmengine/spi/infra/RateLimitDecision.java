package dev.dmengine.spi.infra;

import java.time.Duration;
import java.util.Objects;

/**
 * The answer of a rate limiter to one call.
 *
 * @param remaining  calls that would still be admitted right now
 * @param retryAfter when the refused call would be admitted; zero when allowed
 */
public record RateLimitDecision(boolean allowed, int remaining, Duration retryAfter) {

    public RateLimitDecision {
        Objects.requireNonNull(retryAfter, "retryAfter");
    }
}
