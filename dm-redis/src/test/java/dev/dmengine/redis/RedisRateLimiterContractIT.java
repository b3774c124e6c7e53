package dev.dmengine.redis;

import dev.dmengine.spi.infra.RateLimiter;
import dev.dmengine.testkit.MutableClock;
import dev.dmengine.testkit.RateLimiterContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;

/** The contract on Redis's clock: real time, exact instants checked against bracketed local time. */
class RedisRateLimiterContractIT extends RateLimiterContract {

    private static final String PREFIX = RedisTest.randomPrefix("limiter-contract");
    private RedisAdapters redis;

    @Override
    protected RateLimiter newLimiter(MutableClock ignored) {
        redis = RedisTest.builder(PREFIX).build();
        return redis.rateLimiter();
    }

    @Override
    protected boolean supportsInjectedClock() {
        return false;
    }

    @AfterEach
    void closeAdapters() {
        redis.close();
    }

    @AfterAll
    static void deleteKeys() {
        RedisTest.deleteKeys(PREFIX);
    }
}
