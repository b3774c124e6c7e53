package dev.dmengine.core.turn;

import dev.dmengine.spi.infra.EventBus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.UUID;

/**
 * Step 7's and 9's outlet: each event of a turn goes to the session's topic on the event bus
 * first, then to the caller's listener with the id the bus gave it, so a client streaming its
 * own turn and one following the session's event stream see the same ids and can resume from
 * either. A bus that fails does not stop the turn (the listener gets id 0); a listener that
 * throws is logged and gets no more events (its client has gone).
 */
final class TurnEvents {

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
        private volatile boolean broken;

        private Outlet(String topic, TurnListener listener) {
            this.topic = topic;
            this.listener = listener;
        }

        /** Publishes the event and hands it to the listener with its bus id. */
        void emit(TurnEvent event) {
            long id = 0;
            try {
                id = bus.publish(topic, event.name(), event.json()).id();
            } catch (RuntimeException e) {
                LOG.warn("could not publish {} of turn {}: {}", event.name(), event.turnId(), e.toString());
            }
            deliver(event, id);
        }

        /** To this caller only (id 0): an idempotent retry's result, which subscribers saw when it happened. */
        void toCaller(TurnEvent event) {
            deliver(event, 0);
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
