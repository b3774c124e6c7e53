package dev.dmengine.redis.internal;

import dev.dmengine.spi.UnavailableException;
import redis.clients.jedis.exceptions.JedisAccessControlException;
import redis.clients.jedis.exceptions.JedisBusyException;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;

import java.util.List;

/**
 * Translates Jedis exceptions into the engine's hierarchy, once, at the adapters' boundary.
 *
 * <p>Unreachable server, broken or timed-out connections, an exhausted pool, wrong credentials,
 * and the server's own "not now" replies (loading its data set, a busy script, read-only
 * replica, out of memory…) are {@link UnavailableException}: the same call may succeed later.
 * Any other error reply means a bug in the adapter or a key that holds something else
 * (WRONGTYPE): an {@link IllegalStateException}, never retried.
 */
public final class RedisErrors {

    /** Error replies that say "try again later" rather than "this command is wrong". */
    private static final List<String> TRANSIENT_REPLIES = List.of(
            "LOADING", "BUSY", "READONLY", "MASTERDOWN", "TRYAGAIN", "OOM", "CLUSTERDOWN", "NOREPLICAS", "MISCONF");

    private RedisErrors() {
    }

    /** The engine's exception for a Jedis failure of {@code operation} (e.g. "publish an event"). */
    public static RuntimeException translate(String operation, RuntimeException e) {
        if (e instanceof UnavailableException || !(e instanceof JedisException)) {
            return e;
        }
        if (e instanceof JedisAccessControlException) {
            return new UnavailableException("Redis refused the credentials while trying to " + operation
                    + ": " + e.getMessage(), e);
        }
        if (e instanceof JedisDataException && !(e instanceof JedisBusyException) && !isTransientReply(e)) {
            return new IllegalStateException("Redis rejected the command to " + operation + ": " + e.getMessage(), e);
        }
        return new UnavailableException("Redis is unavailable; could not " + operation + ": " + describe(e), e);
    }

    /** Whether the failure is a lost or refused connection (after which pooled connections may be stale). */
    public static boolean isConnectionFailure(Throwable e) {
        return e instanceof JedisConnectionException
                || (e instanceof JedisException && e.getCause() instanceof JedisConnectionException)
                || (e instanceof UnavailableException && e.getCause() != null && isConnectionFailure(e.getCause()));
    }

    private static boolean isTransientReply(RuntimeException e) {
        String message = e.getMessage();
        if (message == null) {
            return false;
        }
        for (String prefix : TRANSIENT_REPLIES) {
            if (message.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    /** A qualified exception class name as {@code Throwable.toString()} puts it before a message. */
    private static final java.util.regex.Pattern CLASS_PREFIX =
            java.util.regex.Pattern.compile("(?:[a-z][\\w$]*\\.)+[A-Z][\\w$]*(?:Exception|Error)(?::\\s*|$)");

    /**
     * What went wrong in words, for the player's 503 and the log line: the messages along the
     * cause chain without repeats, and without the class names Jedis puts in a message when it
     * wraps a cause (its message is then the cause's {@code toString()}).
     */
    private static String describe(Throwable e) {
        java.util.List<String> parts = new java.util.ArrayList<>();
        for (Throwable t = e; t != null && parts.size() < 4; t = t.getCause() == t ? null : t.getCause()) {
            String m = t.getMessage() == null ? "" : CLASS_PREFIX.matcher(t.getMessage()).replaceAll("").strip();
            if (!m.isEmpty() && parts.stream().noneMatch(p -> p.contains(m))) {
                parts.add(m);
            }
        }
        return parts.isEmpty() ? "the connection failed" : String.join(": ", parts);
    }
}
