package dev.dmengine.core.turn;

import dev.dmengine.spi.ConflictException;
import dev.dmengine.spi.Ids;
import dev.dmengine.spi.infra.Cache;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

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
    /** Wakes renewals; each renewal runs on a virtual thread of its own, so a slow cache holds no other. */
    private static final ScheduledThreadPoolExecutor RENEWALS = renewals();

    private static ScheduledThreadPoolExecutor renewals() {
        ScheduledThreadPoolExecutor e = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "dm-turn-lock-renewals");
            t.setDaemon(true);
            return t;
        });
        e.setRemoveOnCancelPolicy(true);
        return e;
    }

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
        private final ScheduledFuture<?> renewal;
        private volatile boolean released;

        private Lease(UUID sessionId, String token) {
            this.sessionId = sessionId;
            this.token = token;
            long every = Math.max(1, ttl.toMillis() / 3);
            // most turns end before the first renewal is due: cancelled then, it costs no thread
            this.renewal = RENEWALS.scheduleAtFixedRate(() -> Thread.startVirtualThread(this::renew), every, every,
                    TimeUnit.MILLISECONDS);
        }

        private void renew() {
            if (released) {
                return;
            }
            try {
                if (!cache.expireIfEquals(PREFIX + sessionId, token, ttl)) {
                    LOG.warn("the turn lock of session {} was lost (its lease ran out); another turn may start",
                            sessionId);
                    renewal.cancel(false);
                }
            } catch (RuntimeException e) {
                LOG.warn("could not renew the turn lock of session {}: {}", sessionId, e.toString());
            }
        }

        void release() {
            if (released) {
                return;
            }
            released = true;
            renewal.cancel(false);
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
