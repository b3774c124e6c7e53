package dev.dmengine.redis.internal;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RedisUrlTest {

    @Test
    void reads_host_port_credentials_database_and_tls() {
        RedisUrl u = RedisUrl.parse("rediss://dm:s%40cret@redis.internal:6380/2");

        assertThat(u.host()).isEqualTo("redis.internal");
        assertThat(u.port()).isEqualTo(6380);
        assertThat(u.tls()).isTrue();
        assertThat(u.user()).isEqualTo("dm");
        assertThat(u.password()).isEqualTo("s@cret");
        assertThat(u.database()).isEqualTo(2);
    }

    @Test
    void defaults_to_port_6379_database_0_without_tls_or_credentials() {
        RedisUrl u = RedisUrl.parse("redis://127.0.0.1");

        assertThat(u.port()).isEqualTo(6379);
        assertThat(u.database()).isZero();
        assertThat(u.tls()).isFalse();
        assertThat(u.user()).isNull();
        assertThat(u.password()).isNull();
    }

    @Test
    void a_password_alone_before_the_host_is_the_password() {
        RedisUrl u = RedisUrl.parse("redis://:only-secret@h:1");
        RedisUrl v = RedisUrl.parse("redis://only-secret@h:1");

        assertThat(u.user()).isNull();
        assertThat(u.password()).isEqualTo("only-secret");
        assertThat(v.password()).isEqualTo("only-secret");
    }

    @Test
    void never_shows_the_password() {
        RedisUrl u = RedisUrl.parse("redis://dm:hunter2@h:1");

        assertThat(u.toString()).doesNotContain("hunter2").isEqualTo("redis://***@h:1");
        assertThat(RedisUrl.redact("redis://dm:hunter2@h:1/0")).isEqualTo("redis://***@h:1/0");
    }

    @Test
    void rejects_other_schemes_missing_hosts_and_bad_databases_without_echoing_secrets() {
        assertThatThrownBy(() -> RedisUrl.parse("http://u:hunter2@h:1")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("redis://").hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> RedisUrl.parse("redis:///0")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no host");
        assertThatThrownBy(() -> RedisUrl.parse("redis://h:1/zero")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("database");
        assertThatThrownBy(() -> RedisUrl.parse(" ")).isInstanceOf(IllegalArgumentException.class);
    }
}
