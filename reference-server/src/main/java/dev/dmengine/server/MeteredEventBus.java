package dev.dmengine.server;

import dev.dmengine.spi.infra.Event;
import dev.dmengine.spi.infra.EventBus;
import dev.dmengine.spi.infra.EventListener;
import dev.dmengine.spi.infra.NewEvent;
import dev.dmengine.spi.infra.Subscription;

import java.util.List;
import java.util.function.Consumer;

/** The engine's event bus with every published event counted by the server's metrics. */
final class MeteredEventBus implements EventBus {

    private final EventBus delegate;
    private final Consumer<Event> observer;

    MeteredEventBus(EventBus delegate, Consumer<Event> observer) {
        this.delegate = delegate;
        this.observer = observer;
    }

    @Override
    public Event publish(String topic, String name, String data) {
        Event event = delegate.publish(topic, name, data);
        observer.accept(event);
        return event;
    }

    @Override
    public List<Event> publishAll(String topic, List<NewEvent> events) {
        List<Event> published = delegate.publishAll(topic, events);
        published.forEach(observer);
        return published;
    }

    @Override
    public Subscription subscribe(String topic, long afterId, EventListener listener) {
        return delegate.subscribe(topic, afterId, listener);
    }

    @Override
    public List<Event> since(String topic, long afterId, int limit) {
        return delegate.since(topic, afterId, limit);
    }

    @Override
    public long lastId(String topic) {
        return delegate.lastId(topic);
    }
}
