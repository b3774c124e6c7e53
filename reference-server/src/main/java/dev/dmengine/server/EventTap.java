package dev.dmengine.server;

import dev.dmengine.spi.infra.Event;
import dev.dmengine.spi.infra.EventBus;
import dev.dmengine.spi.infra.EventListener;
import dev.dmengine.spi.infra.Subscription;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The engine's event bus, seen by the server. It remembers the last id published per topic
 * (where a new live subscriber starts) and lets a thread that plays a turn receive each event
 * it publishes, with the id the bus gave it — so a turn streamed on its own POST carries the
 * same ids as the session's event stream, and a client can resume from either.
 */
final class EventTap implements EventBus {

    private final EventBus delegate;
    private final Map<String, Long> lastIds = new ConcurrentHashMap<>();
    private final ThreadLocal<Consumer<Event>> taps = new ThreadLocal<>();
    private final Consumer<Event> observer;

    EventTap(EventBus delegate, Consumer<Event> observer) {
        this.delegate = delegate;
        this.observer = observer;
    }

    @Override
    public Event publish(String topic, String name, String data) {
        Event event = delegate.publish(topic, name, data);
        lastIds.merge(topic, event.id(), Math::max);
        observer.accept(event);
        Consumer<Event> tap = taps.get();
        if (tap != null) {
            try {
                tap.accept(event);
            } catch (RuntimeException e) {
                // the tap's client went away: the turn goes on
            }
        }
        return event;
    }

    @Override
    public Subscription subscribe(String topic, long afterId, EventListener listener) {
        return delegate.subscribe(topic, afterId, listener);
    }

    @Override
    public List<Event> since(String topic, long afterId, int limit) {
        return delegate.since(topic, afterId, limit);
    }

    /** The id of the topic's latest event published through this server, 0 if none. */
    long lastId(String topic) {
        return lastIds.getOrDefault(topic, 0L);
    }

    /** Runs {@code work} on this thread, handing {@code tap} every event it publishes. */
    <T> T tapped(Consumer<Event> tap, Supplier<T> work) {
        Consumer<Event> previous = taps.get();
        taps.set(tap);
        try {
            return work.get();
        } finally {
            if (previous == null) {
                taps.remove();
            } else {
                taps.set(previous);
            }
        }
    }
}
