package dev.dmengine.core.inmemory;

import dev.dmengine.spi.infra.Event;
import dev.dmengine.spi.infra.EventBus;
import dev.dmengine.spi.infra.EventListener;
import dev.dmengine.spi.infra.NewEvent;
import dev.dmengine.spi.infra.Subscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * JVM-local topics with per-topic monotonic ids and bounded replay.
 *
 * <p>Each topic keeps its last {@code retention} events. Publishing assigns the id and hands
 * the event to every subscriber's own queue under the topic's lock, so each subscriber's queue
 * is in id order; subscribing snapshots the retained events and joins under the same lock, so
 * a replay and the live events that follow meet without a gap or a duplicate.
 *
 * <p>Delivery is synchronous: the publishing (or subscribing) thread drains the subscribers'
 * queues before it returns, except a queue another thread is already draining, which that
 * thread finishes. A listener therefore never runs on two threads at once, always sees events
 * in id order, and a slow listener delays only the threads that deliver to it. A listener
 * that throws is logged and unsubscribed; the others carry on.
 */
public final class InMemoryEventBus implements EventBus {

    public static final int DEFAULT_RETENTION = 10_000;
    /** The most events {@link #since} returns at once. */
    public static final int MAX_SINCE_LIMIT = 100_000;

    private static final Logger LOG = LoggerFactory.getLogger(InMemoryEventBus.class);

    private final Clock clock;
    private final int retention;
    private final ConcurrentHashMap<String, Topic> topics = new ConcurrentHashMap<>();

    /**
     * @param retention how many of its latest events each topic keeps for replay
     */
    public InMemoryEventBus(Clock clock, int retention) {
        this.clock = Checks.notNull(clock, "clock");
        if (retention < 1) {
            throw new IllegalArgumentException("retention must be at least 1 event, was " + retention);
        }
        this.retention = retention;
    }

    public InMemoryEventBus(Clock clock) {
        this(clock, DEFAULT_RETENTION);
    }

    public InMemoryEventBus() {
        this(Clock.systemUTC());
    }

    private final class Topic {
        final String name;
        final ArrayDeque<Event> retained = new ArrayDeque<>();
        final List<Sub> subscribers = new CopyOnWriteArrayList<>();
        long lastId;

        Topic(String name) {
            this.name = name;
        }
    }

    private final class Sub implements Subscription {
        final Topic topic;
        final EventListener listener;
        final ConcurrentLinkedQueue<Event> pending = new ConcurrentLinkedQueue<>();
        final AtomicBoolean draining = new AtomicBoolean();
        volatile boolean closed;

        Sub(Topic topic, EventListener listener) {
            this.topic = topic;
            this.listener = listener;
        }

        void drain() {
            while (!closed && !pending.isEmpty() && draining.compareAndSet(false, true)) {
                try {
                    Event e;
                    while (!closed && (e = pending.poll()) != null) {
                        deliver(e);
                    }
                } finally {
                    draining.set(false);
                }
                // loop again: an event may have been queued after the last poll but before the flag was cleared
            }
        }

        private void deliver(Event e) {
            try {
                listener.onEvent(e);
            } catch (RuntimeException | Error failure) {
                if (failure instanceof VirtualMachineError vme) {
                    throw vme;
                }
                LOG.warn("event listener on topic {} failed at event {}; unsubscribing it", topic.name, e.id(),
                        failure);
                close();
            }
        }

        @Override
        public void close() {
            closed = true;
            topic.subscribers.remove(this);
            pending.clear();
        }
    }

    @Override
    public long lastId(String topic) {
        Checks.notBlank(topic, "topic");
        Topic t = topics.get(topic);
        if (t == null) {
            return 0;
        }
        synchronized (t) {
            return t.lastId;
        }
    }

    @Override
    public Event publish(String topic, String name, String data) {
        return publishAll(topic, List.of(new NewEvent(name, data))).getFirst();
    }

    /** Appends the events under the topic's lock: checked first, then all in one id run. */
    @Override
    public List<Event> publishAll(String topic, List<NewEvent> events) {
        Checks.notBlank(topic, "topic");
        Checks.notNull(events, "events");
        for (NewEvent e : events) {
            Checks.notBlank(Checks.notNull(e, "events[]").name(), "name");
        }
        if (events.isEmpty()) {
            return List.of();
        }
        Topic t = topics.computeIfAbsent(topic, Topic::new);
        List<Event> published = new ArrayList<>(events.size());
        List<Sub> targets;
        synchronized (t) {
            for (NewEvent e : events) {
                Event event = new Event(topic, ++t.lastId, e.name(), e.data(), clock.instant());
                published.add(event);
                t.retained.addLast(event);
                if (t.retained.size() > retention) {
                    t.retained.removeFirst();
                }
            }
            targets = List.copyOf(t.subscribers);
            for (Sub s : targets) {
                s.pending.addAll(published);
            }
        }
        for (Sub s : targets) {
            s.drain();
        }
        return List.copyOf(published);
    }

    @Override
    public Subscription subscribe(String topic, long afterId, EventListener listener) {
        Checks.notBlank(topic, "topic");
        Checks.notNull(listener, "listener");
        if (afterId < 0) {
            throw new IllegalArgumentException("afterId must not be negative, was " + afterId);
        }
        Topic t = topics.computeIfAbsent(topic, Topic::new);
        Sub sub = new Sub(t, listener);
        synchronized (t) {
            for (Event e : t.retained) {
                if (e.id() > afterId) {
                    sub.pending.add(e);
                }
            }
            t.subscribers.add(sub);
        }
        sub.drain();
        return sub;
    }

    @Override
    public List<Event> since(String topic, long afterId, int limit) {
        Checks.notBlank(topic, "topic");
        Checks.limit(limit, MAX_SINCE_LIMIT, "limit");
        Topic t = topics.get(topic);
        if (t == null) {
            return List.of();
        }
        List<Event> out = new ArrayList<>(Math.min(limit, 256));
        synchronized (t) {
            for (Event e : t.retained) {
                if (e.id() > afterId) {
                    out.add(e);
                    if (out.size() == limit) {
                        break;
                    }
                }
            }
        }
        return List.copyOf(out);
    }
}
