package dev.dmengine.spi;

import java.time.Duration;
import java.util.Objects;

/** Too many calls for a key; {@link #retryAfter()} says when the next one will be admitted. */
public final class RateLimitedException extends RetriableException {

    private final Duration retryAfter;

    public RateLimitedException(String message, Duration retryAfter) {
        super(message, null);
        this.retryAfter = Objects.requireNonNull(retryAfter, "retryAfter");
    }

    public Duration retryAfter() {
        return retryAfter;
    }
}
