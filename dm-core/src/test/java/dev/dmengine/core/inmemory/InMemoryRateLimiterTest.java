package dev.dmengine.core.inmemory;

import dev.dmengine.spi.infra.RateLimit;
import dev.dmengine.spi.infra.RateLimiter;
import dev.dmengine.testkit.MutableClock;
import dev.dmengine.testkit.RateLimiterContract;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class InMemoryRateLimiterTest extends RateLimiterContract {

    @Override
    protected RateLimiter newLimiter(MutableClock clock) {
        return new InMemoryRateLimiter(clock);
    }

    @Test
    void sub_millisecond_intervals_are_exact() {
        RateLimit limit = new RateLimit(3_000, Duration.ofSeconds(1), 1); // one per 333,333 ns
        String key = key("fine");

        assertThat(limiter.acquire(key, limit).allowed()).isTrue();
        assertThat(limiter.acquire(key, limit).retryAfter()).isEqualTo(Duration.ofNanos(333_333));
        clock.advance(Duration.ofNanos(333_333));
        assertThat(limiter.acquire(key, limit).allowed()).isTrue();
    }

    @Test
    void many_idle_keys_do_not_change_decisions_for_busy_ones() {
        RateLimit limit = RateLimit.of(1, Duration.ofHours(1));
        String busy = key("busy");
        limiter.acquire(busy, limit);
        for (int i = 0; i < 10_000; i++) { // enough calls to trigger the sweep of idle keys
            limiter.acquire(key("idle-" + i), RateLimit.of(1, Duration.ofMillis(1)));
            clock.advance(Duration.ofMillis(1));
        }

        assertThat(limiter.acquire(busy, limit).allowed()).isFalse();
    }
}
