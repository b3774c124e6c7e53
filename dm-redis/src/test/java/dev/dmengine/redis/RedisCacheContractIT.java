package dev.dmengine.redis;

import dev.dmengine.spi.infra.Cache;
import dev.dmengine.testkit.CacheContract;
import dev.dmengine.testkit.MutableClock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;

/** The contract on Redis's clock: real TTLs, exact instants checked against bracketed local time. */
class RedisCacheContractIT extends CacheContract {

    private static final String PREFIX = RedisTest.randomPrefix("cache-contract");
    private RedisAdapters redis;

    @Override
    protected Cache newCache(MutableClock ignored) {
        redis = RedisTest.builder(PREFIX).build();
        return redis.cache();
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
