package dev.dmengine.redis;

import dev.dmengine.redis.internal.Checks;
import dev.dmengine.redis.internal.LuaScript;
import dev.dmengine.redis.internal.RedisCall;
import dev.dmengine.spi.infra.Cache;
import redis.clients.jedis.params.SetParams;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * {@link Cache} on Redis strings: one key {@code <prefix>c:<key>} per entry, expiring with its
 * TTL on the server's clock (millisecond precision; a TTL that is not a whole number of
 * milliseconds is rounded up).
 *
 * <p>The per-session turn lock is a lease: {@link #putIfAbsent} is {@code SET NX PX} with an
 * owner token as the value; {@link #deleteIfEquals} (release) and {@link #expireIfEquals}
 * (renewal) are Lua scripts that compare the token and act in one step, so an owner whose lease
 * ran out and was taken by another can neither release nor extend the new holder's lease. A
 * crashed holder's lease simply expires.
 *
 * <p>Every call goes to Redis; while it is unreachable each throws
 * {@link dev.dmengine.spi.UnavailableException} (a lock is never assumed taken or free).
 */
public final class RedisCache implements Cache {

    /** The longest key accepted, in characters. */
    public static final int MAX_KEY_CHARS = 1_024;

    private static final LuaScript DELETE_IF_EQUALS = LuaScript.load("delete-if-equals");
    private static final LuaScript EXPIRE_IF_EQUALS = LuaScript.load("expire-if-equals");

    private final RedisCall redis;
    private final String prefix;
    private final int maxValueChars;

    RedisCache(RedisCall redis, String keyPrefix, int maxValueChars) {
        this.redis = Checks.notNull(redis, "redis");
        this.prefix = Checks.notNull(keyPrefix, "keyPrefix") + "c:";
        this.maxValueChars = maxValueChars;
    }

    @Override
    public Optional<String> get(String key) {
        String k = key(key);
        return Optional.ofNullable(redis.run("read a cached value", c -> c.get(k)));
    }

    @Override
    public void put(String key, String value, Duration ttl) {
        String k = key(key);
        String v = value(value);
        long millis = Checks.positiveMillis(ttl, "ttl");
        redis.run("cache a value", c -> c.set(k, v, SetParams.setParams().px(millis)));
    }

    @Override
    public boolean putIfAbsent(String key, String value, Duration ttl) {
        String k = key(key);
        String v = value(value);
        long millis = Checks.positiveMillis(ttl, "ttl");
        return "OK".equals(redis.run("cache a value if absent", c -> c.set(k, v, SetParams.setParams().nx().px(millis))));
    }

    @Override
    public boolean delete(String key) {
        String k = key(key);
        return redis.run("delete a cached value", c -> c.del(k)) > 0;
    }

    @Override
    public boolean deleteIfEquals(String key, String expected) {
        String k = key(key);
        String v = Checks.notNull(expected, "expected");
        Object deleted = redis.script("delete a cached value if it holds the expected one", DELETE_IF_EQUALS,
                List.of(k), List.of(v));
        return deleted instanceof Long n && n > 0;
    }

    @Override
    public boolean expireIfEquals(String key, String expected, Duration ttl) {
        String k = key(key);
        String v = Checks.notNull(expected, "expected");
        long millis = Checks.positiveMillis(ttl, "ttl");
        Object extended = redis.script("renew a cached value if it holds the expected one", EXPIRE_IF_EQUALS,
                List.of(k), List.of(v, Long.toString(millis)));
        return extended instanceof Long n && n > 0;
    }

    private String key(String key) {
        return prefix + Checks.text(key, "key", MAX_KEY_CHARS);
    }

    private String value(String value) {
        return Checks.sized(value, "value", maxValueChars);
    }
}
