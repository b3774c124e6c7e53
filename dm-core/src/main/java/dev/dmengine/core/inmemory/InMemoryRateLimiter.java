package dev.dmengine.core.inmemory;

import dev.dmengine.spi.infra.RateLimit;
import dev.dmengine.spi.infra.RateLimitDecision;
import dev.dmengine.spi.infra.RateLimiter;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The generic cell rate algorithm (GCRA): one "theoretical arrival time" per key. A call is
 * admitted when it arrives no earlier than {@code TAT - (burst - 1) * interval}; admitting it
 * moves the TAT one emission interval on. Each key is updated atomically, so concurrent
 * callers never get more than the limit. Keys idle long enough to be back at a full burst are
 * forgotten now and then, which changes nothing for them.
 */
public final class InMemoryRateLimiter implements RateLimiter {

    private static final int SWEEP_EVERY = 4_096;

    private final Clock clock;
    private final ConcurrentHashMap<String, Instant> tats = new ConcurrentHashMap<>();
    private final AtomicInteger untilSweep = new AtomicInteger(SWEEP_EVERY);

    public InMemoryRateLimiter(Clock clock) {
        this.clock = Checks.notNull(clock, "clock");
    }

    /** A limiter on the system clock. */
    public InMemoryRateLimiter() {
        this(Clock.systemUTC());
    }

    @Override
    public RateLimitDecision acquire(String key, RateLimit limit) {
        Checks.notNull(key, "key");
        Checks.notNull(limit, "limit");
        Instant now = clock.instant();
        Duration interval = limit.emissionInterval();
        Duration tolerance = interval.multipliedBy(limit.burst() - 1L);
        RateLimitDecision[] decision = new RateLimitDecision[1];
        tats.compute(key, (k, tat) -> {
            Instant start = tat == null || tat.isBefore(now) ? now : tat;
            Instant allowedAt = start.minus(tolerance);
            if (allowedAt.isAfter(now)) {
                decision[0] = new RateLimitDecision(false, 0, Duration.between(now, allowedAt));
                return tat;
            }
            Instant next = start.plus(interval);
            long remaining = Duration.between(next, now.plus(tolerance).plus(interval)).toNanos() / interval.toNanos();
            decision[0] = new RateLimitDecision(true, (int) Math.max(0, remaining), Duration.ZERO);
            return next;
        });
        if (untilSweep.decrementAndGet() <= 0) {
            untilSweep.set(SWEEP_EVERY);
            tats.entrySet().removeIf(e -> !e.getValue().isAfter(now));
        }
        return decision[0];
    }

    @Override
    public void reset(String key) {
        tats.remove(Checks.notNull(key, "key"));
    }
}
