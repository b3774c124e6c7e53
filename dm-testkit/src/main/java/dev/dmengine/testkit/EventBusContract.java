package dev.dmengine.testkit;

import dev.dmengine.spi.Ids;
import dev.dmengine.spi.InvalidInputException;
import dev.dmengine.spi.infra.Event;
import dev.dmengine.spi.infra.EventBus;
import dev.dmengine.spi.infra.NewEvent;
import dev.dmengine.spi.infra.Subscription;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What every {@link EventBus} must do. Extend it and return a fresh bus that retains at
 * least the last 2,000 events of a topic. Delivery may be synchronous or asynchronous: the
 * suite waits (bounded) for events to arrive.
 */
public abstract class EventBusContract {

    protected EventBus bus;
    private final List<Subscription> subscriptions = new ArrayList<>();

    protected abstract EventBus newBus();

    @BeforeEach
    void freshBus() {
        bus = newBus();
    }

    @AfterEach
    void closeSubscriptions() {
        subscriptions.forEach(Subscription::close);
    }

    protected static String topic(String name) {
        return "contract." + name + "." + Ids.newId();
    }

    /** A listener that remembers what it received, and whether it was ever called on two threads at once. */
    protected static final class Recorder {
        public final List<Event> events = new CopyOnWriteArrayList<>();
        private final AtomicBoolean inside = new AtomicBoolean();
        public volatile boolean overlapped;

        public void onEvent(Event e) {
            if (!inside.compareAndSet(false, true)) {
                overlapped = true;
            }
            events.add(e);
            Thread.yield(); // widen the window in which a second, concurrent delivery would show
            inside.set(false);
        }

        public List<Long> ids() {
            return events.stream().map(Event::id).toList();
        }

        public void awaitCount(int n) {
            try {
                Await.until(n + " events arrive", () -> events.size() >= n);
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + "; received " + describe(ids()), e);
            }
        }

