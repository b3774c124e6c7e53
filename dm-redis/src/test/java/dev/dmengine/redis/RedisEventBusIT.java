package dev.dmengine.redis;

import dev.dmengine.spi.Ids;
import dev.dmengine.spi.infra.Event;
import dev.dmengine.spi.infra.EventBus;
import dev.dmengine.spi.infra.Subscription;
import dev.dmengine.testkit.Await;
import dev.dmengine.testkit.Concurrently;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.RedisClient;

import java.nio.charset.StandardCharsets;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

/** What the contract cannot say: several instances, the seam under load, fan-out cost, isolation. */
class RedisEventBusIT {

    private static final String PREFIX = RedisTest.randomPrefix("bus");
    private final List<RedisAdapters> opened = new ArrayList<>();
    private final List<Subscription> subscriptions = new ArrayList<>();

    /** One server instance: its own pool, dispatcher and delivery threads, on the shared Redis. */
    private RedisAdapters instance(Consumer<RedisAdapters.Builder> settings) {
        RedisAdapters.Builder b = RedisTest.builder(PREFIX);
        settings.accept(b);
        RedisAdapters redis = b.build();
        opened.add(redis);
        return redis;
    }

    private RedisAdapters instance() {
        return instance(b -> { });
    }

    @AfterEach
    void close() {
        subscriptions.forEach(Subscription::close);
        opened.forEach(RedisAdapters::close);
    }

    @AfterAll
    static void deleteKeys() {
        RedisTest.deleteKeys(PREFIX);
    }

    private static String topic() {
        return "session:" + Ids.newId();
    }

    private static List<Long> range(long from, long to) {
        return LongStream.rangeClosed(from, to).boxed().toList();
    }

    private Received subscribe(EventBus bus, String topic, long afterId) {
        Received r = new Received();
        subscriptions.add(bus.subscribe(topic, afterId, r.events::add));
        return r;
    }

    private static final class Received {
        final List<Event> events = new CopyOnWriteArrayList<>();

        List<Long> ids() {
            return events.stream().map(Event::id).toList();
        }

        void await(int n) {
            Await.until(n + " events arrive (have " + events.size() + ")", () -> events.size() >= n);
        }
    }

    @Test
    void a_subscriber_on_one_instance_gets_every_event_published_on_others_in_order_with_one_id_sequence() {
        RedisEventBus a = instance().eventBus();
        RedisEventBus b = instance().eventBus();
        String t = topic();
        Received onB = subscribe(b, t, 0);
        Received onA = subscribe(a, t, 0);

        List<Long> published = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            published.add(a.publish(t, "token", "{\"from\":\"a\",\"i\":" + i + "}").id());
        }
        for (int i = 0; i < 40; i++) {
            published.add(b.publish(t, "token", "{\"from\":\"b\",\"i\":" + i + "}").id());
        }
        published.add(a.publish(t, "turn.completed", "{}").id());

