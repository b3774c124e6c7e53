package dev.dmengine.core.inmemory;

import dev.dmengine.spi.infra.Event;
import dev.dmengine.spi.infra.EventBus;
import dev.dmengine.spi.infra.Subscription;
import dev.dmengine.testkit.EventBusContract;
import dev.dmengine.testkit.MutableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class InMemoryEventBusTest extends EventBusContract {

    private final MutableClock clock = new MutableClock();

    @Override
    protected EventBus newBus() {
        return new InMemoryEventBus(clock);
    }

    @Test
    void retention_keeps_only_the_latest_events_of_each_topic() {
        InMemoryEventBus small = new InMemoryEventBus(clock, 3);
        for (int i = 0; i < 5; i++) {
            small.publish("t", "token", "{}");
        }
        small.publish("u", "token", "{}");

        assertThat(small.since("t", 0, 100)).extracting(Event::id).containsExactly(3L, 4L, 5L);
        assertThat(small.since("u", 0, 100)).extracting(Event::id).containsExactly(1L);
        List<Long> replayed = new CopyOnWriteArrayList<>();
        try (Subscription s = small.subscribe("t", 0, e -> replayed.add(e.id()))) {
            assertThat(replayed).containsExactly(3L, 4L, 5L);
            assertThat(s).isNotNull();
        }
        assertThat(small.publish("t", "token", "{}").id()).isEqualTo(6);
    }

    @Test
    void events_are_stamped_by_the_clock() {
        clock.advance(Duration.ofMinutes(3));

        Event e = bus.publish("stamp", "token", "{}");

        assertThat(e.at()).isEqualTo(clock.instant());
    }

    @Test
    void delivery_is_done_when_publish_returns() {
        List<Long> seen = new CopyOnWriteArrayList<>();
        keep(bus.subscribe("sync", 0, e -> seen.add(e.id())));

        bus.publish("sync", "token", "{}");

        assertThat(seen).containsExactly(1L);
    }

    @Test
    void a_throwing_listener_is_unsubscribed_after_its_first_failure() {
        AtomicInteger calls = new AtomicInteger();
        keep(bus.subscribe("faulty", 0, e -> {
            calls.incrementAndGet();
            throw new IllegalStateException("listener bug (expected by the test)");
        }));

        bus.publish("faulty", "token", "{}");
        bus.publish("faulty", "token", "{}");

        assertThat(calls).hasValue(1);
    }

    @Test
    void a_listener_may_publish_to_its_own_topic_without_deadlock_or_reordering() {
        List<Long> seen = new CopyOnWriteArrayList<>();
        keep(bus.subscribe("echo", 0, e -> {
            seen.add(e.id());
            if (e.name().equals("ping")) {
                bus.publish("echo", "pong", "{}");
            }
        }));

        bus.publish("echo", "ping", "{}");
        bus.publish("echo", "ping", "{}");

        assertThat(seen).containsExactly(1L, 2L, 3L, 4L);
    }

    @Test
    void a_blocked_listener_does_not_hold_up_delivery_by_other_publishing_threads() throws Exception {
        CountDownLatch blocking = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        keep(bus.subscribe("slow", 0, e -> {
            if (e.id() == 1) {
                blocking.countDown();
                await(release);
            }
        }));
        List<Long> fast = new CopyOnWriteArrayList<>();
        keep(bus.subscribe("slow", 0, e -> fast.add(e.id())));

        Thread stuck = Thread.ofPlatform().start(() -> bus.publish("slow", "token", "{}"));
        assertThat(blocking.await(10, TimeUnit.SECONDS)).isTrue();
        bus.publish("slow", "token", "{}");

        assertThat(fast).containsExactly(1L, 2L);
        release.countDown();
        stuck.join(10_000);
        assertThat(stuck.isAlive()).isFalse();
    }

    private final List<Subscription> mine = new CopyOnWriteArrayList<>();

    private void keep(Subscription s) {
        mine.add(s);
    }

    @AfterEach
    void closeMine() {
        mine.forEach(Subscription::close);
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
