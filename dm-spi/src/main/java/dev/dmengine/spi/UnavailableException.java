package dev.dmengine.spi;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * A dependency is down, timed out or overloaded; the same call may succeed later. When the
 * thrower knows when that is likely (e.g. a full work queue that drains at a known rate),
 * {@link #retryAfter()} says so, for a {@code Retry-After} header.
 */
public final class UnavailableException extends RetriableException {

    private final Duration retryAfter;

    public UnavailableException(String message) {
        super(message, null);
        this.retryAfter = null;
    }

    public UnavailableException(String message, Throwable cause) {
        super(message, cause);
        this.retryAfter = null;
    }

    /** @param retryAfter when the call is likely to succeed again; positive */
    public UnavailableException(String message, Duration retryAfter) {
        super(message, null);
        Objects.requireNonNull(retryAfter, "retryAfter");
        if (retryAfter.isNegative() || retryAfter.isZero()) {
            throw new IllegalArgumentException("retryAfter must be positive, was " + retryAfter);
        }
        this.retryAfter = retryAfter;
    }

    /** When to try again, if the thrower knows. */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }
}
