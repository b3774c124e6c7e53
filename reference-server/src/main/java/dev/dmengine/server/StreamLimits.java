package dev.dmengine.server;

import dev.dmengine.spi.RateLimitedException;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Caps on event streams (SSE {@code /events} and WebSockets together): per session, per player
 * and on the whole server. A stream is counted when it opens and given back when it ends,
 * however it ends — the permit is closed by the stream's own {@code try}, and by its
 * connection's end as well (closing twice is harmless).
 * <p>
 * Beyond a cap the new stream is refused, and the streams already open are left alone: one
 * over a player's or session's cap gets 429 with {@code Retry-After} (the player can close one;
 * a stream whose client vanished is let go when a heartbeat write fails); one over the server's
 * cap gets 503 with {@code Retry-After}. A turn streamed on its own {@code POST} is not counted:
 * the turn lock allows one per session at a time and it ends with its turn.
 */
final class StreamLimits {

    private final int max;
    private final int perPlayer;
    private final int perSession;
    private final Duration retryAfter;
    private final Metrics metrics;
    private final Map<UUID, Integer> players = new HashMap<>();
    private final Map<UUID, Integer> sessions = new HashMap<>();
    private int open;

    StreamLimits(int max, int perPlayer, int perSession, Duration retryAfter, Metrics metrics) {
        this.max = max;
        this.perPlayer = perPlayer;
        this.perSession = perSession;
        this.retryAfter = retryAfter;
        this.metrics = metrics;
    }

    /** A place for one more stream of {@code player} on {@code session}, or the refusal as an exception. */
    synchronized Permit acquire(UUID player, UUID session) {
        if (sessions.getOrDefault(session, 0) >= perSession) {
            metrics.streamRefused("session");
            throw new RateLimitedException("at most " + perSession + " event streams may be open on one session; "
                    + "close one (another tab or device) or wait for one to end", retryAfter);
        }
        if (players.getOrDefault(player, 0) >= perPlayer) {
            metrics.streamRefused("player");
            throw new RateLimitedException("at most " + perPlayer + " event streams may be open for one player; "
                    + "close one (another tab or device) or wait for one to end", retryAfter);
        }
        if (open >= max) {
            metrics.streamRefused("server");
            throw new HttpProblem(503, "unavailable", "Service unavailable", "the server holds as many event streams "
                    + "as it can (" + max + "); try again shortly",
                    Map.of("Retry-After", Long.toString(Math.max(1, retryAfter.toSeconds()))), List.of());
        }
        open++;
        players.merge(player, 1, Integer::sum);
        sessions.merge(session, 1, Integer::sum);
        return new Permit(player, session);
    }

    /** Event streams open now. */
    synchronized int open() {
        return open;
    }

    private synchronized void release(UUID player, UUID session) {
        open--;
        players.computeIfPresent(player, (k, n) -> n > 1 ? n - 1 : null);
        sessions.computeIfPresent(session, (k, n) -> n > 1 ? n - 1 : null);
    }

    /** One stream's place; closing it gives the place back, once. */
    final class Permit implements AutoCloseable {
        private final UUID player;
        private final UUID session;
        private final AtomicBoolean released = new AtomicBoolean();
        private final AtomicBoolean claimed = new AtomicBoolean();

        private Permit(UUID player, UUID session) {
            this.player = player;
            this.session = session;
        }

        /** Taken over by the stream it was acquired for (a WebSocket, once its upgrade is accepted). */
        boolean claim() {
            return claimed.compareAndSet(false, true);
        }

        boolean claimed() {
            return claimed.get();
        }

        @Override
        public void close() {
            if (released.compareAndSet(false, true)) {
                release(player, session);
            }
        }
    }
}
