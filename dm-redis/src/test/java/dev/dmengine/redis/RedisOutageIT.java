package dev.dmengine.redis;

import dev.dmengine.spi.Ids;
import dev.dmengine.spi.UnavailableException;
import dev.dmengine.spi.infra.Event;
import dev.dmengine.spi.infra.RateLimit;
import dev.dmengine.spi.infra.RateLimitDecision;
import dev.dmengine.spi.infra.Subscription;
import dev.dmengine.testkit.Await;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Redis stopped for a few seconds under the adapters, then started again on the same port: a
 * private redis-server child process per test, never the shared one.
 */
class RedisOutageIT {

    private static final Duration OUTAGE = Duration.ofSeconds(3);

    private static RedisAdapters adapters(PrivateRedis server) {
        return RedisAdapters.builder().url(server.url()).keyPrefix("outage:")
                .connectTimeout(Duration.ofMillis(500)).socketTimeout(Duration.ofSeconds(2))
                .eventBlockTimeout(Duration.ofMillis(500))
                .failOpen("turn:")
                .build();
    }

    /** Calls until Redis answers again (the first calls after a restart may still meet the old connections). */
    private static <T> T once_back(String what, Supplier<T> call) {
        Object[] result = new Object[1];
        Await.until(what + " succeeds after the restart", Duration.ofSeconds(30), () -> {
            try {
                result[0] = call.get();
                return true;
            } catch (UnavailableException e) {
                return false;
            }
        });
        @SuppressWarnings("unchecked")
        T t = (T) result[0];
        return t;
    }

    private static List<Long> ids(List<Event> events) {
        return events.stream().map(Event::id).toList();
    }

