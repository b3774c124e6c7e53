package dev.dmengine.redis;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Settings are checked when set, naming the setting. */
class RedisAdaptersTest {

    @Test
    void a_missing_or_bad_connection_is_refused_naming_the_setting() {
        assertThatThrownBy(() -> RedisAdapters.builder().build()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("url");
        assertThatThrownBy(() -> RedisAdapters.builder().url("localhost:6379"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("redis://");
    }

    @Test
    void out_of_range_settings_are_refused_naming_the_setting() {
        assertThatThrownBy(() -> RedisAdapters.builder().keyPrefix("has space"))
                .hasMessageContaining("keyPrefix");
        assertThatThrownBy(() -> RedisAdapters.builder().poolSize(1)).hasMessageContaining("poolSize");
        assertThatThrownBy(() -> RedisAdapters.builder().eventRetention(10)).hasMessageContaining("eventRetention");
        assertThatThrownBy(() -> RedisAdapters.builder().failOpen("")).hasMessageContaining("failOpen");
        assertThatThrownBy(() -> RedisAdapters.builder().url("redis://h").eventStreamExpiry(Duration.ofDays(30))
                .build()).hasMessageContaining("eventIdExpiry");
    }

    @Test
    void building_never_connects_so_it_works_while_redis_is_down() {
        // nothing listens on port 1; the adapters are built all the same and fail only when used
        try (RedisAdapters redis = RedisAdapters.builder().url("redis://127.0.0.1:1")
                .connectTimeout(Duration.ofMillis(200)).build()) {
            assertThatThrownBy(redis::ping).isInstanceOf(dev.dmengine.spi.UnavailableException.class);
            assertThatThrownBy(() -> redis.cache().get("k")).isInstanceOf(dev.dmengine.spi.UnavailableException.class);
        }
    }
}
