package dev.dmengine.testkit;

import dev.dmengine.spi.Ids;
import dev.dmengine.spi.RateLimitedException;
import dev.dmengine.spi.infra.RateLimit;
import dev.dmengine.spi.infra.RateLimitDecision;
import dev.dmengine.spi.infra.RateLimiter;
import dev.dmengine.testkit.RealTime.Timed;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What every {@link RateLimiter} must do (GCRA / token-bucket semantics of {@link RateLimit}).
 *
 * <p>Extend it and build the limiter on the given clock. An adapter that measures time
 * elsewhere (a server's clock) ignores it and overrides {@link #supportsInjectedClock()};
 * the suite then lets real time pass and checks the same exact instants against the local
 * clock's brackets around each call ({@link RealTime}), with shorter intervals.
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

    private static final Duration SLACK = RealTime.SLACK;

    private Timed<RateLimitDecision> timed(String key, RateLimit limit) {
        return RealTime.time(() -> limiter.acquire(key, limit));
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
        if (!supportsInjectedClock()) {
            RealTime.conclusively("the wait of the first refusal", this::firstRefusalWaitsOneIntervalOnRealTime);
            return;
        }
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

    /** The same as with an injected clock: the burst's first call starts the one-interval wait. */
    private boolean firstRefusalWaitsOneIntervalOnRealTime() {
        RateLimit limit = new RateLimit(1, Duration.ofSeconds(2), 3);
        Duration interval = limit.emissionInterval();
        String key = key("interval");
        Timed<RateLimitDecision> first = timed(key, limit);
        assertThat(first.value().allowed()).isTrue();
        assertThat(limiter.acquire(key, limit).allowed()).isTrue();
        assertThat(limiter.acquire(key, limit).allowed()).isTrue();

        Timed<RateLimitDecision> refused = timed(key, limit);
        if (refused.atMostAfter(first).compareTo(interval.minus(SLACK)) >= 0) {
            return false; // the burst took a whole interval: nothing to decide
        }
        assertThat(refused.value().allowed()).isFalse();
        Duration wait = refused.value().retryAfter();
        assertThat(wait).isBetween(interval.minus(refused.atMostAfter(first)).minus(SLACK),
                interval.minus(refused.atLeastAfter(first)).plus(SLACK));

        Timed<RateLimitDecision> early = timed(key, limit);
        if (early.atMostAfter(refused).compareTo(wait.minus(SLACK)) < 0) {
            assertThat(early.value().allowed()).as("a call before the wait is over").isFalse();
            assertThat(early.value().retryAfter()).isBetween(wait.minus(early.atMostAfter(refused)).minus(SLACK),
                    wait.minus(early.atLeastAfter(refused)).plus(SLACK));
        }
        RealTime.passAfter(refused, wait.plus(SLACK));
        Timed<RateLimitDecision> onTime = timed(key, limit);
        assertThat(onTime.value().allowed()).as("a call once the wait is over").isTrue();
        Timed<RateLimitDecision> next = timed(key, limit);
        if (next.atMostAfter(refused).compareTo(wait.plus(interval).minus(SLACK)) < 0) {
            assertThat(next.value().allowed()).as("the call after it, within the next interval").isFalse();
        }
        return true;
    }

    @Test
    void refusals_do_not_consume_permits() {
        if (!supportsInjectedClock()) {
            RealTime.conclusively("that refusals consume nothing", this::refusalsDoNotConsumeOnRealTime);
            return;
        }
        RateLimit limit = RateLimit.of(1, Duration.ofSeconds(10));
        String key = key("refusals");
        limiter.acquire(key, limit);
        for (int i = 0; i < 20; i++) {
            assertThat(limiter.acquire(key, limit).allowed()).isFalse();
        }

        clock.advance(Duration.ofSeconds(10));

        assertThat(limiter.acquire(key, limit).allowed()).isTrue();
    }

    private boolean refusalsDoNotConsumeOnRealTime() {
        RateLimit limit = RateLimit.of(1, Duration.ofSeconds(1));
        Duration interval = limit.emissionInterval();
        String key = key("refusals");
        Timed<RateLimitDecision> first = timed(key, limit);
        assertThat(first.value().allowed()).isTrue();
        for (int i = 0; i < 20; i++) {
            Timed<RateLimitDecision> refused = timed(key, limit);
            if (refused.atMostAfter(first).compareTo(interval.minus(SLACK)) >= 0) {
                return false;
            }
            assertThat(refused.value().allowed()).isFalse();
            // a refusal that took a permit would push the wait past one interval
            assertThat(refused.value().retryAfter()).as("wait of refusal %d", i + 1)
                    .isLessThanOrEqualTo(interval.minus(refused.atLeastAfter(first)).plus(SLACK));
        }

        RealTime.passAfter(first, interval.plus(SLACK));

        assertThat(limiter.acquire(key, limit).allowed()).isTrue();
        return true;
    }

    @Test
    void steady_rate_is_admitted_indefinitely() {
        if (!supportsInjectedClock()) {
            RealTime.conclusively("a steady rate", this::steadyRateIsAdmittedOnRealTime);
            return;
        }
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

    private boolean steadyRateIsAdmittedOnRealTime() {
        RateLimit limit = new RateLimit(10, Duration.ofSeconds(1), 1);
        Duration interval = limit.emissionInterval();
        String key = key("steady");
        Timed<RateLimitDecision> previous = timed(key, limit);
        assertThat(previous.value().allowed()).isTrue();
        for (int i = 0; i < 20; i++) {
            RealTime.passAfter(previous, interval.plus(SLACK));
            previous = timed(key, limit);
            assertThat(previous.value().allowed()).as("call %d, one interval after the last", i + 1).isTrue();
        }
        Timed<RateLimitDecision> early = timed(key, limit);
        if (early.atMostAfter(previous).compareTo(interval.minus(SLACK)) >= 0) {
            return false;
        }
        assertThat(early.value().allowed()).isFalse();
        assertThat(early.value().retryAfter()).isBetween(interval.minus(early.atMostAfter(previous)).minus(SLACK),
                interval.minus(early.atLeastAfter(previous)).plus(SLACK));
        return true;
    }

    @Test
    void idle_time_refills_no_more_than_the_burst() {
        if (!supportsInjectedClock()) {
            RealTime.conclusively("the refill after idle time", this::idleRefillIsCappedOnRealTime);
            return;
        }
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

    private boolean idleRefillIsCappedOnRealTime() {
        RateLimit limit = new RateLimit(5, Duration.ofSeconds(1), 3);
        Duration interval = limit.emissionInterval();
        String key = key("idle");
        Timed<RateLimitDecision> first = timed(key, limit);
        RealTime.passAfter(first, interval.multipliedBy(10)); // idle for ten intervals

        Timed<Integer> admitted = RealTime.time(() -> {
            int n = 0;
            while (limiter.acquire(key, limit).allowed() && n < 100) {
                n++;
            }
            return n;
        });
        if (Duration.ofNanos(admitted.end() - admitted.start()).compareTo(interval.minus(SLACK)) >= 0) {
            return false; // a permit may have been earned while counting
        }
        assertThat(admitted.value()).isEqualTo(3);
        return true;
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