    @Test
    void publishing_fails_while_redis_is_down_and_subscribers_on_both_instances_resume_without_duplicates()
            throws Exception {
        try (PrivateRedis server = PrivateRedis.ephemeral();
             RedisAdapters a = adapters(server); RedisAdapters b = adapters(server)) {
            String t = "session:" + Ids.newId();
            List<Event> onB = new CopyOnWriteArrayList<>();
            List<Event> onA = new CopyOnWriteArrayList<>();
            Subscription sb = b.eventBus().subscribe(t, 0, onB::add);
            Subscription sa = a.eventBus().subscribe(t, 0, onA::add);
            for (int i = 0; i < 10; i++) {
                a.eventBus().publish(t, "token", "{\"before\":" + i + "}");
            }
            Await.until("10 events on B", () -> onB.size() == 10);

            server.stop();
            assertThatThrownBy(() -> a.eventBus().publish(t, "token", "{}")).isInstanceOf(UnavailableException.class)
                    .hasMessageContaining("publish an event");
            assertThatThrownBy(() -> b.eventBus().since(t, 0, 10)).isInstanceOf(UnavailableException.class);
            assertThatThrownBy(() -> b.eventBus().subscribe("session:" + Ids.newId(), 0, e -> { }))
                    .isInstanceOf(UnavailableException.class);
            Await.pass(OUTAGE); // the dispatchers keep retrying meanwhile
            server.start();

            Event first = once_back("a publish", () -> a.eventBus().publish(t, "token", "{\"after\":0}"));
            List<Event> after = new ArrayList<>(List.of(first));
            for (int i = 1; i < 10; i++) {
                after.add((i % 2 == 0 ? a : b).eventBus().publish(t, "token", "{\"after\":" + i + "}"));
            }

            Await.until("20 events on B", () -> onB.size() >= 20);
            Await.until("20 events on A", () -> onA.size() >= 20);
            // the server lost its data: ids jump above every earlier one and go on from there, never back
            assertThat(first.id()).isGreaterThan(10);
            List<Long> expected = new ArrayList<>(List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L));
            for (int i = 0; i < 10; i++) {
                expected.add(first.id() + i);
            }
            assertThat(ids(after)).containsExactlyElementsOf(expected.subList(10, 20));
            assertThat(ids(onB)).containsExactlyElementsOf(expected);
            assertThat(ids(onA)).containsExactlyElementsOf(expected);
            assertThat(onB.get(10).data()).isEqualTo("{\"after\":0}");
            // a client resuming from the last id before the outage gets everything after it
            assertThat(ids(b.eventBus().since(t, 10, 100))).containsExactlyElementsOf(expected.subList(10, 20));
            sa.close();
            sb.close();
        }
    }

    @Test
    void with_persistence_ids_continue_exactly_and_every_acknowledged_event_is_delivered_once() throws Exception {
        try (PrivateRedis server = PrivateRedis.persistent();
             RedisAdapters a = adapters(server); RedisAdapters b = adapters(server)) {
            String t = "session:" + Ids.newId();
            List<Event> onB = new CopyOnWriteArrayList<>();
            Subscription sb = b.eventBus().subscribe(t, 0, onB::add);
            Set<Long> acknowledged = ConcurrentHashMap.newKeySet();
            AtomicInteger refused = new AtomicInteger();
            AtomicBoolean stop = new AtomicBoolean();
            Thread publisher = Thread.ofPlatform().start(() -> {
                while (!stop.get()) {
                    try {
                        acknowledged.add(a.eventBus().publish(t, "token", "{}").id());
                    } catch (UnavailableException e) {
                        refused.incrementAndGet();
                    }
                    try {
                        Thread.sleep(5);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            Await.until("some events before the outage", () -> acknowledged.size() >= 20);

            server.stop();
            int acknowledgedBefore = acknowledged.size();
            Await.pass(OUTAGE);
            server.start();
            Await.until("publishing works again", Duration.ofSeconds(30),
                    () -> acknowledged.size() >= acknowledgedBefore + 20);
            stop.set(true);
            publisher.join();

            long highest = acknowledged.stream().mapToLong(Long::longValue).max().orElseThrow();
            Await.until("B receives up to id " + highest, () -> !onB.isEmpty() && onB.getLast().id() >= highest);
            List<Long> received = ids(onB);
            assertThat(refused.get()).as("publishes refused while Redis was down").isPositive();
            assertThat(received).as("in order, no duplicates").isSorted().doesNotHaveDuplicates();
            assertThat(received).as("every acknowledged event").containsAll(acknowledged);
            // the data survived the restart, so the ids have no jump: 1, 2, 3, … without a hole
            assertThat(received.getLast()).isEqualTo((long) received.size());
            sb.close();
        }
    }

    @Test
    void the_rate_limiter_fails_open_for_turn_keys_and_closed_for_others_then_limits_again() throws Exception {
        try (PrivateRedis server = PrivateRedis.ephemeral(); RedisAdapters redis = adapters(server)) {
            var limiter = redis.rateLimiter();
            RateLimit twoPerHour = RateLimit.of(2, Duration.ofHours(1));
            String turnKey = "turn:player-1";
            String loginKey = "login:ip:10.0.0.1";
            assertThat(limiter.acquire(turnKey, twoPerHour).allowed()).isTrue();
            assertThat(limiter.acquire(turnKey, twoPerHour).allowed()).isTrue();
            assertThat(limiter.acquire(turnKey, twoPerHour).allowed()).as("limited while Redis is up").isFalse();

            server.stop();
            for (int i = 0; i < 5; i++) {
                RateLimitDecision d = limiter.acquire(turnKey, twoPerHour);
                assertThat(d.allowed()).as("turns fail open").isTrue();
            }
            assertThatThrownBy(() -> limiter.acquire(loginKey, twoPerHour)).isInstanceOf(UnavailableException.class);
            assertThatThrownBy(() -> limiter.check(loginKey, twoPerHour, "login attempts"))
                    .as("refused as unavailable (503), not as the caller's fault (429)")
                    .isInstanceOf(UnavailableException.class);
            limiter.reset(turnKey); // best effort for a fail-open key
            assertThatThrownBy(() -> limiter.reset(loginKey)).isInstanceOf(UnavailableException.class);
            Await.pass(OUTAGE);
            server.start();

            RateLimitDecision login = once_back("a login check", () -> limiter.acquire(loginKey, twoPerHour));
            assertThat(login.allowed()).isTrue();
            assertThat(limiter.acquire(loginKey, twoPerHour).allowed()).isTrue();
            assertThat(limiter.acquire(loginKey, twoPerHour).allowed()).as("limiting again after the outage").isFalse();
            assertThat(limiter.acquire(turnKey, twoPerHour).allowed()).isTrue();
            assertThat(limiter.acquire(turnKey, twoPerHour).allowed()).isTrue();
            assertThat(limiter.acquire(turnKey, twoPerHour).allowed()).isFalse();
        }
    }

    @Test
    void a_turn_lock_held_when_redis_vanished_is_never_assumed_free_and_expires_with_its_lease() throws Exception {
        try (PrivateRedis server = PrivateRedis.persistent(); RedisAdapters redis = adapters(server)) {
            var cache = redis.cache();
            String lock = "turn-lock:" + Ids.newId();
            Duration lease = Duration.ofSeconds(5);
            long taken = System.nanoTime();
            assertThat(cache.putIfAbsent(lock, "instance-A", lease)).isTrue(); // then instance A dies mid-turn

            server.stop();
            assertThatThrownBy(() -> cache.putIfAbsent(lock, "instance-B", lease))
                    .as("neither taken nor refused while Redis is down").isInstanceOf(UnavailableException.class);
            assertThatThrownBy(() -> cache.deleteIfEquals(lock, "instance-A")).isInstanceOf(UnavailableException.class);
            assertThatThrownBy(() -> cache.expireIfEquals(lock, "instance-A", lease))
                    .isInstanceOf(UnavailableException.class);
            Await.pass(Duration.ofSeconds(1));
            server.start();

            // the lease came back with the data; nobody renews it, so it runs out and B gets the session
            boolean takenAtOnce = once_back("taking the lock", () -> cache.putIfAbsent(lock, "instance-B", lease));
            if (!takenAtOnce) {
                Await.until("the dead holder's lease expires", Duration.ofSeconds(30),
                        () -> cache.putIfAbsent(lock, "instance-B", lease));
            }
            assertThat(cache.get(lock)).contains("instance-B");
            assertThat(Duration.ofNanos(System.nanoTime() - taken)).as("B waited for the whole lease")
                    .isGreaterThanOrEqualTo(lease.minusMillis(5));
            assertThat(cache.expireIfEquals(lock, "instance-A", Duration.ofHours(1))).as("A cannot renew B's lease")
                    .isFalse();
            assertThat(cache.deleteIfEquals(lock, "instance-A")).isFalse();
            assertThat(cache.deleteIfEquals(lock, "instance-B")).isTrue();
        }
    }
}
