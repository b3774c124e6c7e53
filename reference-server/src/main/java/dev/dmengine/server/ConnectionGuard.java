package dev.dmengine.server;

import io.helidon.common.buffers.BufferData;
import io.helidon.common.concurrency.limits.Limit;
import io.helidon.common.task.InterruptableTask;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http1.Http1Config;
import io.helidon.webserver.http1.Http1ConnectionListener;
import io.helidon.webserver.http1.Http1ConnectionSelector;
import io.helidon.webserver.spi.ServerConnection;
import io.helidon.webserver.spi.ServerConnectionSelector;
import io.helidon.webserver.websocket.WsConfig;
import io.helidon.webserver.websocket.WsUpgrader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Every connection of the listener, bounded and timed. Helidon's HTTP/1.1 handling (with the
 * WebSocket upgrade) runs inside; this selector wraps each connection it makes, so the server
 * knows what each one is doing and can act on it:
 * <ul>
 *   <li><b>Bounded.</b> At most {@link Plan#maxConnections()} are served at once. A connection
 *       beyond that makes the one idle longest (waiting for, or halfway through, a request
 *       line) give way; if none is idle it is answered {@code 503} problem+json and closed. The
 *       listener accepts at most {@link Plan#acceptLimit()} sockets (Helidon's
 *       {@code maxTcpConnections}), a bound chosen below the open-file limit, so
 *       {@code accept()} never fails for want of descriptors ("Too many open files" used to stop
 *       the listener for good).</li>
 *   <li><b>Timed.</b> A connection waiting for a request line, or receiving one, is closed
 *       after the idle timeout; the headers after the request line must all arrive within the
 *       header timeout, a body within the body timeout once the server reads it (a deadline on
 *       the whole, so trickling a byte at a time does not help). Helidon 4 has none of these
 *       but the idle timeout, which counts a WebSocket whose client sends nothing as idle; its
 *       own idle timer is switched off and this guard's reaper does the work.</li>
 *   <li><b>Streams are exempt.</b> An SSE stream is a request being answered (no timeout
 *       applies while its handler writes); a WebSocket is marked {@linkplain #streaming()
 *       streaming} while its pump runs. Either ends when a heartbeat write fails.</li>
 * </ul>
 * Phases are learned on the connection's own thread: Helidon's receive listener says when a
 * request line and the headers have been read, the HTTP filter when a request ends, and
 * {@link #readingBody()} when a handler reads a body.
 */
final class ConnectionGuard implements ServerConnectionSelector, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectionGuard.class);
    /** The most connections chosen automatically, whatever the descriptors would allow: memory is the next wall. */
    static final int AUTO_MAX_CONNECTIONS = 10_000;
    /** Descriptors kept for everything but client connections: Redis, model providers, files, jars loaded later. */
    static final int HEADROOM = 64;
    private static final ThreadLocal<Guarded> CURRENT = new ThreadLocal<>();
    /**
     * The WebSocket protocol's settings; the listener must list them too (a WebSocket connection
     * looks its settings up there). Ours is server-to-client: a client frame is a pong, a close or noise.
     */
    static final WsConfig WEBSOCKET = WsConfig.builder().maxFrameLength(4096).build();

    /**
     * How many connections to serve and streams to allow, and why.
     *
     * @param overflow extra sockets the listener may accept beyond {@code maxConnections}, to
     *                 answer them 503 rather than leave them waiting in the kernel's backlog
     */
    record Plan(int maxConnections, int overflow, int maxStreams, Optional<OpenFiles> files, List<String> warnings) {
        int acceptLimit() {
            return maxConnections + overflow;
        }
    }

    /**
     * The plan for {@code limits} on a process with {@code files} (its limit and what is open
     * now) that keeps {@code poolSize} database connections: unless configured, as many
     * connections as the descriptors allow after the headroom (at most
     * {@value #AUTO_MAX_CONNECTIONS}), and three quarters of them for event streams, so that
     * streams can never take the slots that logins, turns and {@code /health} need.
     */
    static Plan plan(ServerSettings.Limits limits, int poolSize, Optional<OpenFiles> files) {
        List<String> warnings = new ArrayList<>();
        long budget = files.map(f -> f.limit() - f.open() - HEADROOM - poolSize).orElse(Long.MAX_VALUE);
        int max;
        if (limits.maxConnections().isPresent()) {
            max = limits.maxConnections().getAsInt();
        } else {
            max = (int) Math.max(16, Math.min(AUTO_MAX_CONNECTIONS, budget - overflow((int) Math.min(budget, 1 << 20))));
        }
        int overflow = overflow(max);
        if (files.isPresent() && max + overflow > budget) {
            String room = "(" + files.get().open() + " open, " + (HEADROOM + poolSize) + " kept for other use)";
            warnings.add(limits.maxConnections().isPresent()
                    ? "dm.server.max-connections is " + max + " (+" + overflow + " to answer 503), more than the "
                    + "open-file limit " + files.get().limit() + " allows " + room + ": raise the limit (ulimit -n) or "
                    + "lower the setting, or the listener may stop on 'Too many open files'"
                    : "the open-file limit " + files.get().limit() + " leaves too few descriptors " + room + " even for "
                    + "the 16 connections the server serves at least: raise it (ulimit -n), or the listener may stop "
                    + "on 'Too many open files'");
        }
        int maxStreams = limits.maxStreams().orElse(Math.max(1, max * 3 / 4));
        if (maxStreams >= max) {
            warnings.add("dm.server.max-streams (" + maxStreams + ") is not below the connection limit (" + max
                    + "): event streams can take every connection");
        }
        return new Plan(max, overflow, maxStreams, files, List.copyOf(warnings));
    }

    private static int overflow(int max) {
        return Math.max(16, Math.min(1024, max / 64));
    }

    /** What a connection is doing, as far as the timeouts are concerned. */
    enum Phase { IDLE, HEAD, REQUEST, BODY, DRAIN }

    private final ServerConnectionSelector http1;
    private final Set<Guarded> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger served = new AtomicInteger();
    private final int max;
    private final long idleNanos;
    private final long headerNanos;
    private final long bodyNanos;
    private final Metrics metrics;
    private final Thread reaper;
    private volatile boolean stopped;

    ConnectionGuard(Plan plan, ServerSettings.Limits limits, Metrics metrics) {
        this.max = plan.maxConnections();
        this.idleNanos = limits.idleTimeout().toNanos();
        this.headerNanos = limits.headerTimeout().toNanos();
        this.bodyNanos = limits.bodyTimeout().toNanos();
        this.metrics = metrics;
        Http1Config http1Config = Http1Config.builder().addReceiveListener(new PhaseListener()).build();
        this.http1 = Http1ConnectionSelector.builder()
                .config(http1Config)
                .addUpgrader(WsUpgrader.create(WEBSOCKET))
                .build();
        metrics.connections(served::get, max);
        long shortest = Math.min(idleNanos, Math.min(headerNanos, bodyNanos));
        Duration period = Duration.ofNanos(Math.max(50_000_000L, Math.min(1_000_000_000L, shortest / 4)));
        this.reaper = Thread.ofPlatform().daemon().name("dm-connection-guard").start(() -> reap(period));
    }

    // ---------------------------------------------------------------- what the handlers say

    /** The connection this thread serves, if it is one of ours. */
    static Optional<Guarded> current() {
        return Optional.ofNullable(CURRENT.get());
    }

    /** Marks this thread's connection as reading a request body until the returned handle is closed. */
    static Phasing readingBody() {
        Guarded g = CURRENT.get();
        if (g == null) {
            return () -> { };
        }
        g.enter(Phase.BODY);
        return () -> g.enter(Phase.REQUEST);
    }

    /** Marks this thread's connection as an event stream (no timeout applies) until the handle is closed. */
    static Phasing streaming() {
        Guarded g = CURRENT.get();
        if (g == null) {
            return () -> { };
        }
        return g.stream();
    }

    /** A phase that ends when closed. */
    @FunctionalInterface
    interface Phasing extends AutoCloseable {
        @Override
        void close();
    }

    // ---------------------------------------------------------------- ServerConnectionSelector

    @Override
    public int bytesToIdentifyConnection() {
        return http1.bytesToIdentifyConnection();
    }

    @Override
    public Support supports(BufferData request) {
        return http1.supports(request);
    }

    @Override
    public Set<String> supportedApplicationProtocols() {
        return http1.supportedApplicationProtocols();
    }

    @Override
    public ServerConnection connection(ConnectionContext ctx) {
        return new Guarded(http1.connection(ctx));
    }

    // ---------------------------------------------------------------- admission and the reaper

    /** Counts a new connection in; beyond the limit, the longest-idle one makes way, or this one is refused. */
    private void admit(Guarded g) {
        open.add(g);
        if (served.incrementAndGet() <= max) {
            return;
        }
        Guarded victim = null;
        long longest = -1;
        long now = System.nanoTime();
        for (Guarded o : open) {
            if (o != g && o.idle() && now - o.idleSince > longest) {
                victim = o;
                longest = now - o.idleSince;
            }
        }
        if (victim != null && victim.shut(false)) {
            metrics.connectionEvicted();
        } else {
            g.overflow = true;
            served.decrementAndGet();
            metrics.connectionRefused();
        }
    }

    private void reap(Duration period) {
        while (!stopped) {
            try {
                Thread.sleep(period);
                long now = System.nanoTime();
                for (Guarded g : open) {
                    check(g, now);
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.warn("connection guard: {}", e.toString());
            }
        }
    }

    private void check(Guarded g, long now) {
        if (g.closing.get() || g.streams.get() > 0) {
            return;
        }
        if (g.readingRequestLine()) {
            // an overflow connection only has to say what it wants before its 503
            long limit = g.overflow ? Math.min(idleNanos, headerNanos) : idleNanos;
            if (now - g.idleSince > limit && g.shut(false)) {
                metrics.connectionTimedOut("idle");
            }
            return;
        }
        switch (g.phase) {
            case HEAD -> {
                if (now - g.since > headerNanos && g.shut(true)) {
                    metrics.connectionTimedOut("header");
                }
            }
            case BODY, DRAIN -> {
                if (now - g.since > bodyNanos && g.shut(true)) {
                    metrics.connectionTimedOut("body");
                }
            }
            default -> { }
        }
    }

    @Override
    public void close() {
        stopped = true;
        reaper.interrupt();
    }

    // ---------------------------------------------------------------- a connection

    /** One accepted connection: Helidon's, with what the guard knows about it. */
    final class Guarded implements ServerConnection, InterruptableTask<Void> {

        private final ServerConnection delegate;
        private final AtomicInteger streams = new AtomicInteger();
        private final AtomicBoolean closing = new AtomicBoolean();
        private final List<AutoCloseable> owned = new ArrayList<>();
        volatile Phase phase = Phase.IDLE;
        volatile long since = System.nanoTime();
        volatile long idleSince = since;
        /** Admitted beyond the limit: answered 503 and closed. */
        volatile boolean overflow;
        /** Closed by a timeout of the guard (a read failing now is the client's doing). */
        volatile boolean timedOut;

        Guarded(ServerConnection delegate) {
            this.delegate = delegate;
        }

        @Override
        public void handle(Limit limit) throws InterruptedException {
            CURRENT.set(this);
            try {
                admit(this);
                delegate.handle(limit);
            } finally {
                CURRENT.remove();
                open.remove(this);
                if (closing.compareAndSet(false, true) && !overflow) {
                    served.decrementAndGet();
                }
                releaseOwned();
            }
        }

        @Override
        public Duration idleTime() {
            return streams.get() > 0 ? Duration.ZERO : delegate.idleTime();
        }

        @Override
        public void close(boolean interrupt) {
            delegate.close(interrupt);
        }

        @Override
        public boolean canInterrupt() {
            return delegate instanceof InterruptableTask<?> t && t.canInterrupt();
        }

        /** Helidon's HTTP/1 connection waits for a request line (or has upgraded and is no stream of ours). */
        boolean readingRequestLine() {
            return canInterrupt();
        }

        /** Waiting for a request and free to go: what gives way to a new connection at the limit. */
        boolean idle() {
            return !closing.get() && !overflow && streams.get() == 0 && readingRequestLine();
        }

        void enter(Phase p) {
            long now = System.nanoTime();
            since = now;
            phase = p;
            if (p == Phase.IDLE || p == Phase.DRAIN || p == Phase.REQUEST) {
                idleSince = now;
            }
        }

        /** The request ended; the body was {@code drained} or Helidon still has to read the rest of it. */
        void requestEnded(boolean bodyLeft) {
            enter(bodyLeft ? Phase.DRAIN : Phase.IDLE);
        }

        Phasing stream() {
            streams.incrementAndGet();
            AtomicBoolean ended = new AtomicBoolean();
            return () -> {
                if (ended.compareAndSet(false, true)) {
                    idleSince = System.nanoTime();
                    streams.decrementAndGet();
                }
            };
        }

        /** Releases {@code resource} when this connection ends, if nothing has before. */
        void own(AutoCloseable resource) {
            synchronized (owned) {
                owned.add(resource);
            }
        }

        private void releaseOwned() {
            List<AutoCloseable> all;
            synchronized (owned) {
                all = List.copyOf(owned);
                owned.clear();
            }
            for (AutoCloseable c : all) {
                try {
                    c.close();
                } catch (Exception e) {
                    LOG.debug("releasing {}: {}", c, e.toString());
                }
            }
        }

        /** Closes this connection once (interrupting its thread if {@code interrupt}); false if it was closing already. */
        boolean shut(boolean interrupt) {
            if (!closing.compareAndSet(false, true)) {
                return false;
            }
            if (!overflow) {
                served.decrementAndGet();
            }
            timedOut = interrupt;
            delegate.close(interrupt);
            return true;
        }
    }

    /** Helidon tells, on the connection's thread, when a request line and its headers have been read. */
    private static final class PhaseListener implements Http1ConnectionListener {
        @Override
        public void prologue(ConnectionContext ctx, HttpPrologue prologue) {
            Guarded g = CURRENT.get();
            if (g != null) {
                g.enter(Phase.HEAD);
            }
        }

        @Override
        public void headers(ConnectionContext ctx, Headers headers) {
            Guarded g = CURRENT.get();
            if (g != null) {
                g.enter(Phase.REQUEST);
            }
        }
    }
}
