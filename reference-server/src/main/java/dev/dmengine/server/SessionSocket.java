package dev.dmengine.server;

import dev.dmengine.core.DmEngine;
import dev.dmengine.core.turn.TurnEngine;
import dev.dmengine.spi.DmException;
import dev.dmengine.spi.Ids;
import dev.dmengine.spi.InvalidInputException;
import dev.dmengine.spi.infra.Event;
import dev.dmengine.spi.infra.EventBus;
import io.helidon.common.uri.UriQuery;
import io.helidon.http.HttpPrologue;
import io.helidon.http.Headers;
import io.helidon.websocket.WsListener;
import io.helidon.websocket.WsSession;
import io.helidon.websocket.WsUpgradeException;

import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
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
    private final EventBus events;
    private final Metrics metrics;
    private final EventPumps pumps;
    private final AtomicBoolean stopped = new AtomicBoolean();
    private volatile UUID sessionId;
    private volatile long after;
    private volatile EventPumps.Pump pump;
    private volatile StreamLimits.Permit permit;
    private volatile ConnectionGuard.Phasing streaming;

    SessionSocket(DmEngine engine, Authn authn, EventBus events, Metrics metrics, EventPumps pumps) {
        this.engine = engine;
        this.authn = authn;
        this.events = events;
        this.metrics = metrics;
        this.pumps = pumps;
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

    /**
     * The handshake's own header, checked before Helidon decodes it (an undecodable key was an
     * IllegalArgumentException there, answered as a 500): RFC 6455 asks for 16 random bytes in
     * base64.
     */
    static void checkHandshake(Headers headers) {
        Optional<String> key = headers.first(io.helidon.http.HeaderNames.create("Sec-WebSocket-Key"));
        if (key.isEmpty()) {
            return; // Helidon refuses a handshake without one
        }
        byte[] decoded;
        try {
            decoded = java.util.Base64.getDecoder().decode(key.get().strip());
        } catch (IllegalArgumentException e) {
            decoded = new byte[0];
        }
        if (decoded.length != 16) {
            throw new InvalidInputException("Sec-WebSocket-Key", "must be 16 bytes in base64 (RFC 6455)");
        }
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
        streaming = ConnectionGuard.streaming(); // on the connection's thread: no idle timeout while the pump runs
        metrics.webSockets.incrementAndGet();
        pump = pumps.open(TurnEngine.topic(sessionId), after);
        Thread.ofVirtual().name("dm-ws-" + sessionId).start(() -> pump(session));
    }

    private void pump(WsSession session) {
        try {
            pump.run(new EventPumps.Sink() {
                @Override
                public boolean event(Event e) {
                    return send(session, "{\"id\":" + e.id() + ",\"event\":" + Http.MAPPER.getNodeFactory().textNode(e.name()).toString()
                            + ",\"data\":" + e.data() + "}");
                }

                @Override
                public boolean heartbeat() {
                    return send(session, "{\"event\":\"heartbeat\",\"data\":{\"at\":\"" + Instant.now() + "\"}}");
                }
            });
            session.close(1001, "stream ended");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            // the client is gone
        } finally {
            stop();
        }
    }

    /** Sends one text frame; false once the client is gone. */
    private static boolean send(WsSession session, String text) {
        try {
            session.send(text, true);
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    @Override
    public void onClose(WsSession session, int status, String reason) {
        stopPump();
    }

    @Override
    public void onError(WsSession session, Throwable t) {
        stopPump();
    }

    private void stopPump() {
        EventPumps.Pump p = pump;
        if (p != null) {
            p.stop();
        }
    }

    /** Gives back what the socket held, once: its subscription, its stream place, its exemption from timeouts. */
    private void stop() {
        if (!stopped.compareAndSet(false, true)) {
            return;
        }
        EventPumps.Pump p0 = pump;
        if (p0 != null) {
            p0.close();
        }
        metrics.webSockets.decrementAndGet();
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
