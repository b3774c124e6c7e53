package dev.dmengine.core.turn;

import dev.dmengine.spi.infra.Event;
import dev.dmengine.spi.infra.EventBus;
import dev.dmengine.spi.infra.NewEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Step 7's and 9's outlet: each event of a turn goes to the session's topic on the event bus
 * first, then to the caller's listener with the id the bus gave it, so a client streaming its
 * own turn and one following the session's event stream see the same ids and can resume from
 * either. A bus that fails does not stop the turn (the listener gets id 0); a listener that
 * throws is logged and gets no more events (its client has gone).
 *
 * <h2>Group publishing</h2>
 * The turn does not wait for the bus. {@link Outlet#emit} queues the event and returns; one
 * publisher per turn at a time (a virtual thread, started when the queue stops being empty)
 * takes everything queued — at most {@value #MAX_BATCH} events — appends it with one
 * {@link EventBus#publishAll} and hands each event to the listener, then takes what queued up
 * meanwhile. While the model streams slower than the bus answers, each token goes out alone, as
 * soon as it comes; when tokens come faster (a fast model, a slow or remote bus) they go out
 * together, one round trip for many, instead of the turn waiting a round trip per token (on
 * Redis, ~90 a turn). Order is kept: one publisher, in queue order. {@link Outlet#finish} waits
 * until everything emitted has been published and delivered; the engine calls it before a turn
 * returns or throws, so a caller has every event, the terminal one last, when {@code play}
 * returns.
 */
final class TurnEvents {

    /** The most events one publish carries. */
    static final int MAX_BATCH = 64;

    private static final Logger LOG = LoggerFactory.getLogger(TurnEvents.class);

    private final EventBus bus;

    TurnEvents(EventBus bus) {
        this.bus = bus;
    }

    Outlet open(UUID sessionId, TurnListener listener) {
        return new Outlet(TurnEngine.topic(sessionId), listener == null ? TurnListener.NONE : listener);
    }

    /** One turn's outlet. */
    final class Outlet {
        private final String topic;
        private final TurnListener listener;
        private final ArrayDeque<TurnEvent> queued = new ArrayDeque<>(); // guarded by this
        private boolean publishing; // guarded by this: a publisher is draining the queue
        private volatile boolean broken;

        private Outlet(String topic, TurnListener listener) {
            this.topic = topic;
            this.listener = listener;
        }

        /** Queues the event to be published, then handed to the listener with its bus id. */
        void emit(TurnEvent event) {
            synchronized (this) {
                queued.addLast(event);
                if (publishing) {
                    return;
                }
                publishing = true;
            }
            try {
                Thread.ofVirtual().name("dm-turn-events").start(this::publishQueued);
            } catch (RuntimeException | OutOfMemoryError e) {
                publishQueued(); // no thread to be had: publish on the turn's own
            }
        }

        /** To this caller only (id 0): an idempotent retry's result, which subscribers saw when it happened. */
        void toCaller(TurnEvent event) {
            finish();
            deliver(event, 0);
        }

        /**
         * Returns once every event emitted so far has been published and handed to the
         * listener. Not cut short by an interrupt (the bus's own timeouts bound it); the
         * interrupt is kept for the caller.
         */
        synchronized void finish() {
            boolean interrupted = false;
            while (publishing) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }

        private void publishQueued() {
            boolean drained = false;
            try {
                while (true) {
                    List<TurnEvent> batch;
                    synchronized (this) {
                        if (queued.isEmpty()) {
                            publishing = false;
                            drained = true;
                            notifyAll();
                            return;
                        }
                        batch = new ArrayList<>(Math.min(queued.size(), MAX_BATCH));
                        while (!queued.isEmpty() && batch.size() < MAX_BATCH) {
                            batch.add(queued.pollFirst());
                        }
                    }
                    long[] ids = publish(batch);
                    for (int i = 0; i < batch.size(); i++) {
                        deliver(batch.get(i), ids[i]);
                    }
                }
            } finally {
                if (!drained) { // an Error escaped: let finish() return rather than wait for ever
                    synchronized (this) {
                        queued.clear();
                        publishing = false;
                        notifyAll();
                    }
                }
            }
        }

        /** The bus ids of the batch; 0 for each when the bus failed. */
        private long[] publish(List<TurnEvent> batch) {
            long[] ids = new long[batch.size()];
            try {
                List<NewEvent> drafts = new ArrayList<>(batch.size());
                for (TurnEvent e : batch) {
                    drafts.add(new NewEvent(e.name(), e.json()));
                }
                List<Event> published = bus.publishAll(topic, drafts);
                for (int i = 0; i < ids.length; i++) {
                    ids[i] = published.get(i).id();
                }
            } catch (RuntimeException e) {
                TurnEvent first = batch.getFirst();
                LOG.warn("could not publish {} event(s) of turn {} from {}: {}", batch.size(), first.turnId(),
                        first.name(), e.toString());
            }
            return ids;
        }

        private void deliver(TurnEvent event, long id) {
            if (broken) {
                return;
            }
            try {
                listener.onPublished(event, id);
            } catch (RuntimeException e) {
                broken = true;
                LOG.warn("turn listener failed on {}; it gets no more events of turn {}: {}", event.name(),
                        event.turnId(), e.toString());
            }
        }
    }
}
