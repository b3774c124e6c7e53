package dev.dmengine.server;

import dev.dmengine.core.DmEngine;
import dev.dmengine.core.turn.TurnEngine;
import dev.dmengine.spi.DmException;
import dev.dmengine.spi.Ids;
import dev.dmengine.spi.InvalidInputException;
import dev.dmengine.spi.infra.Event;
import dev.dmengine.spi.infra.Subscription;
import io.helidon.common.uri.UriQuery;
import io.helidon.http.HttpPrologue;
import io.helidon.http.Headers;
import io.helidon.websocket.WsListener;
import io.helidon.websocket.WsSession;
import io.helidon.websocket.WsUpgradeException;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code /api/sessions/{id}/ws}: the session's events as JSON text frames
 * {@code {"id":…, "event":"token", "data":{…}}}, the same as the SSE stream (heartbeats carry
 * no id). The upgrade is authenticated like any request (bearer or cookie; a cookie needs a
 * same-site Origin) and refused unless the session is the caller's. Resume with
 * {@code ?lastEventId=}. One listener per connection.
 */
final class SessionSocket implements WsListener {

    static final String PATH = "/api/sessions/{id}/ws";
    /** The stream place the HTTP filter took for the upgrade this thread is making; the socket claims it. */
    static final ThreadLocal<StreamLimits.Permit> PENDING = new ThreadLocal<>();

    /** Whose session an upgrade asks for. */
    record Target(UUID player, UUID session) {
    }

    private final DmEngine engine;
    private final Authn authn;
    private final EventTap events;
    private final Metrics metrics;
    private final Duration heartbeat;
    private final java.util.function.BooleanSupplier closing;
    private final BlockingQueue<Event> queue = new ArrayBlockingQueue<>(4096);
    private final AtomicBoolean open = new AtomicBoolean();
    private volatile UUID sessionId;
    private volatile long after;
    private volatile Subscription subscription;
    private volatile StreamLimits.Permit permit;
    private volatile ConnectionGuard.Phasing streaming;

    SessionSocket(DmEngine engine, Authn authn, EventTap events, Metrics metrics, Duration heartbeat,
                  java.util.function.BooleanSupplier closing) {
        this.closing = closing;
        this.engine = engine;
        this.authn = authn;
        this.events = events;
        this.metrics = metrics;
        this.heartbeat = heartbeat;
    }

    /**
     * The caller's session named by an upgrade request's path, or a {@link DmException}: not
     * found (also for another player's session or a malformed id), unauthenticated, or refused
     * by the CSRF check (an upgrade counts as unsafe). The HTTP filter runs it first, so a refusal
     * is a problem+json answer (404, 401, 403) rather than Helidon's bare 400.
     */
    static Target authorize(DmEngine engine, Authn authn, String path, Headers headers) {
        String[] parts = path.split("/");
        UUID id;
        try {
            id = Ids.parse("id", parts.length > 3 ? parts[3] : "");
        } catch (InvalidInputException e) {
            throw new dev.dmengine.spi.NotFoundException("session", parts.length > 3 ? parts[3] : "");
        }
        UUID owner = authn.caller("POST", headers).player().id();
        engine.sessions().get(owner, id);
        return new Target(owner, id);
    }

    /** The resume point of an upgrade request ({@code ?lastEventId=}), read as the SSE stream reads it. */
    static Optional<Long> lastEventId(UriQuery query) {
        return GameApi.parseLastEventId(query.first("lastEventId").orElse(null));
    }

    static boolean isUpgrade(Headers headers) {
        return headers.first(io.helidon.http.HeaderNames.UPGRADE).map(v -> v.equalsIgnoreCase("websocket")).orElse(false);
    }

    @Override
    public Optional<Headers> onHttpUpgrade(HttpPrologue prologue, Headers headers) throws WsUpgradeException {
        try {
            UUID id = authorize(engine, authn, prologue.uriPath().path(), headers).session();
            after = lastEventId(prologue.query()).orElseGet(() -> events.lastId(TurnEngine.topic(id)));
            StreamLimits.Permit p = PENDING.get();
            if (p == null || !p.claim()) {
                throw new WsUpgradeException("no event stream place was taken for this upgrade");
            }
            permit = p;
            sessionId = id;
            return Optional.empty();
        } catch (DmException e) {
            throw new WsUpgradeException(e.getMessage());
        }
    }

    @Override
    public void onOpen(WsSession session) {
        open.set(true);
        streaming = ConnectionGuard.streaming(); // on the connection's thread: no idle timeout while the pump runs
        metrics.webSockets.incrementAndGet();
        subscription = events.subscribe(TurnEngine.topic(sessionId), after, e -> {
            if (!queue.offer(e)) {
                open.set(false); // too slow: closed below, the client resumes with lastEventId
            }
        });
        Thread.ofVirtual().name("dm-ws-" + sessionId).start(() -> pump(session));
    }

    private void pump(WsSession session) {
        long beat = heartbeat.toNanos();
        long last = System.nanoTime();
        try {
            send(session, "{\"event\":\"heartbeat\",\"data\":{\"at\":\"" + Instant.now() + "\"}}");
            while (open.get() && !closing.getAsBoolean()) {
                Event e = queue.poll(250, TimeUnit.MILLISECONDS);
                if (e != null) {
                    send(session, "{\"id\":" + e.id() + ",\"event\":" + Http.MAPPER.writeValueAsString(e.name())
                            + ",\"data\":" + e.data() + "}");
                } else if (System.nanoTime() - last >= beat) {
                    send(session, "{\"event\":\"heartbeat\",\"data\":{\"at\":\"" + Instant.now() + "\"}}");
                    last = System.nanoTime();
                }
            }
            session.close(1001, "stream ended");
        } catch (Exception e) {
            open.set(false);
        } finally {
            stop();
        }
    }

    private static void send(WsSession session, String text) {
        session.send(text, true);
    }

    @Override
    public void onClose(WsSession session, int status, String reason) {
        open.set(false);
    }

    @Override
    public void onError(WsSession session, Throwable t) {
        open.set(false);
    }

    private void stop() {
        Subscription s = subscription;
        subscription = null;
        if (s != null) {
            s.close();
            metrics.webSockets.decrementAndGet();
        }
        StreamLimits.Permit p = permit;
        if (p != null) {
            p.close();
        }
        ConnectionGuard.Phasing st = streaming;
        if (st != null) {
            st.close();
        }
    }
}
