package dev.dmengine.remote;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * Counts consecutive failures of a provider; after {@code threshold} of them it opens for
 * {@code coolDown}, during which {@link #tryAcquire()} refuses. After the cool-down one trial call
 * is let through (half-open): its success closes the breaker, its failure opens it again.
 */
public final class CircuitBreaker {

    private final int threshold;
    private final Duration coolDown;
    private final Clock clock;
    private int consecutiveFailures;
    private Instant openUntil;
    private boolean trialInFlight;

    public CircuitBreaker(int threshold, Duration coolDown, Clock clock) {
        if (threshold < 1) {
            throw new IllegalArgumentException("circuit-breaker threshold must be at least 1, was " + threshold);
        }
        this.threshold = threshold;
        this.coolDown = Objects.requireNonNull(coolDown, "coolDown");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Whether a call may go out now. */
    public synchronized boolean tryAcquire() {
        if (openUntil == null) {
            return true;
        }
        if (clock.instant().isBefore(openUntil) || trialInFlight) {
            return false;
        }
        trialInFlight = true;
        return true;
    }

    /** When the breaker lets the next trial through (for messages); null when closed. */
    public synchronized Instant openUntil() {
        return openUntil;
    }

    public synchronized void onSuccess() {
        consecutiveFailures = 0;
        openUntil = null;
        trialInFlight = false;
    }

    public synchronized void onFailure() {
        consecutiveFailures++;
        if (trialInFlight || consecutiveFailures >= threshold) {
            openUntil = clock.instant().plus(coolDown);
        }
        trialInFlight = false;
    }

    /** A call that ended without telling anything about the provider's health (e.g. cancelled). */
    public synchronized void onNeutral() {
        trialInFlight = false;
    }
}
