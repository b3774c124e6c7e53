package dev.dmengine.redis.internal;

import redis.clients.jedis.RedisClient;
import redis.clients.jedis.UnifiedJedis;

import java.util.function.Function;

/**
 * The one path every adapter's Redis command takes: run it on the client, translate a failure
 * once ({@link RedisErrors}), and after a lost connection drop the pool's idle connections (a
 * restarted server closed them all; without this each would fail one more call). No retry here:
 * the caller that owns the policy retries.
 */
public final class RedisCall {

    private final UnifiedJedis client;
    private final RedisClient ownedPool;

    /**
     * @param client    the client commands run on
     * @param ownedPool the same client when the adapters own its pool (its idle connections may be
     *                  cleared), or {@code null} for a host's client
     */
    public RedisCall(UnifiedJedis client, RedisClient ownedPool) {
        this.client = Checks.notNull(client, "client");
        this.ownedPool = ownedPool;
    }

    public <T> T run(String operation, Function<UnifiedJedis, T> command) {
        try {
            return command.apply(client);
        } catch (RuntimeException e) {
            if (ownedPool != null && RedisErrors.isConnectionFailure(e)) {
                try {
                    ownedPool.getPool().clear();
                } catch (RuntimeException ignored) {
                    // clearing is an optimisation; the pool also discards broken connections itself
                }
            }
            throw RedisErrors.translate(operation, e);
        }
    }

    public Object script(String operation, LuaScript script, java.util.List<String> keys, java.util.List<String> args) {
        return run(operation, c -> script.run(c, keys, args));
    }

    public UnifiedJedis client() {
        return client;
    }
}
