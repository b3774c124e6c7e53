package dev.dmengine.core.inmemory;

import dev.dmengine.spi.infra.Cache;
import dev.dmengine.testkit.CacheContract;
import dev.dmengine.testkit.MutableClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class InMemoryCacheTest extends CacheContract {

    @Override
    protected Cache newCache(MutableClock clock) {
        return new InMemoryCache(clock);
    }

    @Test
    void value_is_gone_at_exactly_its_expiry_instant() {
        String key = key("edge");
        cache.put(key, "v", Duration.ofSeconds(10));

        clock.advance(Duration.ofSeconds(10));

        assertThat(cache.get(key)).isEmpty();
        assertThat(cache.delete(key)).isFalse();
    }

    @Test
    void sweeping_expired_entries_keeps_live_ones() {
        String live = key("live");
        cache.put(live, "keep", Duration.ofDays(1));
        for (int i = 0; i < 10_000; i++) {
            cache.put(key("short-" + i), "x", Duration.ofMillis(1));
            clock.advance(Duration.ofMillis(1));
        }

        assertThat(cache.get(live)).contains("keep");
    }
}
