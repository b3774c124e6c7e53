package dev.dmengine.core.inmemory;

import dev.dmengine.spi.infra.Cache;
import dev.dmengine.testkit.CacheContract;
import dev.dmengine.testkit.MutableClock;

/** Runs the contract the way a cache on a server's clock (Redis) does: real time, short TTLs. */
class InMemoryCacheOnSystemClockTest extends CacheContract {

    @Override
    protected Cache newCache(MutableClock ignored) {
        return new InMemoryCache();
    }

    @Override
    protected boolean supportsInjectedClock() {
        return false;
    }
}
