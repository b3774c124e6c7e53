package dev.dmengine.examples.jersey;

import dev.dmengine.core.DmEngine;
import dev.dmengine.core.turn.TurnEvent;
import dev.dmengine.core.turn.TurnListener;
import dev.dmengine.core.turn.TurnRequest;
import dev.dmengine.spi.UnavailableException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * One turn, played on a virtual thread of its own and streamed to an {@link SseEventSink}.
 *
 * <p>Why a thread: Jersey sends the response (and so the first event) only once the resource
 * method has returned. Why wait for the first event before returning: until the turn has
 * started, the engine may still refuse it (not found, conflict, rate limited, invalid input), and
 * that should be an HTTP status with a problem+json body, not a stream. So the resource method
 * returns when the turn's first event is out, or throws what the engine threw before it.
 *
 * <p>A client that goes away cancels the turn: the engine then ends it with {@code turn.failed}
 * and keeps the player's message, as it does for any failure.
 */
final class TurnStream implements TurnListener {

    private static final Logger LOG = LoggerFactory.getLogger(TurnStream.class);

    private final SseEventSink sink;
    private final Sse sse;
    private final TurnRequest request;
    private final CompletableFuture<Void> started = new CompletableFuture<>();

    private TurnStream(SseEventSink sink, Sse sse, TurnRequest request) {
        this.sink = sink;
        this.sse = sse;
        this.request = request;
    }

    /** Starts the turn; returns once it streams, or throws why the engine refused it. */
    static void start(DmEngine engine, TurnRequest request, SseEventSink sink, Sse sse) {
        TurnStream stream = new TurnStream(sink, sse, request);
        Thread.ofVirtual().name("turn-" + request.sessionId()).start(() -> stream.play(engine));
        stream.awaitStart();
    }

    @Override
    public void onEvent(TurnEvent event) {
        started.complete(null);
        try {
            sink.send(sse.newEventBuilder().name(event.name()).mediaType(MediaType.APPLICATION_JSON_TYPE)
                            .data(event.getClass(), event).build())
                    .whenComplete((ok, failure) -> {
                        if (failure != null) { // the client is gone
                            request.cancellation().cancel();
                        }
                    });
        } catch (IllegalStateException closed) { // the sink closed when its connection did
            request.cancellation().cancel();
        }
    }

    private void play(DmEngine engine) {
        try {
            engine.turns().play(request, this);
            started.complete(null);
        } catch (RuntimeException | Error e) {
            if (!started.completeExceptionally(e)) { // after the start the stream already said turn.failed
                LOG.debug("turn in session {} failed: {}", request.sessionId(), e.toString());
            }
        } finally {
            if (!started.isCompletedExceptionally()) { // a refused turn's sink was never the response
                closeSink();
            }
        }
    }

    private void closeSink() {
        try {
            sink.close();
        } catch (IOException | RuntimeException e) {
            LOG.debug("closing the stream of session {}: {}", request.sessionId(), e.toString());
        }
    }

    private void awaitStart() {
        try {
            started.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw (Error) e.getCause();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            request.cancellation().cancel();
            throw new UnavailableException("interrupted while the turn was starting", e);
        }
    }
}
