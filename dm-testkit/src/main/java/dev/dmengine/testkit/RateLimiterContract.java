package dev.dmengine.testkit;

import dev.dmengine.spi.Ids;
import dev.dmengine.spi.RateLimitedException;
import dev.dmengine.spi.infra.RateLimit;
import dev.dmengine.spi.infra.RateLimitDecision;
import dev.dmengine.spi.infra.RateLimiter;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * What every {@link RateLimiter} must do (GCRA / token-bucket semantics of {@link RateLimit}).
 *
 * <p>Extend it and build the limiter on the given clock. An adapter that measures time
 * elsewhere (a server's clock) ignores it and overrides {@link #supportsInjectedClock()};
 * the suite then lets real time pass and skips the tests that need exact instants.
 */
public abstract class RateLimiterContract {

    protected MutableClock clock;
    protected RateLimiter limiter;

    protected abstract RateLimiter newLimiter(MutableClock clock);

    /** Whether the limiter reads the clock handed to {@link #newLimiter}. */
    protected boolean supportsInjectedClock() {
        return true;
    }

    @BeforeEach
    void freshLimiter() {
        clock = new MutableClock();
        limiter = newLimiter(clock);
    }

    /** A key no other test (or earlier run against a shared server) has used. */
    protected static String key(String name) {
        return "contract:" + name + ":" + Ids.newId();
    }

    /** Lets {@code d} pass for the limiter. */
    protected void elapse(Duration d) {
        if (supportsInjectedClock()) {
            clock.advance(d);
        } else {
            Await.pass(d);
        }
    }

    private static final RateLimit NO_REFILL_5 = RateLimit.of(5, Duration.ofHours(1));

    @Test
    void burst_is_admitted_then_refused_with_remaining_counting_down() {
        String key = key("burst");
        List<Integer> remaining = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            RateLimitDecision d = limiter.acquire(key, NO_REFILL_5);
            assertThat(d.allowed()).as("call %d", i + 1).isTrue();
            assertThat(d.retryAfter()).isEqualTo(Duration.ZERO);
            remaining.add(d.remaining());
        }
        RateLimitDecision refused = limiter.acquire(key, NO_REFILL_5);

        assertThat(remaining).containsExactly(4, 3, 2, 1, 0);
        assertThat(refused.allowed()).isFalse();
        assertThat(refused.remaining()).isZero();
        assertThat(refused.retryAfter()).isPositive().isLessThanOrEqualTo(NO_REFILL_5.emissionInterval());
    }

    @Test
    void refused_call_is_admitted_once_retry_after_has_passed() {
        RateLimit limit = supportsInjectedClock() ? RateLimit.of(2, Duration.ofSeconds(10))
                : RateLimit.of(2, Duration.ofSeconds(2));
        String key = key("retry-after");
        limiter.acquire(key, limit);
        limiter.acquire(key, limit);
        RateLimitDecision refused = limiter.acquire(key, limit);
        assertThat(refused.allowed()).isFalse();

        elapse(refused.retryAfter());

        if (supportsInjectedClock()) {
            assertThat(limiter.acquire(key, limit).allowed()).isTrue();
            assertThat(limiter.acquire(key, limit).allowed()).isFalse();
        } else {
            Await.until("a permit is admitted again", () -> limiter.acquire(key, limit).allowed());
        }
    }

    @Test
    void first_refusal_waits_exactly_one_emission_interval() {
        assumeTrue(supportsInjectedClock(), "needs an injected clock");
        RateLimit limit = new RateLimit(1, Duration.ofMinutes(1), 3);
        String key = key("interval");
        for (int i = 0; i < 3; i++) {
            assertThat(limiter.acquire(key, limit).allowed()).isTrue();
        }

        RateLimitDecision refused = limiter.acquire(key, limit);

        assertThat(refused.allowed()).isFalse();
        assertThat(refused.retryAfter()).isEqualTo(Duration.ofMinutes(1));
        clock.advance(Duration.ofSeconds(59));
        assertThat(limiter.acquire(key, limit).allowed()).isFalse();
        clock.advance(Duration.ofSeconds(1));
        assertThat(limiter.acquire(key, limit).allowed()).isTrue();
        assertThat(limiter.acquire(key, limit).allowed()).isFalse();
    }

    @Test
    void refusals_do_not_consume_permits() {
        assumeTrue(supportsInjectedClock(), "needs an injected clock");
        RateLimit limit = RateLimit.of(1, Duration.ofSeconds(10));
        String key = key("refusals");
        limiter.acquire(key, limit);
        for (int i = 0; i < 20; i++) {
            assertThat(limiter.acquire(key, limit).allowed()).isFalse();
        }

        clock.advance(Duration.ofSeconds(10));

        assertThat(limiter.acquire(key, limit).allowed()).isTrue();
    }

    @Test
    void steady_rate_is_admitted_indefinitely() {
        assumeTrue(supportsInjectedClock(), "needs an injected clock");
        RateLimit limit = new RateLimit(1, Duration.ofSeconds(1), 1);
        String key = key("steady");
        for (int i = 0; i < 50; i++) {
            assertThat(limiter.acquire(key, limit).allowed()).as("call %d", i).isTrue();
            clock.advance(Duration.ofSeconds(1));
        }
        assertThat(limiter.acquire(key, limit).allowed()).isTrue();
        clock.advance(Duration.ofMillis(500));
        RateLimitDecision early = limiter.acquire(key, limit);
        assertThat(early.allowed()).isFalse();
        assertThat(early.retryAfter()).isEqualTo(Duration.ofMillis(500));
    }

    @Test
    void idle_time_refills_no_more_than_the_burst() {
        assumeTrue(supportsInjectedClock(), "needs an injected clock");
        RateLimit limit = new RateLimit(1, Duration.ofSeconds(1), 3);
        String key = key("idle");
        limiter.acquire(key, limit);

        clock.advance(Duration.ofHours(1));

        int admitted = 0;
        while (limiter.acquire(key, limit).allowed()) {
            admitted++;
            assertThat(admitted).isLessThan(100);
        }
        assertThat(admitted).isEqualTo(3);
    }

    @Test
    void keys_are_limited_independently() {
        RateLimit limit = RateLimit.of(1, Duration.ofHours(1));
        String ann = key("ann");
        String bob = key("bob");

        assertThat(limiter.acquire(ann, limit).allowed()).isTrue();
        assertThat(limiter.acquire(ann, limit).allowed()).isFalse();
        assertThat(limiter.acquire(bob, limit).allowed()).isTrue();
    }

    @Test
    void reset_forgets_the_keys_history() {
        RateLimit limit = RateLimit.of(2, Duration.ofHours(1));
        String key = key("reset");
        String other = key("other");
        limiter.acquire(key, limit);
        limiter.acquire(key, limit);
        limiter.acquire(other, limit);
        limiter.acquire(other, limit);

        limiter.reset(key);

        RateLimitDecision d = limiter.acquire(key, limit);
        assertThat(d.allowed()).isTrue();
        assertThat(d.remaining()).isEqualTo(1);
        assertThat(limiter.acquire(other, limit).allowed()).isFalse();
    }

    @Test
    void check_throws_rate_limited_with_the_retry_delay() {
        RateLimit limit = RateLimit.of(1, Duration.ofHours(1));
        String key = key("check");
        limiter.check(key, limit, "logins");

        assertThatThrownBy(() -> limiter.check(key, limit, "logins"))
                .isInstanceOfSatisfying(RateLimitedException.class, e -> {
                    assertThat(e.retryAfter()).isPositive().isLessThanOrEqualTo(Duration.ofHours(1));
                    assertThat(e.isRetriable()).isTrue();
                })
                .hasMessageContaining("logins");
    }

    @Test
    void concurrent_callers_get_exactly_the_burst() {
        RateLimit limit = RateLimit.of(50, Duration.ofHours(1));
        String key = key("concurrent");

        List<Integer> admitted = Concurrently.run(8, t -> {
            int n = 0;
            for (int i = 0; i < 25; i++) {
                if (limiter.acquire(key, limit).allowed()) {
                    n++;
                }
            }
            return n;
        });

        assertThat(admitted.stream().mapToInt(Integer::intValue).sum()).isEqualTo(50);
        assertThat(limiter.acquire(key, limit).allowed()).isFalse();
    }
}
