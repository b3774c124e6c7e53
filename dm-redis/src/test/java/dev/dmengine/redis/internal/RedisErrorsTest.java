package dev.dmengine.redis.internal;

import dev.dmengine.spi.UnavailableException;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.exceptions.JedisAccessControlException;
import redis.clients.jedis.exceptions.JedisBusyException;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;

import java.util.NoSuchElementException;

import static org.assertj.core.api.Assertions.assertThat;

class RedisErrorsTest {

    @Test
    void lost_connections_an_exhausted_pool_and_bad_credentials_are_unavailable() {
        assertThat(RedisErrors.translate("publish an event", new JedisConnectionException("Connection refused")))
                .isInstanceOf(UnavailableException.class).hasMessageContaining("publish an event")
                .hasMessageContaining("Connection refused");
        assertThat(RedisErrors.translate("x", new JedisException("Could not get a resource from the pool",
                new NoSuchElementException("Timeout waiting for idle object")))).isInstanceOf(UnavailableException.class)
                .hasMessageContaining("Timeout waiting");
        assertThat(RedisErrors.translate("x", new JedisAccessControlException("WRONGPASS invalid password")))
                .isInstanceOf(UnavailableException.class).hasMessageContaining("credentials");
    }

    @Test
    void a_wrapped_cause_is_told_in_words_without_class_names() {
        // Jedis wraps a socket error with the cause's toString() as its message
        var reset = new java.net.SocketException("Connection reset");
        RuntimeException wrapped = RedisErrors.translate("cache a value if absent",
                new JedisConnectionException(reset));
        assertThat(wrapped).isInstanceOf(UnavailableException.class)
                .hasMessage("Redis is unavailable; could not cache a value if absent: Connection reset")
                .cause().isInstanceOf(JedisConnectionException.class).hasRootCause(reset);
        assertThat(RedisErrors.translate("x", new JedisConnectionException("Failed to connect to 127.0.0.1:1.",
                new java.net.ConnectException("Connection refused"))))
                .hasMessage("Redis is unavailable; could not x: Failed to connect to 127.0.0.1:1.: Connection refused");
        assertThat(RedisErrors.translate("x", new JedisConnectionException(new java.io.EOFException())))
                .hasMessage("Redis is unavailable; could not x: the connection failed");
    }

    @Test
    void the_servers_try_later_replies_are_unavailable() {
        assertThat(RedisErrors.translate("x", new JedisDataException("LOADING Redis is loading the dataset in memory")))
                .isInstanceOf(UnavailableException.class);
        assertThat(RedisErrors.translate("x", new JedisDataException("OOM command not allowed")))
                .isInstanceOf(UnavailableException.class);
        assertThat(RedisErrors.translate("x", new JedisBusyException("BUSY Redis is busy running a script")))
                .isInstanceOf(UnavailableException.class);
    }

    @Test
    void a_wrong_command_is_a_bug_not_an_outage() {
        assertThat(RedisErrors.translate("read a cached value",
                new JedisDataException("WRONGTYPE Operation against a key holding the wrong kind of value")))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("read a cached value");
    }

    @Test
    void connection_failures_are_told_apart_from_other_errors() {
        assertThat(RedisErrors.isConnectionFailure(new JedisConnectionException("reset"))).isTrue();
        assertThat(RedisErrors.isConnectionFailure(new JedisException("pool", new JedisConnectionException("refused"))))
                .isTrue();
        assertThat(RedisErrors.isConnectionFailure(new JedisDataException("WRONGTYPE"))).isFalse();
    }
}
