package dev.dmengine.core.inmemory;

import dev.dmengine.spi.infra.RateLimiter;
import dev.dmengine.testkit.MutableClock;
import dev.dmengine.testkit.RateLimiterContract;

/** Runs the contract the way a limiter on a server's clock (Redis) does: real time. */
class InMemoryRateLimiterOnSystemClockTest extends RateLimiterContract {

    @Override
    protected RateLimiter newLimiter(MutableClock ignored) {
        return new InMemoryRateLimiter();
    }

    @Override
    protected boolean supportsInjectedClock() {
        return false;
    }
}