        private static String describe(List<Long> ids) {
            for (int i = 1; i < ids.size(); i++) {
                if (ids.get(i) != ids.get(i - 1) + 1) {
                    return ids.size() + " events, the first out of sequence: " + ids.get(i - 1) + " then " + ids.get(i);
                }
            }
            return ids.size() + " events" + (ids.isEmpty() ? "" : ", " + ids.getFirst() + " to " + ids.getLast());
        }
    }

    protected Recorder subscribe(String topic, long afterId) {
        Recorder r = new Recorder();
        subscriptions.add(bus.subscribe(topic, afterId, r::onEvent));
        return r;
    }

    private static List<Long> range(long fromInclusive, long toInclusive) {
        return LongStream.rangeClosed(fromInclusive, toInclusive).boxed().toList();
    }

    @Test
    void publish_assigns_ids_from_1_per_topic() {
        String a = topic("a");
        String b = topic("b");

        assertThat(bus.publish(a, "token", "{}").id()).isEqualTo(1);
        assertThat(bus.publish(a, "token", "{}").id()).isEqualTo(2);
        assertThat(bus.publish(b, "token", "{}").id()).isEqualTo(1);
        assertThat(bus.publish(a, "token", "{}").id()).isEqualTo(3);
    }

    @Test
    void last_id_is_the_latest_published_id_per_topic_and_0_for_an_empty_one() {
        String a = topic("last-a");
        String b = topic("last-b");
        assertThat(bus.lastId(a)).isZero();
        bus.publish(a, "token", "{}");
        long second = bus.publish(a, "token", "{}").id();
        bus.publish(b, "token", "{}");
        assertThat(bus.lastId(a)).isEqualTo(second);
        assertThat(bus.lastId(b)).isEqualTo(1);
    }

    @Test
    void published_event_carries_topic_name_and_data() {
        String t = topic("fields");

        Event e = bus.publish(t, "turn.completed", "{\"turn\":1}");

        assertThat(e.topic()).isEqualTo(t);
        assertThat(e.name()).isEqualTo("turn.completed");
        assertThat(e.data()).isEqualTo("{\"turn\":1}");
        assertThat(bus.since(t, 0, 10)).singleElement().satisfies(s -> {
            assertThat(s.id()).isEqualTo(e.id());
            assertThat(s.name()).isEqualTo("turn.completed");
            assertThat(s.data()).isEqualTo("{\"turn\":1}");
        });
    }

    @Test
    void since_returns_retained_events_after_the_id_up_to_the_limit() {
        String t = topic("since");
        for (int i = 0; i < 10; i++) {
            bus.publish(t, "token", "{\"i\":" + i + "}");
        }

        assertThat(bus.since(t, 0, 100)).extracting(Event::id).containsExactlyElementsOf(range(1, 10));
        assertThat(bus.since(t, 4, 3)).extracting(Event::id).containsExactly(5L, 6L, 7L);
        assertThat(bus.since(t, 10, 5)).isEmpty();
        assertThat(bus.since(topic("empty"), 0, 5)).isEmpty();
    }

    @Test
    void since_rejects_a_non_positive_limit() {
        assertThatThrownBy(() -> bus.since(topic("limit"), 0, 0))
                .isInstanceOfAny(IllegalArgumentException.class, InvalidInputException.class);
    }

    @Test
    void subscriber_receives_new_events_in_order() {
        String t = topic("live");
        Recorder r = subscribe(t, 0);

        for (int i = 0; i < 20; i++) {
            bus.publish(t, "token", "{\"i\":" + i + "}");
        }

        r.awaitCount(20);
        assertThat(r.ids()).containsExactlyElementsOf(range(1, 20));
        assertThat(r.events).allSatisfy(e -> assertThat(e.topic()).isEqualTo(t));
    }

    @Test
    void subscribe_after_id_replays_retained_events_then_live_ones_without_gaps_or_duplicates() {
        String t = topic("resume");
        for (int i = 0; i < 5; i++) {
            bus.publish(t, "token", "{}");
        }

        Recorder r = subscribe(t, 2);
        r.awaitCount(3);
        bus.publish(t, "token", "{}");
        bus.publish(t, "turn.completed", "{}");

        r.awaitCount(5);
        assertThat(r.ids()).containsExactly(3L, 4L, 5L, 6L, 7L);
        assertThat(r.events.getLast().name()).isEqualTo("turn.completed");
    }

    @Test
    void subscribe_from_zero_replays_everything_retained() {
        String t = topic("zero");
        bus.publish(t, "a", "{}");
        bus.publish(t, "b", "{}");

        Recorder r = subscribe(t, 0);

        r.awaitCount(2);
        assertThat(r.events).extracting(Event::name).containsExactly("a", "b");
    }

    @Test
    void subscribers_of_other_topics_see_nothing() {
        String mine = topic("mine");
        String other = topic("other");
        Recorder watcher = subscribe(other, 0);
        Recorder sync = subscribe(mine, 0);

        bus.publish(mine, "token", "{}");
        sync.awaitCount(1);
        bus.publish(other, "token", "{\"marker\":true}");
        watcher.awaitCount(1);

        assertThat(watcher.events).singleElement().satisfies(e -> {
            assertThat(e.topic()).isEqualTo(other);
            assertThat(e.data()).isEqualTo("{\"marker\":true}");
        });
    }

    @Test
    void closed_subscription_receives_nothing_more() {
        String t = topic("close");
        Recorder closed = new Recorder();
        Subscription s = bus.subscribe(t, 0, closed::onEvent);
        Recorder open = subscribe(t, 0);
        bus.publish(t, "token", "{}");
        closed.awaitCount(1);

        s.close();
        bus.publish(t, "token", "{}");
        bus.publish(t, "token", "{}");

        open.awaitCount(3);
        assertThat(closed.ids()).containsExactly(1L);
    }

    @Test
    void a_throwing_listener_does_not_stop_delivery_to_others() {
        String t = topic("throwing");
        subscriptions.add(bus.subscribe(t, 0, e -> {
            throw new IllegalStateException("listener bug (expected by the test)");
        }));
        Recorder healthy = subscribe(t, 0);

        for (int i = 0; i < 5; i++) {
            bus.publish(t, "token", "{}");
        }

        healthy.awaitCount(5);
        assertThat(healthy.ids()).containsExactlyElementsOf(range(1, 5));
    }

    @Test
    void concurrent_publishers_get_unique_monotonic_ids_and_subscribers_see_them_in_order() {
        String t = topic("concurrent");
        Recorder r = subscribe(t, 0);
        int threads = 6;
        int perThread = 150;

        List<List<Long>> ids = Concurrently.run(threads, p -> {
            List<Long> mine = new ArrayList<>();
            for (int i = 0; i < perThread; i++) {
                mine.add(bus.publish(t, "token", "{\"p\":" + p + ",\"i\":" + i + "}").id());
            }
            return mine;
        });

        int total = threads * perThread;
        assertThat(ids).allSatisfy(mine -> assertThat(mine).isSorted().doesNotHaveDuplicates());
        assertThat(ids.stream().flatMap(List::stream).sorted().toList()).containsExactlyElementsOf(range(1, total));
        r.awaitCount(total);
        assertThat(r.ids()).containsExactlyElementsOf(range(1, total));
        assertThat(r.overlapped).as("listener called on two threads at once").isFalse();
        Map<String, Long> lastIdByPublisher = new HashMap<>();
        for (Event e : r.events) {
            String publisher = e.data().substring(0, e.data().indexOf(','));
            Long previous = lastIdByPublisher.put(publisher, e.id());
            assertThat(previous == null || previous < e.id()).isTrue();
        }
        assertThat(bus.since(t, 0, total)).extracting(Event::id).containsExactlyElementsOf(range(1, total));
    }

    @Test
    void publish_all_appends_in_order_with_consecutive_ids_and_subscribers_see_them_so() {
        String t = topic("batch");
        Recorder r = subscribe(t, 0);
        bus.publish(t, "turn.started", "{}");

        List<Event> batch = bus.publishAll(t, List.of(new NewEvent("token", "{\"i\":1}"),
                new NewEvent("token", "{\"i\":2}"), new NewEvent("turn.completed", "{\"i\":3}")));

        assertThat(batch).extracting(Event::id).containsExactly(2L, 3L, 4L);
        assertThat(batch).extracting(Event::name).containsExactly("token", "token", "turn.completed");
        assertThat(batch).extracting(Event::data).containsExactly("{\"i\":1}", "{\"i\":2}", "{\"i\":3}");
        assertThat(batch).allSatisfy(e -> assertThat(e.topic()).isEqualTo(t));
        assertThat(bus.publish(t, "token", "{}").id()).isEqualTo(5);
        assertThat(bus.lastId(t)).isEqualTo(5);
        r.awaitCount(5);
        assertThat(r.ids()).containsExactlyElementsOf(range(1, 5));
        assertThat(bus.since(t, 1, 10)).extracting(Event::data)
                .containsExactly("{\"i\":1}", "{\"i\":2}", "{\"i\":3}", "{}");
    }

    @Test
    void publish_all_of_nothing_appends_nothing() {
        String t = topic("empty-batch");
        bus.publish(t, "token", "{}");

        assertThat(bus.publishAll(t, List.of())).isEmpty();

        assertThat(bus.lastId(t)).isEqualTo(1);
    }

    @Test
    void concurrent_batches_are_each_appended_whole_without_another_event_between() {
        String t = topic("concurrent-batches");
        Recorder r = subscribe(t, 0);
        int threads = 4;
        int batches = 40;
        int size = 5;

        List<List<List<Long>>> ids = Concurrently.run(threads, p -> {
            List<List<Long>> mine = new ArrayList<>();
            for (int b = 0; b < batches; b++) {
                List<NewEvent> batch = new ArrayList<>();
                for (int i = 0; i < size; i++) {
                    batch.add(new NewEvent("token", "{\"p\":" + p + ",\"b\":" + b + ",\"i\":" + i + "}"));
                }
                mine.add(bus.publishAll(t, batch).stream().map(Event::id).toList());
            }
            return mine;
        });

        int total = threads * batches * size;
        assertThat(ids.stream().flatMap(List::stream)).allSatisfy(batch ->
                assertThat(batch.getLast() - batch.getFirst()).as("ids of one batch %s", batch).isEqualTo(size - 1));
        assertThat(ids.stream().flatMap(List::stream).flatMap(List::stream).sorted().toList())
                .containsExactlyElementsOf(range(1, total));
        r.awaitCount(total);
        assertThat(r.ids()).containsExactlyElementsOf(range(1, total));
        for (int at = 0; at < total; at += size) { // every run of five is one batch, in its own order
            String batch = r.events.get(at).data().substring(0, r.events.get(at).data().lastIndexOf(','));
            for (int i = 0; i < size; i++) {
                assertThat(r.events.get(at + i).data()).isEqualTo(batch + ",\"i\":" + i + "}");
            }
        }
    }

    @Test
    void subscribing_while_others_publish_misses_nothing_and_repeats_nothing() {
        String t = topic("join-live");
        int threads = 4;
        int perThread = 200;
        int total = threads * perThread;
        List<Recorder> joined = new CopyOnWriteArrayList<>();
        List<Long> joinedAfter = new CopyOnWriteArrayList<>();

        Concurrently.run(threads + 1, p -> {
            if (p == threads) { // the joiner: subscribes again and again while events flow
                for (int j = 0; j < 40; j++) {
                    List<Event> seen = bus.since(t, 0, total);
                    long after = Math.max(0, seen.isEmpty() ? 0 : seen.getLast().id() - (j % 3));
                    joinedAfter.add(after);
                    Recorder r = new Recorder();
                    subscriptions.add(bus.subscribe(t, after, r::onEvent));
                    joined.add(r);
                    if (after >= total) {
                        break;
                    }
                }
                return null;
            }
            for (int i = 0; i < perThread; i++) {
                bus.publish(t, "token", "{}");
                Thread.yield();
            }
            return null;
        });

        for (int j = 0; j < joined.size(); j++) {
            long after = joinedAfter.get(j);
            Recorder r = joined.get(j);
            r.awaitCount((int) (total - after));
            assertThat(r.ids()).as("subscriber %d after %d", j, after).containsExactlyElementsOf(range(after + 1, total));
        }
    }
}
