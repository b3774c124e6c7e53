package dev.dmengine.redis;

import redis.clients.jedis.RedisClient;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

import java.util.List;
import java.util.UUID;

/**
 * The Redis the integration tests share ({@code DM_TEST_REDIS_URL}, default
 * {@code redis://127.0.0.1:6379}). Every test class writes under a random key prefix of its own
 * and deletes exactly those keys afterwards (never FLUSHALL: others use the same server).
 */
final class RedisTest {

    static final String URL = setting("dm.test.redis.url", "DM_TEST_REDIS_URL", "redis://127.0.0.1:6379");

    private RedisTest() {
    }

    static String setting(String property, String env, String fallback) {
        String v = System.getProperty(property);
        if (v == null || v.isBlank()) {
            v = System.getenv(env);
        }
        return v == null || v.isBlank() ? fallback : v;
    }

    /** A prefix no other class or run uses. */
    static String randomPrefix(String name) {
        return "dmtest:" + name + ":" + UUID.randomUUID().toString().substring(0, 8) + ":";
    }

    static RedisAdapters.Builder builder(String prefix) {
        return RedisAdapters.builder().url(URL).keyPrefix(prefix);
    }

    /** Deletes every key under the prefix (SCAN + DEL), with a client of its own. */
    static void deleteKeys(String prefix) {
        try (RedisClient client = client()) {
            deleteKeys(client, prefix);
        }
    }

    /** A plain client of the shared server, for checks and clean-up. */
    static RedisClient client() {
        return RedisClient.builder().hostAndPort(host(), port()).build();
    }

    static int deleteKeys(UnifiedJedis client, String prefix) {
        int deleted = 0;
        String cursor = ScanParams.SCAN_POINTER_START;
        ScanParams match = new ScanParams().match(prefix + "*").count(1_000);
        do {
            ScanResult<String> page = client.scan(cursor, match);
            List<String> keys = page.getResult();
            if (!keys.isEmpty()) {
                deleted += (int) client.del(keys.toArray(String[]::new));
            }
            cursor = page.getCursor();
        } while (!ScanParams.SCAN_POINTER_START.equals(cursor));
        return deleted;
    }

    private static String host() {
        return java.net.URI.create(URL).getHost();
    }

    private static int port() {
        int p = java.net.URI.create(URL).getPort();
        return p == -1 ? 6379 : p;
    }
}
