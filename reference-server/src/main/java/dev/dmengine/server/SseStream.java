package dev.dmengine.server;

import io.helidon.http.HeaderNames;
import io.helidon.http.sse.SseEvent;
import io.helidon.webserver.http.ServerResponse;
import io.helidon.webserver.sse.SseSink;

import java.time.Instant;

/**
 * A server-sent event stream opened on first use, so that a request can still be answered
 * with a problem until its first event. Emitting is thread-safe; once the client is gone every
 * emit is a no-op and {@link #broken()} says so.
 */
final class SseStream implements AutoCloseable {

    private final ServerResponse res;
    private final Metrics metrics;
    private SseSink sink;
    private boolean broken;
    private boolean closed;

    SseStream(ServerResponse res, Metrics metrics) {
        this.res = res;
        this.metrics = metrics;
    }

    synchronized boolean opened() {
        return sink != null;
    }

    synchronized boolean broken() {
        return broken;
    }

    /** Emits one event; {@code id} may be null (heartbeats, replayed results). */
    synchronized void emit(String id, String name, String data) {
        if (broken || closed) {
            return;
        }
        try {
            if (sink == null) {
                res.header(HeaderNames.CACHE_CONTROL, "no-store");
                res.header("X-Accel-Buffering", "no");
                sink = res.sink(SseSink.TYPE);
                metrics.sseStreams.incrementAndGet();
            }
            SseEvent.Builder b = SseEvent.builder().name(name).data(data);
            if (id != null) {
                b.id(id);
            }
            sink.emit(b.build());
        } catch (RuntimeException e) {
            broken = true;
        }
    }

    void heartbeat() {
        emit(null, "heartbeat", "{\"at\":\"" + Instant.now() + "\"}");
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (sink != null) {
            metrics.sseStreams.decrementAndGet();
            try {
                sink.close();
            } catch (RuntimeException e) {
                // the client is gone
            }
        }
    }
}
