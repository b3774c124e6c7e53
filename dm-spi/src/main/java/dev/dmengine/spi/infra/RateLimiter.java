package dev.dmengine.spi.infra;

import dev.dmengine.spi.RateLimitedException;

/** Admits or refuses calls per key at a {@link RateLimit}. Thread-safe. */
public interface RateLimiter {

    /** Takes one permit for the key if the limit allows it. */
    RateLimitDecision acquire(String key, RateLimit limit);

    /** Takes one permit or throws {@link RateLimitedException} carrying the retry delay. */
    default void check(String key, RateLimit limit, String what) {
        RateLimitDecision d = acquire(key, limit);
        if (!d.allowed()) {
            long seconds = Math.max(1, (d.retryAfter().toMillis() + 999) / 1000);
            throw new RateLimitedException("too many " + what + "; try again in " + seconds + " s", d.retryAfter());
        }
    }

    /** Forgets the key's history (e.g. after a successful login). */
    void reset(String key);
}
