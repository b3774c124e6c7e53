package dev.dmengine.server;

import dev.dmengine.spi.infra.Event;
import dev.dmengine.spi.infra.EventBus;
import dev.dmengine.spi.infra.Subscription;

import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The loop behind every event stream, SSE or WebSocket: the events of one topic in order, and
 * a heartbeat every heartbeat interval. A pump sleeps on its queue until an event arrives or the
 * next heartbeat is due, so an idle stream wakes once per heartbeat (ten thousand idle streams
 * polling four times a second kept a core busy); it is woken at once when the server closes the
 * streams or the client says goodbye. A client too slow for its stream (its buffer of
 * {@value #BUFFER} events full) is cut off and resumes with {@code Last-Event-ID}.
 */
final class EventPumps {

    static final int BUFFER = 4096;
    /** Put in a queue to wake its pump; never sent. */
    private static final Event WAKE = new Event("-", 1, "wake", "{}", Instant.EPOCH);

    /** Where a pump sends; each call answers whether the client is still there. */
    interface Sink {
        boolean event(Event e);

        boolean heartbeat();
    }

    private final EventBus events;
    private final long heartbeatNanos;
    private final Set<Pump> running = ConcurrentHashMap.newKeySet();
    private volatile boolean closing;

    EventPumps(EventBus events, Duration heartbeat) {
        this.events = events;
        this.heartbeatNanos = heartbeat.toNanos();
    }

    /** Subscribes to {@code topic} after event {@code after}; events queue up until {@link Pump#run} sends them. */
    Pump open(String topic, long after) {
        return new Pump(topic, after);
    }

    /** Ends every stream (shutdown). */
    void close() {
        closing = true;
        running.forEach(Pump::stop);
    }

    boolean closing() {
        return closing;
    }

    final class Pump implements AutoCloseable {
        // linked: an idle stream holds no 4096-slot array (16 KiB of a stream's ~60 KiB)
        private final BlockingQueue<Event> queue = new LinkedBlockingQueue<>(BUFFER);
        private final AtomicBoolean overflow = new AtomicBoolean();
        private final Subscription subscription;
        private volatile boolean stopped;

        private Pump(String topic, long after) {
            running.add(this);
            this.subscription = events.subscribe(topic, after, e -> {
                if (!queue.offer(e)) {
                    overflow.set(true);
                }
            });
            if (closing) {
                stop();
            }
        }

        /**
         * Sends a heartbeat at once (the subscription is live from here), then events and
         * heartbeats until the server closes, the client is gone or too slow, or {@link #stop}.
         */
        void run(Sink sink) throws InterruptedException {
            if (!sink.heartbeat()) {
                return;
            }
            long nextBeat = System.nanoTime() + heartbeatNanos;
            while (!closing && !stopped && !overflow.get()) {
                Event e = queue.poll(Math.max(0, nextBeat - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (e != null && e != WAKE && !sink.event(e)) {
                    return;
                }
                if (System.nanoTime() - nextBeat >= 0) {
                    if (!sink.heartbeat()) {
                        return;
                    }
                    nextBeat = System.nanoTime() + heartbeatNanos;
                }
            }
        }

        /** Ends {@link #run} soon, from any thread. */
        void stop() {
            stopped = true;
            queue.offer(WAKE);
        }

        @Override
        public void close() {
            running.remove(this);
            subscription.close();
        }
    }
}
