package dev.dmengine.spi.infra;

import java.time.Duration;
import java.util.Objects;

/**
 * A rate: {@code permits} per {@code period} on average, with bursts of up to {@code burst}
 * calls at once (GCRA / token bucket semantics).
 */
public record RateLimit(int permits, Duration period, int burst) {

    public RateLimit {
        Objects.requireNonNull(period, "period");
        if (permits < 1) {
            throw new IllegalArgumentException("permits must be at least 1, was " + permits);
        }
        if (period.isNegative() || period.isZero()) {
            throw new IllegalArgumentException("period must be positive, was " + period);
        }
        if (burst < 1) {
            throw new IllegalArgumentException("burst must be at least 1, was " + burst);
        }
    }

    /** {@code permits} per period with a burst of the same size. */
    public static RateLimit of(int permits, Duration period) {
        return new RateLimit(permits, period, permits);
    }

    /** The time between two calls at the steady rate. */
    public Duration emissionInterval() {
        return period.dividedBy(permits);
    }
}
