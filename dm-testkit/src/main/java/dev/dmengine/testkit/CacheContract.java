package dev.dmengine.testkit;

import dev.dmengine.spi.Ids;
import dev.dmengine.spi.InvalidInputException;
import dev.dmengine.spi.infra.Cache;
import dev.dmengine.testkit.RealTime.Timed;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What every {@link Cache} must do. Extend it and build the cache on the given clock; an
 * adapter whose expiry runs on a server's clock overrides {@link #supportsInjectedClock()}
 * and the suite uses short real TTLs with bounded polling instead, and checks instants against
 * the local clock's brackets around each call ({@link RealTime}).
 */
public abstract class CacheContract {

    protected static final Duration LONG = Duration.ofHours(1);

    protected MutableClock clock;
    protected Cache cache;

    protected abstract Cache newCache(MutableClock clock);

    protected boolean supportsInjectedClock() {
        return true;
    }

    @BeforeEach
    void freshCache() {
        clock = new MutableClock();
        cache = newCache(clock);
    }

    protected static String key(String name) {
        return "contract:" + name + ":" + Ids.newId();
    }

    /** A TTL that expires soon: any length with an injected clock, a short real one otherwise. */
    protected Duration shortTtl() {
        return supportsInjectedClock() ? Duration.ofSeconds(30) : Duration.ofMillis(300);
    }

    /** Lets the short TTL run out, then waits until the cache agrees the key is gone. */
    protected void expire(String key) {
        if (supportsInjectedClock()) {
            clock.advance(shortTtl().plusMillis(1));
        } else {
            Await.pass(shortTtl());
            Await.until(key + " expires", () -> cache.get(key).isEmpty());
        }
    }

    /** Lets more than the short TTL pass (a little more on real time), without waiting for any key. */
    protected void letShortTtlPass() {
        if (supportsInjectedClock()) {
            clock.advance(shortTtl().plusMillis(1));
        } else {
            Await.pass(shortTtl().plus(RealTime.SLACK.multipliedBy(10)));
        }
    }

    @Test
    void put_then_get_returns_the_value() {
        String key = key("put");
        cache.put(key, "{\"v\":1}", LONG);

        assertThat(cache.get(key)).contains("{\"v\":1}");
        assertThat(cache.get(key("absent"))).isEmpty();
    }

    @Test
    void put_overwrites() {
        String key = key("overwrite");
        cache.put(key, "a", LONG);
        cache.put(key, "b", LONG);

        assertThat(cache.get(key)).contains("b");
    }

    @Test
    void value_is_kept_until_its_ttl_then_gone() {
        String key = key("ttl");
        Timed<Void> put = RealTime.time(() -> {
            cache.put(key, "v", shortTtl());
            return null;
        });
        if (supportsInjectedClock()) {
            clock.advance(shortTtl().minusMillis(1));
            assertThat(cache.get(key)).contains("v");
        } else {
            Timed<Optional<String>> read = RealTime.time(() -> cache.get(key));
            if (read.atMostAfter(put).compareTo(shortTtl().minus(RealTime.SLACK)) < 0) {
                assertThat(read.value()).as("read within the TTL").contains("v");
            }
        }

        expire(key);

        assertThat(cache.get(key)).isEmpty();
    }

    @Test
    void put_again_restarts_the_ttl() {
        if (!supportsInjectedClock()) {
            RealTime.conclusively("that a second put restarts the TTL", this::putAgainRestartsTheTtlOnRealTime);
            return;
        }
        String key = key("restart");
        cache.put(key, "v1", Duration.ofSeconds(10));
        clock.advance(Duration.ofSeconds(8));
        cache.put(key, "v2", Duration.ofSeconds(10));
        clock.advance(Duration.ofSeconds(8));

        assertThat(cache.get(key)).contains("v2");
    }

    private boolean putAgainRestartsTheTtlOnRealTime() {
        Duration ttl = Duration.ofSeconds(1);
        String key = key("restart");
        Timed<Void> first = RealTime.time(() -> {
            cache.put(key, "v1", ttl);
            return null;
        });
        RealTime.passAfter(first, ttl.multipliedBy(6).dividedBy(10));
        Timed<Void> second = RealTime.time(() -> {
            cache.put(key, "v2", ttl);
            return null;
        });
        RealTime.passAfter(first, ttl.plus(RealTime.SLACK)); // the first TTL is surely over

        Timed<Optional<String>> read = RealTime.time(() -> cache.get(key));

        if (read.atMostAfter(second).compareTo(ttl.minus(RealTime.SLACK)) >= 0) {
            return false; // the second TTL may be over too
        }
        assertThat(read.value()).contains("v2");
        return true;
    }

    @Test
    void put_if_absent_stores_only_the_first_value() {
        String key = key("pia");

        assertThat(cache.putIfAbsent(key, "first", LONG)).isTrue();
        assertThat(cache.putIfAbsent(key, "second", LONG)).isFalse();
        assertThat(cache.get(key)).contains("first");
    }

    @Test
    void put_if_absent_succeeds_once_the_old_value_expired() {
        String key = key("pia-expired");
        cache.putIfAbsent(key, "old", shortTtl());

        expire(key);

        assertThat(cache.putIfAbsent(key, "new", LONG)).isTrue();
        assertThat(cache.get(key)).contains("new");
    }

