package dev.dmengine.redis;

import dev.dmengine.redis.internal.Checks;
import dev.dmengine.redis.internal.EventBusSettings;
import dev.dmengine.redis.internal.LuaScript;
import dev.dmengine.redis.internal.RedisCall;
import dev.dmengine.spi.InvalidInputException;
import dev.dmengine.spi.UnavailableException;
import dev.dmengine.spi.infra.Event;
import dev.dmengine.spi.infra.EventBus;
import dev.dmengine.spi.infra.EventListener;
import dev.dmengine.spi.infra.NewEvent;
import dev.dmengine.spi.infra.Subscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.params.XAddParams;
import redis.clients.jedis.params.XReadParams;
import redis.clients.jedis.resps.StreamEntry;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@link EventBus} shared by every server instance on one Redis: a Redis Stream per topic.
 *
 * <h2>Ids</h2>
 * Every publish runs one Lua script ({@code publish.lua}) that takes the topic's next id from a
 * counter key, appends the event to the stream under the explicit stream id {@code 0-<id>}
 * ({@code XADD … MAXLEN ~ retention}) and refreshes both keys' expiry. The script runs atomically
 * on the server, so concurrent publishers on any number of instances get one gap-free sequence per
 * topic, and the stream's order is the id order. Stream ids are the event ids, so replay and live
 * reads ask Redis for "everything after {@code 0-<id>}" with no translation table. Why a counter
 * next to the stream: the stream expires with its retention ({@code streamExpiry}) while the
 * counter lives longer ({@code idExpiry}), so a topic that was idle long enough to lose its events
 * still never reuses an id a client may hold as {@code Last-Event-ID}.
 *
 * <h2>Delivery</h2>
 * One dispatcher thread per bus blocks on {@code XREAD} over the streams of the topics that have a
 * subscriber on this instance, from the last id it delivered of each, and fans each event out in
 * the JVM. It costs one pooled connection while it waits, however many subscribers and topics
 * there are; a new topic wakes it through a small private stream of its own. Each subscriber has
 * a queue drained by a task on the delivery executor (virtual threads by default), so a listener
 * runs on one thread at a time, in id order, and a slow listener delays nobody else. A subscriber
 * that falls more than {@code maxPending} events behind stops being queued for and reads the
 * stream itself until it is level again (it then sees nothing the retention dropped meanwhile).
 * A listener that throws is logged and unsubscribed, as with the in-memory bus. Subscribers
 * catching up read the stream on an eighth of the pool at most, so a thousand clients
 * reconnecting at once (an instance restarted behind the gateway) queue for a few connections
 * instead of taking every connection the turns publish on.
 *
 * <h2>Replay and the seam</h2>
 * {@link #subscribe} with an {@code afterId} replays the retained events from the stream
 * ({@code XRANGE}) on the subscriber's task, then joins the live fan-out under the topic's lock
 * at the exact id the dispatcher has reached, so nothing is missed or repeated at the seam; each
 * subscriber also drops any event at or below the last id it delivered. A client that reconnects
 * to another instance with {@code Last-Event-ID} gets exactly the retained events it missed.
 *
 * <h2>Outages</h2>
 * While Redis is unreachable {@link #publish}, {@link #since} and the first subscription to a
 * topic throw {@link UnavailableException}; existing subscriptions stay open and the dispatcher
 * and catching-up subscribers retry with a backoff (up to 1 s), then continue where they were,
 * without duplicates. If Redis comes back without the data (a restart without persistence), ids
 * must still never go backwards: an epoch marker key tells that the data was lost, and ids then
 * continue from the server clock in microseconds, above every id issued before (the marker holds
 * {@code 0} from the first use on, so a fresh deployment's ids start at 1). The same jump is
 * taken for a topic whose counter is found below the highest id a bus has seen of it (an older
 * snapshot was restored). After an outage the dispatcher re-seeds the counters of its topics the
 * same way before it reads on. Events published before the data was lost and not yet read are
 * gone. The one case this cannot cover: an instance that never saw the old marker recreating it
 * first (every instance restarted during the outage) restarts ids at 1; clients resuming with an
 * old {@code Last-Event-ID} then see only events above it.
 */
public final class RedisEventBus implements EventBus, AutoCloseable {

    /** The longest topic accepted, in characters. */
    public static final int MAX_TOPIC_CHARS = 256;
    /** The longest event name accepted, in characters. */
    public static final int MAX_NAME_CHARS = 128;
    /** The most events {@link #since} returns at once. */
    public static final int MAX_SINCE_LIMIT = 100_000;

    private static final Logger LOG = LoggerFactory.getLogger(RedisEventBus.class);
    /** The most events {@link #publishAll} appends at once. */
    public static final int MAX_BATCH = 1_000;

    private static final LuaScript PUBLISH = LuaScript.load("publish", "event-ids");
    private static final LuaScript PUBLISH_ALL = LuaScript.load("publish-all", "event-ids");
    private static final LuaScript RESEED = LuaScript.load("reseed", "event-ids");
    private static final long WAKE_EXPIRY_MILLIS = Duration.ofHours(1).toMillis();
    private static final long MAX_BACKOFF_MILLIS = 1_000;

    private final RedisCall redis;
    private final String streamPrefix;
    private final String counterPrefix;
    private final String epochKey;
    private final String wakeKey;
    private final EventBusSettings settings;
    private final Executor delivery;
    private final ConcurrentHashMap<String, Topic> topics = new ConcurrentHashMap<>();
    private final AtomicInteger subscriberCount = new AtomicInteger();
    private final Semaphore catchUpReads;
    private final Object parking = new Object();
    private volatile String knownEpoch;
    private volatile boolean closed;
    private Thread dispatcher; // guarded by parking

    RedisEventBus(RedisCall redis, String keyPrefix, String instanceId, EventBusSettings settings, Executor delivery) {
        this.redis = Checks.notNull(redis, "redis");
        this.streamPrefix = keyPrefix + "ev:";
        this.counterPrefix = keyPrefix + "evid:";
        this.epochKey = keyPrefix + "evmeta:epoch";
        this.wakeKey = keyPrefix + "evmeta:wake:" + instanceId;
        this.settings = Checks.notNull(settings, "settings");
        this.delivery = Checks.notNull(delivery, "delivery");
        this.catchUpReads = new Semaphore(settings.catchUpReads());
    }

    @Override
    public Event publish(String topic, String name, String data) {
        ensureOpen();
        String t = Checks.text(topic, "topic", MAX_TOPIC_CHARS);
        String n = Checks.text(name, "name", MAX_NAME_CHARS);
        String d = Checks.sized(data, "data", settings.maxEventChars());
        readEpochOnce();
        Topic local = topics.get(t);
        long floor = local == null ? 0 : local.highest;
        List<?> reply = (List<?>) redis.script("publish an event", PUBLISH,
                List.of(counterPrefix + t, streamPrefix + t, epochKey),
                List.of(epochArg(), Long.toString(floor), Integer.toString(settings.retention()),
                        Long.toString(settings.streamExpiry().toMillis()), Long.toString(settings.idExpiry().toMillis()),
                        n, d));
        long id = Long.parseLong((String) reply.get(0));
        long at = Long.parseLong((String) reply.get(1));
        learnEpoch((String) reply.get(2));
        if (local != null) {
            local.saw(id);
        }
        return new Event(t, id, n, d, Instant.ofEpochMilli(at));
    }

    /**
     * Appends the events in one round trip (one script): checked first, then given consecutive
     * ids with no other publisher's event between them. At most {@link #MAX_BATCH} at once.
     */
    @Override
    public List<Event> publishAll(String topic, List<NewEvent> events) {
        ensureOpen();
        String t = Checks.text(topic, "topic", MAX_TOPIC_CHARS);
        Checks.notNull(events, "events");
        if (events.size() > MAX_BATCH) {
            throw new InvalidInputException("events", "at most " + MAX_BATCH + " at once, was " + events.size());
        }
        if (events.isEmpty()) {
            return List.of();
        }
        List<String> args = new ArrayList<>(5 + 2 * events.size());
        readEpochOnce();
        Topic local = topics.get(t);
        args.addAll(List.of(epochArg(), Long.toString(local == null ? 0 : local.highest),
                Integer.toString(settings.retention()), Long.toString(settings.streamExpiry().toMillis()),
                Long.toString(settings.idExpiry().toMillis())));
        for (NewEvent e : events) {
            Checks.notNull(e, "events[]");
            args.add(Checks.text(e.name(), "name", MAX_NAME_CHARS));
            args.add(Checks.sized(e.data(), "data", settings.maxEventChars()));
        }
        List<?> reply = (List<?>) redis.script("publish events", PUBLISH_ALL,
                List.of(counterPrefix + t, streamPrefix + t, epochKey), args);
        long first = Long.parseLong((String) reply.get(0));
        Instant at = Instant.ofEpochMilli(Long.parseLong((String) reply.get(1)));
        learnEpoch((String) reply.get(2));
        List<Event> published = new ArrayList<>(events.size());
        for (int i = 0; i < events.size(); i++) {
            published.add(new Event(t, first + i, events.get(i).name(), events.get(i).data(), at));
        }
        if (local != null) {
            local.saw(first + events.size() - 1);
        }
        return List.copyOf(published);
    }

    @Override
    public List<Event> since(String topic, long afterId, int limit) {
        String t = Checks.text(topic, "topic", MAX_TOPIC_CHARS);
        checkAfterId(afterId);
        if (limit < 1 || limit > MAX_SINCE_LIMIT) {
            throw new InvalidInputException("limit", "must be 1 to " + MAX_SINCE_LIMIT + ", was " + limit);
        }
        return toEvents(t, range(t, afterId, limit));
    }

    @Override
    public Subscription subscribe(String topic, long afterId, EventListener listener) {
        ensureOpen();
        String t = Checks.text(topic, "topic", MAX_TOPIC_CHARS);
        checkAfterId(afterId);
        Checks.notNull(listener, "listener");
        Sub sub = new Sub(listener, afterId);
        boolean activated = join(t, sub);
        subscriberCount.incrementAndGet();
        if (activated) {
            wakeDispatcher();
        }
        sub.signal();
        return sub;
    }

    /** Topics with at least one subscriber on this instance. */
    public int activeTopics() {
        return topics.size();
    }

    /** Open subscriptions on this instance. */
    public int subscribers() {
        return subscriberCount.get();
    }

    /**
     * Stops the dispatcher and closes every subscription. The client and the delivery executor
     * are closed by their owner ({@link RedisAdapters#close()}).
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        Thread running;
        synchronized (parking) {
            running = dispatcher;
            parking.notifyAll();
        }
        for (Topic t : List.copyOf(topics.values())) {
            List<Sub> subs;
            synchronized (t) {
                subs = List.copyOf(t.subs);
            }
            subs.forEach(Sub::close);
        }
        if (running != null) {
            pokeWakeStream(); // ends a blocking read at once instead of at its timeout
            try {
                running.join(settings.blockTimeout().multipliedBy(2).toMillis() + 5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            redis.run("remove the dispatcher's wake stream", c -> c.del(wakeKey));
        } catch (RuntimeException e) {
            // it expires on its own
        }
    }

    // ---- subscribing ----------------------------------------------------------------------

    /** Adds the subscriber to its topic; {@code true} if the topic is new on this instance. */
    private boolean join(String name, Sub sub) {
        while (true) {
            Topic t = topics.computeIfAbsent(name, Topic::new);
            synchronized (t) {
                if (t.removed) {
                    continue; // its last subscriber just left; make a fresh one
                }
                sub.topic = t;
                t.subs.add(sub);
                if (t.cursor >= 0) {
                    return false;
                }
                try {
                    t.cursor = lastId(t.name);
                    t.saw(t.cursor);
                    return true;
                } catch (RuntimeException e) {
                    t.subs.remove(sub);
                    if (t.subs.isEmpty()) {
                        t.removed = true;
                        topics.remove(name, t);
                    }
                    throw e;
                }
            }
        }
    }

    private void leave(Sub sub) {
        Topic t = sub.topic;
        synchronized (t) {
            if (!t.subs.remove(sub)) {
                return;
            }
            if (t.subs.isEmpty()) {
                t.removed = true;
                topics.remove(t.name, t);
            }
        }
        subscriberCount.decrementAndGet();
    }

    // ---- Redis access -----------------------------------------------------------------------

    @Override
    public long lastId(String topic) {
        readEpochOnce();
        List<StreamEntry> last = redis.run("read a topic's last event id",
                c -> c.xrevrange(streamPrefix + topic, "+", "-", 1));
        return last.isEmpty() ? 0 : last.getFirst().getID().getSequence();
    }

    private List<StreamEntry> range(String topic, long afterId, int limit) {
        if (afterId == Long.MAX_VALUE) {
            return List.of();
        }
        return redis.run("read retained events",
                c -> c.xrange(streamPrefix + topic, "0-" + (afterId + 1), "+", limit));
    }

    private List<Event> toEvents(String topic, List<StreamEntry> entries) {
        List<Event> events = new ArrayList<>(entries.size());
        for (StreamEntry e : entries) {
            Event event = toEvent(topic, e);
            if (event != null) {
                events.add(event);
            }
        }
        return List.copyOf(events);
    }

    private static Event toEvent(String topic, StreamEntry entry) {
        Map<String, String> f = entry.getFields();
        String name = f.get("n");
        String data = f.get("d");
        String at = f.get("t");
        long id = entry.getID().getSequence();
        if (name == null || data == null || at == null || id < 1) {
            LOG.warn("skipping stream entry {} of topic {}: not written by this bus", entry.getID(), topic);
            return null;
        }
        return new Event(topic, id, name, data, Instant.ofEpochMilli(Long.parseLong(at)));
    }

    /** Learns the epoch marker on first use, so that a later loss of the data is noticed. */
    private void readEpochOnce() {
        if (knownEpoch == null) {
            String epoch = redis.run("read the event epoch", c -> c.get(epochKey));
            if (epoch != null) {
                learnEpoch(epoch);
            }
        }
    }

    private String epochArg() {
        String e = knownEpoch;
        return e == null ? "" : e;
    }

    private void learnEpoch(String epoch) {
        String before = knownEpoch;
        if (before != null && !before.equals(epoch)) {
            LOG.warn("Redis lost its event streams (epoch {} is now {}); event ids continue above every earlier id",
                    before, epoch);
        }
        knownEpoch = epoch;
    }

    // ---- the dispatcher ---------------------------------------------------------------------

    private void wakeDispatcher() {
        synchronized (parking) {
            if (closed) {
                return;
            }
            if (dispatcher == null) {
                dispatcher = Thread.ofPlatform().daemon().name("dm-redis-events").start(this::dispatch);
            }
            parking.notifyAll();
        }
        pokeWakeStream();
    }

    private void pokeWakeStream() {
        try {
            redis.run("wake the event dispatcher", c -> {
                c.xadd(wakeKey, XAddParams.xAddParams().maxLen(1), Map.of("w", "1"));
                return c.pexpire(wakeKey, WAKE_EXPIRY_MILLIS);
            });
        } catch (RuntimeException e) {
            // the dispatcher's read ends at its block timeout and then includes the new topic
        }
    }

    /** The dispatcher thread's loop: read what is new on every active topic, fan it out, repeat. */
    private void dispatch() {
        StreamEntryID wakeCursor = new StreamEntryID(0, 0);
        boolean healthy = true;
        long backoff = 0;
        long refreshEvery = Math.max(1_000, settings.streamExpiry().toMillis() / 3) * 1_000_000L;
        long nextRefresh = System.nanoTime() + refreshEvery;
        while (!closed) {
            Map<String, StreamEntryID> streams = new HashMap<>();
            Map<String, Topic> byKey = new HashMap<>();
            for (Topic t : topics.values()) {
                long cursor = t.activeCursor();
                if (cursor >= 0) {
                    streams.put(t.streamKey, new StreamEntryID(0, cursor));
                    byKey.put(t.streamKey, t);
                }
            }
            if (byKey.isEmpty()) {
                park();
                continue;
            }
            streams.put(wakeKey, wakeCursor);
            try {
                if (!healthy) {
                    reseed(byKey.values());
                    healthy = true;
                    backoff = 0;
                    LOG.info("event dispatcher reconnected to Redis");
                }
                List<Map.Entry<String, List<StreamEntry>>> reply = redis.run("read new events",
                        c -> c.xread(XReadParams.xReadParams().count(settings.readBatch())
                                .block((int) settings.blockTimeout().toMillis()), streams));
                if (reply != null) {
                    for (Map.Entry<String, List<StreamEntry>> stream : reply) {
                        if (stream.getKey().equals(wakeKey)) {
                            if (!stream.getValue().isEmpty()) {
                                wakeCursor = stream.getValue().getLast().getID();
                            }
                        } else {
                            Topic t = byKey.get(stream.getKey());
                            if (t != null) {
                                t.dispatch(stream.getValue());
                            }
                        }
                    }
                }
                if (System.nanoTime() - nextRefresh > 0) {
                    refreshExpiries(byKey.values());
                    nextRefresh = System.nanoTime() + refreshEvery;
                }
            } catch (UnavailableException e) {
                if (healthy) {
                    LOG.warn("event dispatcher lost Redis, retrying: {}", e.getMessage());
                }
                healthy = false;
                backoff = Math.min(MAX_BACKOFF_MILLIS, Math.max(50, backoff * 2));
                pause(backoff);
            } catch (RuntimeException e) {
                LOG.error("event dispatcher failed, retrying in 1 s", e);
                healthy = false;
                pause(MAX_BACKOFF_MILLIS);
            }
        }
    }

    /** After an outage: the topics' next ids above everything this bus delivered (see the class doc). */
    private void reseed(Iterable<Topic> active) {
        for (Topic t : active) {
            String epoch = (String) redis.script("re-seed event ids", RESEED,
                    List.of(t.counterKey, t.streamKey, epochKey),
                    List.of(epochArg(), Long.toString(t.highest), Long.toString(settings.idExpiry().toMillis())));
            learnEpoch(epoch);
        }
    }

    /** Topics watched here do not expire while someone watches, even if nobody publishes. */
    private void refreshExpiries(Iterable<Topic> active) {
        for (Topic t : active) {
            redis.run("keep a watched topic", c -> {
                c.pexpire(t.streamKey, settings.streamExpiry().toMillis());
                return c.pexpire(t.counterKey, settings.idExpiry().toMillis());
            });
        }
    }

    private void park() {
        synchronized (parking) {
            boolean idle = topics.values().stream().noneMatch(t -> t.activeCursor() >= 0);
            if (idle && !closed) {
                try {
                    parking.wait(settings.blockTimeout().toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    closed = true;
                }
            }
        }
    }

    private void pause(long millis) {
        synchronized (parking) {
            if (!closed) {
                try {
                    parking.wait(millis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    closed = true;
                }
            }
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("the event bus is closed");
        }
    }

    private static void checkAfterId(long afterId) {
        if (afterId < 0) {
            throw new IllegalArgumentException("afterId must not be negative, was " + afterId);
        }
    }

    // ---- topics and subscribers ---------------------------------------------------------------

    /** A topic with subscribers on this instance. */
    private final class Topic {
        final String name;
        final String streamKey;
        final String counterKey;
        final List<Sub> subs = new ArrayList<>(); // guarded by this
        long cursor = -1; // guarded by this: the last id fanned out; -1 until the stream's end was read
        boolean removed; // guarded by this
        volatile long highest; // the highest id seen here, published or delivered: the floor for new ids

        Topic(String name) {
            this.name = name;
            this.streamKey = streamPrefix + name;
            this.counterKey = counterPrefix + name;
        }

        synchronized long activeCursor() {
            return removed ? -1 : cursor;
        }

        void saw(long id) {
            if (id > highest) {
                synchronized (this) {
                    if (id > highest) {
                        highest = id;
                    }
                }
            }
        }

        /** Fans a batch read by the dispatcher out to the live subscribers' queues. */
        void dispatch(List<StreamEntry> entries) {
            List<Sub> touched = new ArrayList<>();
            synchronized (this) {
                for (StreamEntry entry : entries) {
                    long id = entry.getID().getSequence();
                    if (id <= cursor) {
                        continue;
                    }
                    cursor = id;
                    Event event = toEvent(name, entry);
                    if (event == null) {
                        continue;
                    }
                    for (Sub s : subs) {
                        if (s.live) {
                            s.offer(event);
                            if (!s.touched) {
                                s.touched = true;
                                touched.add(s);
                            }
                        }
                    }
                }
                touched.forEach(s -> s.touched = false);
                saw(cursor);
            }
            touched.forEach(Sub::signal);
        }
    }

    /** One subscription: a queue the dispatcher fills while it is live, drained by one task at a time. */
    private final class Sub implements Subscription {
        final EventListener listener;
        final ConcurrentLinkedQueue<Event> queue = new ConcurrentLinkedQueue<>();
        final AtomicInteger queued = new AtomicInteger();
        final AtomicBoolean scheduled = new AtomicBoolean();
        final AtomicBoolean open = new AtomicBoolean(true);
        Topic topic; // set once, before the subscription is published
        volatile boolean live; // true: the dispatcher queues for it; false: it reads the stream itself
        boolean touched; // guarded by the topic's lock, used within one dispatch
        long last; // the last id delivered; only the draining task touches it
        long backoff;

        Sub(EventListener listener, long afterId) {
            this.listener = listener;
            this.last = afterId;
        }

        /** Called under the topic's lock. */
        void offer(Event e) {
            if (queued.get() >= settings.maxPending()) {
                live = false; // too far behind: stop queueing, it catches up from the stream
                return;
            }
            queue.add(e);
            queued.incrementAndGet();
        }

        void signal() {
            if (open.get() && scheduled.compareAndSet(false, true)) {
                try {
                    delivery.execute(this::drain);
                } catch (RejectedExecutionException e) {
                    scheduled.set(false); // the bus is closing
                }
            }
        }

        private void drain() {
            try {
                while (open.get()) {
                    Event e = queue.poll();
                    if (e != null) {
                        queued.decrementAndGet();
                        deliver(e);
                    } else if (live) {
                        break;
                    } else if (!catchUp()) {
                        backoff = Math.min(MAX_BACKOFF_MILLIS, Math.max(50, backoff * 2));
                        sleep(backoff);
                    }
                }
            } finally {
                scheduled.set(false);
            }
            if (open.get() && (!queue.isEmpty() || !live)) {
                signal(); // something arrived after the last poll, or it fell behind meanwhile
            }
        }

        /** One step of replay from the stream; {@code false} if Redis could not be read. */
        private boolean catchUp() {
            synchronized (topic) {
                if (last >= topic.cursor) {
                    live = true; // level with the dispatcher: every later event will be queued
                    return true;
                }
            }
            List<StreamEntry> batch;
            catchUpReads.acquireUninterruptibly();
            try {
                batch = range(topic.name, last, settings.readBatch());
            } catch (UnavailableException e) {
                return false;
            } finally {
                catchUpReads.release();
            }
            backoff = 0;
            if (batch.isEmpty()) {
                synchronized (topic) {
                    last = Math.max(last, topic.cursor); // what lay between was trimmed or lost
                }
                return true;
            }
            for (StreamEntry entry : batch) {
                Event e = toEvent(topic.name, entry);
                if (e != null && open.get()) {
                    deliver(e);
                }
            }
            return true;
        }

        private void deliver(Event e) {
            if (e.id() <= last) {
                return;
            }
            last = e.id();
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

        private void sleep(long millis) {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                close();
            }
        }

        @Override
        public void close() {
            if (open.compareAndSet(true, false)) {
                queue.clear();
                leave(this);
            }
        }
    }
}
