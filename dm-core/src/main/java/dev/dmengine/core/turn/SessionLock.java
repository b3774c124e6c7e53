package dev.dmengine.core.turn;

import dev.dmengine.spi.ConflictException;
import dev.dmengine.spi.Ids;
import dev.dmengine.spi.infra.Cache;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One turn at a time per session, across every engine sharing the {@link Cache}: a lease
 * ({@code putIfAbsent} with a TTL) that its holder renews every third of the TTL while the turn
 * runs ({@code expireIfEquals}) and releases when it ends ({@code deleteIfEquals}). A holder that
 * dies stops renewing and the lease ends within one TTL, so the TTL can be short however long a
 * turn takes. A JVM-local map answers a second turn in this process without a cache round trip.
 */
final class SessionLock {

    private static final Logger LOG = LoggerFactory.getLogger(SessionLock.class);
    private static final String PREFIX = "dm:turn-lock:";

    private final Cache cache;
    private final Duration ttl;
    private final ConcurrentHashMap<UUID, String> local = new ConcurrentHashMap<>();

    SessionLock(Cache cache, Duration ttl) {
        this.cache = cache;
        this.ttl = ttl;
    }

    /** @throws ConflictException a turn holds the session */
    Lease acquire(UUID sessionId) {
        String token = Ids.newId().toString();
        String busy = "a turn is already in progress in session " + sessionId + "; wait for it to finish";
        if (local.putIfAbsent(sessionId, token) != null) {
            throw new ConflictException(busy);
        }
        try {
            if (!cache.putIfAbsent(PREFIX + sessionId, token, ttl)) {
                throw new ConflictException(busy);
            }
        } catch (RuntimeException e) {
            local.remove(sessionId, token);
            throw e;
        }
        return new Lease(sessionId, token);
    }

    /** A held session; {@link #release()} is idempotent. */
    final class Lease implements AutoCloseable {
        private final UUID sessionId;
        private final String token;
        private final Thread renewer;
        private volatile boolean released;

        private Lease(UUID sessionId, String token) {
            this.sessionId = sessionId;
            this.token = token;
            this.renewer = Thread.ofVirtual().name("dm-turn-lock-" + sessionId).start(this::renew);
        }

        private void renew() {
            long every = Math.max(1, ttl.toMillis() / 3);
            while (!released) {
                try {
                    Thread.sleep(every);
                } catch (InterruptedException e) {
                    return;
                }
                if (released) {
                    return;
                }
                try {
                    if (!cache.expireIfEquals(PREFIX + sessionId, token, ttl)) {
                        LOG.warn("the turn lock of session {} was lost (its lease ran out); another turn may start",
                                sessionId);
                        return;
                    }
                } catch (RuntimeException e) {
                    LOG.warn("could not renew the turn lock of session {}: {}", sessionId, e.toString());
                }
            }
        }

        void release() {
            if (released) {
                return;
            }
            released = true;
            renewer.interrupt();
            try {
                cache.deleteIfEquals(PREFIX + sessionId, token);
            } catch (RuntimeException e) {
                LOG.warn("could not release the turn lock of session {} (it expires by itself): {}", sessionId,
                        e.toString());
            } finally {
                local.remove(sessionId, token);
            }
        }

        @Override
        public void close() {
            release();
        }
    }
}
