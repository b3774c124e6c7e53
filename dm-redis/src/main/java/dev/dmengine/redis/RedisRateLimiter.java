package dev.dmengine.redis;

import dev.dmengine.redis.internal.Checks;
import dev.dmengine.redis.internal.LuaScript;
import dev.dmengine.redis.internal.RedisCall;
import dev.dmengine.spi.UnavailableException;
import dev.dmengine.spi.infra.RateLimit;
import dev.dmengine.spi.infra.RateLimitDecision;
import dev.dmengine.spi.infra.RateLimiter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@link RateLimiter} shared by every instance: GCRA in one Lua script (the semantics of the
 * in-memory limiter), on the Redis server's clock ({@code TIME}), one key
 * {@code <prefix>rl:<key>} per limit key holding its theoretical arrival time in microseconds.
 * The key expires when that time passes (an idle key is back at a full burst, the same as no
 * key), so keys never pile up. The emission interval is rounded up to a whole microsecond.
 *
 * <p><b>When Redis is unreachable</b> the limiter fails <em>closed</em>: {@link #acquire} throws
 * {@link UnavailableException} (the host answers 503, not 429: the caller did nothing wrong).
 * Keys starting with a prefix given to {@link RedisAdapters.Builder#failOpen} fail
 * <em>open</em> instead: the call is admitted ({@code remaining} 0, since it is unknown), and a
 * warning is logged at most once a minute. Closed suits limits that guard against abuse (login
 * attempts: an outage must not open the door to guessing); open suits limits that protect
 * capacity (turns: an outage of the limiter should not stop the game). {@link #reset} of a
 * fail-open key is best effort too; of any other key it throws.
 */
public final class RedisRateLimiter implements RateLimiter {

    /** The longest limit key accepted, in characters. */
    public static final int MAX_KEY_CHARS = 1_024;

    private static final Logger LOG = LoggerFactory.getLogger(RedisRateLimiter.class);
    private static final LuaScript GCRA = LuaScript.load("gcra");
    private static final long WARN_EVERY_NANOS = Duration.ofMinutes(1).toNanos();

    private final RedisCall redis;
    private final String prefix;
    private final List<String> failOpenPrefixes;
    private final AtomicLong lastWarning = new AtomicLong(System.nanoTime() - WARN_EVERY_NANOS);

    RedisRateLimiter(RedisCall redis, String keyPrefix, List<String> failOpenPrefixes) {
        this.redis = Checks.notNull(redis, "redis");
        this.prefix = Checks.notNull(keyPrefix, "keyPrefix") + "rl:";
        this.failOpenPrefixes = List.copyOf(failOpenPrefixes);
    }

    @Override
    public RateLimitDecision acquire(String key, RateLimit limit) {
        String k = Checks.text(key, "key", MAX_KEY_CHARS);
        Checks.notNull(limit, "limit");
        List<String> args = List.of(Long.toString(intervalMicros(limit)), Integer.toString(limit.burst()));
        try {
            List<?> reply = (List<?>) redis.script("check a rate limit", GCRA, List.of(prefix + k), args);
            boolean allowed = ((Long) reply.get(0)) == 1L;
            int remaining = (int) Math.min(Integer.MAX_VALUE, (Long) reply.get(1));
            Duration retryAfter = Duration.ofNanos(Math.multiplyExact(Long.parseLong((String) reply.get(2)), 1_000L));
            return new RateLimitDecision(allowed, remaining, retryAfter);
        } catch (UnavailableException e) {
            if (!failsOpen(k)) {
                throw e;
            }
            warn("admitting calls for {}… without limit while Redis is unavailable: {}", k, e);
            return new RateLimitDecision(true, 0, Duration.ZERO);
        }
    }

    @Override
    public void reset(String key) {
        String k = Checks.text(key, "key", MAX_KEY_CHARS);
        try {
            redis.run("reset a rate limit", c -> c.del(prefix + k));
        } catch (UnavailableException e) {
            if (!failsOpen(k)) {
                throw e;
            }
            warn("could not reset the rate limit of {}… while Redis is unavailable: {}", k, e);
        }
    }

    /** Whether calls for this key are admitted while Redis is unreachable. */
    public boolean failsOpen(String key) {
        for (String p : failOpenPrefixes) {
            if (key.startsWith(p)) {
                return true;
            }
        }
        return false;
    }

    private static long intervalMicros(RateLimit limit) {
        Duration interval = limit.emissionInterval();
        long micros = Math.multiplyExact(interval.getSeconds(), 1_000_000L) + (interval.getNano() + 999) / 1_000;
        return Math.max(1, micros);
    }

    private void warn(String message, String key, UnavailableException e) {
        long now = System.nanoTime();
        long last = lastWarning.get();
        if (now - last >= WARN_EVERY_NANOS && lastWarning.compareAndSet(last, now)) {
            // the key may name a player or an address: only its family (up to the first ':') is logged
            int colon = key.indexOf(':');
            LOG.warn(message, colon < 0 ? "" : key.substring(0, colon + 1), e.getMessage());
        }
    }
}