        assertThat(published).containsExactlyElementsOf(range(1, 81));
        onB.await(81);
        onA.await(81);
        assertThat(onB.ids()).containsExactlyElementsOf(range(1, 81));
        assertThat(onA.ids()).containsExactlyElementsOf(range(1, 81));
        assertThat(onB.events.get(0).data()).isEqualTo("{\"from\":\"a\",\"i\":0}");
        assertThat(onB.events.get(40).data()).isEqualTo("{\"from\":\"b\",\"i\":0}");
        assertThat(onB.events.getLast().name()).isEqualTo("turn.completed");
    }

    @Test
    void reconnecting_to_another_instance_with_the_last_event_id_gets_exactly_what_was_missed() {
        RedisEventBus a = instance().eventBus();
        RedisEventBus b = instance().eventBus();
        String t = topic();
        Received first = new Received();
        Subscription onA = a.subscribe(t, 0, first.events::add);
        for (int i = 0; i < 30; i++) {
            a.publish(t, "token", "{}");
        }
        first.await(30);
        onA.close(); // the browser's connection to A drops at id 30
        long lastEventId = first.events.getLast().id();
        for (int i = 0; i < 10; i++) {
            a.publish(t, "token", "{\"missed\":" + i + "}");
        }

        Received resumed = subscribe(b, t, lastEventId);
        resumed.await(10);
        for (int i = 0; i < 5; i++) {
            a.publish(t, "token", "{\"live\":" + i + "}");
        }

        resumed.await(15);
        assertThat(resumed.ids()).containsExactlyElementsOf(range(31, 45));
        assertThat(resumed.events.getFirst().data()).isEqualTo("{\"missed\":0}");
        assertThat(b.since(t, lastEventId, 100)).extracting(Event::id).containsExactlyElementsOf(range(31, 45));
    }

    @Test
    void subscribers_joining_while_two_instances_publish_see_no_gap_and_no_duplicate_at_the_seam() {
        RedisEventBus a = instance().eventBus();
        RedisEventBus b = instance().eventBus();
        String t = topic();
        int perPublisher = 300;
        int publishers = 4;
        int total = perPublisher * publishers;
        List<Received> joined = new CopyOnWriteArrayList<>();
        List<Long> joinedAfter = new CopyOnWriteArrayList<>();

        Concurrently.run(publishers + 1, p -> {
            if (p == publishers) { // joins again and again on B, just behind or at the head of the stream
                while (joined.size() < 60) {
                    List<Event> seen = b.since(t, 0, total);
                    long head = seen.isEmpty() ? 0 : seen.getLast().id();
                    long after = Math.max(0, head - ThreadLocalRandom.current().nextInt(0, 4));
                    joinedAfter.add(after);
                    joined.add(subscribe(b, t, after));
                    if (head >= total) {
                        break;
                    }
                }
                return null;
            }
            EventBus bus = p % 2 == 0 ? a : b;
            for (int i = 0; i < perPublisher; i++) {
                bus.publish(t, "token", "{\"p\":" + p + "}");
            }
            return null;
        });

        assertThat(joined).hasSizeGreaterThan(1);
        for (int j = 0; j < joined.size(); j++) {
            long after = joinedAfter.get(j);
            Received r = joined.get(j);
            r.await((int) (total - after));
            assertThat(r.ids()).as("subscriber %d, after %d", j, after).containsExactlyElementsOf(range(after + 1, total));
        }
    }

    @Test
    void a_subscriber_too_far_behind_reads_the_stream_itself_and_still_misses_nothing() {
        RedisEventBus bus = instance(b -> b.maxPendingEvents(5)).eventBus();
        String t = topic();
        Received slow = new Received();
        subscriptions.add(bus.subscribe(t, 0, e -> {
            slow.events.add(e);
            sleep(1); // slower than the publisher: its queue overflows again and again
        }));
        Received fast = subscribe(bus, t, 0);

        for (int i = 0; i < 400; i++) {
            bus.publish(t, "token", "{}");
        }

        fast.await(400);
        slow.await(400);
        assertThat(slow.ids()).containsExactlyElementsOf(range(1, 400));
        assertThat(fast.ids()).containsExactlyElementsOf(range(1, 400));
    }

    @Test
    void a_slow_listener_does_not_hold_back_the_others() throws Exception {
        RedisEventBus bus = instance().eventBus();
        String t = topic();
        CountDownLatch release = new CountDownLatch(1);
        Received stuck = new Received();
        subscriptions.add(bus.subscribe(t, 0, e -> {
            stuck.events.add(e);
            await(release); // blocked on its first event until the others have everything
        }));
        List<Received> others = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            others.add(subscribe(bus, t, 0));
        }

        for (int i = 0; i < 100; i++) {
            bus.publish(t, "token", "{}");
        }

        for (Received r : others) {
            r.await(100);
            assertThat(r.ids()).containsExactlyElementsOf(range(1, 100));
        }
        assertThat(stuck.ids()).containsExactly(1L);
        release.countDown();
        stuck.await(100);
        assertThat(stuck.ids()).containsExactlyElementsOf(range(1, 100));
    }

    @Test
    void a_thousand_subscribers_cost_one_dispatcher_and_a_few_connections_not_one_each() {
        String clientName = "dmtest-fanout-" + Ids.newId().toString().substring(0, 8);
        RedisAdapters redis = instance(b -> b.clientName(clientName).poolSize(16));
        RedisEventBus bus = redis.eventBus();
        long dispatchersBefore = threadsNamed("dm-redis-events");
        int platformThreadsBefore = Thread.getAllStackTraces().size();
        List<String> topics = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            topics.add(topic());
        }
        List<Received> received = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            received.add(subscribe(bus, topics.get(i % topics.size()), 0));
        }

        for (String t : topics) {
            for (int i = 0; i < 20; i++) {
                bus.publish(t, "token", "{}");
            }
        }

        for (Received r : received) {
            r.await(20);
            assertThat(r.ids()).containsExactlyElementsOf(range(1, 20));
        }
        assertThat(bus.subscribers()).isEqualTo(1_000);
        assertThat(bus.activeTopics()).isEqualTo(10);
        assertThat(threadsNamed("dm-redis-events") - dispatchersBefore).as("dispatcher threads").isEqualTo(1);
        // deliveries run on virtual threads: the platform threads grow by the dispatcher and at most
        // the virtual threads' carriers, however many subscribers there are
        int carriers = Runtime.getRuntime().availableProcessors();
        assertThat(Thread.getAllStackTraces().size() - platformThreadsBefore).as("new platform threads")
                .isLessThanOrEqualTo(1 + carriers + 2);
        assertThat(connectionsNamed(clientName)).as("connections of this instance").isBetween(1L, 4L);
    }

    private static long threadsNamed(String name) {
        return Thread.getAllStackTraces().keySet().stream().filter(th -> th.getName().equals(name) && th.isAlive())
                .count();
    }

    private static long connectionsNamed(String clientName) {
        try (RedisClient admin = RedisTest.client()) {
            Object reply = admin.sendCommand(Protocol.Command.CLIENT, "LIST");
            String list = reply instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8) : String.valueOf(reply);
            return list.lines().filter(l -> l.contains(" name=" + clientName + " ")).count();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(60, TimeUnit.SECONDS)) {
                throw new AssertionError("the test never released the listener");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