    @Test
    void put_if_absent_admits_exactly_one_of_many_concurrent_callers() {
        for (int round = 0; round < 20; round++) {
            String key = key("pia-race-" + round);
            List<Boolean> stored = Concurrently.run(8, t -> cache.putIfAbsent(key, "holder-" + t, LONG));

            assertThat(stored).as("round %d", round).containsOnlyOnce(true);
            assertThat(cache.get(key)).contains("holder-" + stored.indexOf(true));
        }
    }

    @Test
    void delete_is_true_only_when_something_was_deleted() {
        String key = key("delete");
        cache.put(key, "v", LONG);

        assertThat(cache.delete(key)).isTrue();
        assertThat(cache.delete(key)).isFalse();
        assertThat(cache.get(key)).isEmpty();
    }

    @Test
    void delete_if_equals_deletes_only_the_expected_value() {
        String key = key("die");
        cache.put(key, "lease-A", LONG);

        assertThat(cache.deleteIfEquals(key, "lease-B")).isFalse();
        assertThat(cache.get(key)).contains("lease-A");
        assertThat(cache.deleteIfEquals(key, "lease-A")).isTrue();
        assertThat(cache.get(key)).isEmpty();
        assertThat(cache.deleteIfEquals(key, "lease-A")).isFalse();
    }

    @Test
    void delete_if_equals_does_not_remove_a_value_that_replaced_an_expired_one() {
        String key = key("die-expired");
        cache.put(key, "old-holder", shortTtl());
        expire(key);
        cache.putIfAbsent(key, "new-holder", LONG);

        assertThat(cache.deleteIfEquals(key, "old-holder")).isFalse();
        assertThat(cache.get(key)).contains("new-holder");
    }

    @Test
    void concurrent_delete_if_equals_succeeds_once() {
        String key = key("die-race");
        cache.put(key, "lease", LONG);

        List<Boolean> deleted = Concurrently.run(8, t -> cache.deleteIfEquals(key, "lease"));

        assertThat(deleted).containsOnlyOnce(true);
    }

    @Test
    void expire_if_equals_extends_the_holders_lease_past_its_first_ttl() {
        String key = key("renew");
        cache.put(key, "lease-A", shortTtl());

        assertThat(cache.expireIfEquals(key, "lease-A", LONG)).isTrue();
        letShortTtlPass();

        assertThat(cache.get(key)).contains("lease-A");
    }

    @Test
    void expire_if_equals_leaves_another_holders_lease_to_expire() {
        String key = key("renew-other");
        cache.put(key, "lease-A", shortTtl());

        assertThat(cache.expireIfEquals(key, "lease-B", LONG)).isFalse();
        expire(key);

        assertThat(cache.get(key)).isEmpty();
    }

    @Test
    void expire_if_equals_can_shorten_a_lease() {
        String key = key("shorten");
        cache.put(key, "lease-A", LONG);

        assertThat(cache.expireIfEquals(key, "lease-A", shortTtl())).isTrue();
        expire(key);

        assertThat(cache.get(key)).isEmpty();
    }

    @Test
    void expire_if_equals_never_revives_an_absent_or_expired_key() {
        String absent = key("renew-absent");
        String expired = key("renew-expired");
        cache.put(expired, "old-holder", shortTtl());
        expire(expired);

        assertThat(cache.expireIfEquals(absent, "lease", LONG)).isFalse();
        assertThat(cache.expireIfEquals(expired, "old-holder", LONG)).isFalse();

        assertThat(cache.get(absent)).isEmpty();
        assertThat(cache.get(expired)).isEmpty();
        assertThat(cache.putIfAbsent(expired, "new-holder", LONG)).isTrue();
    }

    @Test
    void renewing_and_releasing_a_lease_only_work_for_its_current_holder() {
        String key = key("lease");
        assertThat(cache.putIfAbsent(key, "holder-1", shortTtl())).isTrue();
        expire(key);
        assertThat(cache.putIfAbsent(key, "holder-2", LONG)).isTrue();

        assertThat(cache.expireIfEquals(key, "holder-1", LONG)).isFalse();
        assertThat(cache.deleteIfEquals(key, "holder-1")).isFalse();
        assertThat(cache.get(key)).contains("holder-2");
        assertThat(cache.expireIfEquals(key, "holder-2", LONG)).isTrue();
        assertThat(cache.deleteIfEquals(key, "holder-2")).isTrue();
        assertThat(cache.get(key)).isEmpty();
    }

    @Test
    void non_positive_ttl_is_rejected() {
        String key = key("bad-ttl");

        assertThatThrownBy(() -> cache.put(key, "v", Duration.ZERO))
                .isInstanceOfAny(IllegalArgumentException.class, InvalidInputException.class);
        assertThatThrownBy(() -> cache.putIfAbsent(key, "v", Duration.ofSeconds(-1)))
                .isInstanceOfAny(IllegalArgumentException.class, InvalidInputException.class);
        assertThatThrownBy(() -> cache.expireIfEquals(key, "v", Duration.ZERO))
                .isInstanceOfAny(IllegalArgumentException.class, InvalidInputException.class);
        assertThat(cache.get(key)).isEmpty();
    }
}
