package dev.dmengine.bench;

import dev.dmengine.redis.RedisAdapters;
import dev.dmengine.redis.RedisEventBus;
import dev.dmengine.spi.Ids;
import dev.dmengine.spi.infra.Subscription;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The Redis event bus across two instances on one Redis: publishes/s (1 and 8 threads), and the
 * fan-out of a session's token stream from instance A to N subscribers of one topic on
 * instance B — latency from publish to each delivery, and until the last subscriber has it.
 * Not a test; run with {@code ./dm bench RedisEventBusBench [subscribers] [events] [events/s]}.
 * Uses {@code DM_TEST_REDIS_URL} (default {@code redis://127.0.0.1:6379}) under a random key
 * prefix, deleted at the end.
 */
public final class RedisEventBusBench {

    public static void main(String[] args) throws Exception {
        int subscribers = args.length > 0 ? Integer.parseInt(args[0]) : 1_000;
        int events = args.length > 1 ? Integer.parseInt(args[1]) : 2_000;
        int rate = args.length > 2 ? Integer.parseInt(args[2]) : 500;
        String url = System.getenv().getOrDefault("DM_TEST_REDIS_URL", "redis://127.0.0.1:6379");
        String prefix = "dmbench:" + Ids.newId().toString().substring(0, 8) + ":";

        try (RedisAdapters a = RedisAdapters.builder().url(url).keyPrefix(prefix).build();
             RedisAdapters b = RedisAdapters.builder().url(url).keyPrefix(prefix).build()) {
            publishRate(a.eventBus(), 1, 20_000);
            publishRate(a.eventBus(), 8, 40_000);
            fanOut(a.eventBus(), b.eventBus(), subscribers, events, rate);
            deleteKeys(a, prefix);
        }
    }

    private static void publishRate(RedisEventBus bus, int threads, int total) throws Exception {
        String topic = "bench:" + Ids.newId();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        int perThread = total / threads;
        for (int i = 0; i < 2_000; i++) {
            bus.publish(topic, "token", "{\"text\":\"warm\"}"); // warm-up
        }
        long t0 = System.nanoTime();
        List<java.util.concurrent.Future<?>> done = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            done.add(pool.submit(() -> {
                for (int i = 0; i < perThread; i++) {
                    bus.publish(topic, "token", "{\"text\":\"the goblin\"}");
                }
            }));
        }
        for (var f : done) {
            f.get();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        pool.shutdown();
        System.out.printf("publish, %d thread(s): %,.0f events/s (%,d events)%n", threads, perThread * threads / seconds,
                perThread * threads);
    }

    private static void fanOut(RedisEventBus publisher, RedisEventBus receiver, int subscribers, int events, int rate)
            throws Exception {
        String topic = "session:" + Ids.newId();
        long[] sentAt = new long[events + 1];
        long[][] latency = new long[subscribers][events + 1];
        AtomicLong delivered = new AtomicLong();
        CountDownLatch all = new CountDownLatch(subscribers);
        List<Subscription> subs = new ArrayList<>();
        for (int s = 0; s < subscribers; s++) {
            int me = s;
            subs.add(receiver.subscribe(topic, 0, e -> {
                int id = (int) e.id();
                long now = System.nanoTime();
                latency[me][id] = now - sentAt[id];
                delivered.incrementAndGet();
                if (id == events) {
                    all.countDown();
                }
            }));
        }
        long interval = 1_000_000_000L / rate;
        long start = System.nanoTime();
        for (int i = 1; i <= events; i++) {
            long due = start + (i - 1) * interval;
            while (System.nanoTime() < due) {
                LockSupport.parkNanos(due - System.nanoTime());
            }
            sentAt[i] = System.nanoTime(); // set before publish: the delivery cannot precede it
            long id = publisher.publish(topic, "token", "{\"text\":\"word " + i + "\"}").id();
            if (id != i) {
                throw new IllegalStateException("expected id " + i + ", got " + id);
            }
        }
        boolean complete = all.await(120, TimeUnit.SECONDS);
        subs.forEach(Subscription::close);

        long[] each = new long[subscribers * events];
        int n = 0;
        for (long[] row : latency) {
            for (int i = 1; i <= events; i++) {
                each[n++] = row[i];
            }
        }
        long[] toLast = new long[events];
        for (int i = 1; i <= events; i++) {
            long worst = 0;
            for (long[] row : latency) {
                worst = Math.max(worst, row[i]);
            }
            toLast[i - 1] = worst;
        }
        Arrays.sort(each);
        Arrays.sort(toLast);
        System.out.printf("fan-out A -> %,d subscribers on B, %,d events at %,d/s: %s, %,d of %,d deliveries%n",
                subscribers, events, rate, complete ? "complete" : "INCOMPLETE", delivered.get(),
                (long) subscribers * events);
        System.out.printf("  publish -> a delivery:          p50 %.2f ms  p99 %.2f ms  max %.2f ms%n",
                ms(each, 0.50), ms(each, 0.99), each[each.length - 1] / 1e6);
        System.out.printf("  publish -> the last subscriber: p50 %.2f ms  p99 %.2f ms  max %.2f ms%n",
                ms(toLast, 0.50), ms(toLast, 0.99), toLast[toLast.length - 1] / 1e6);
    }

    private static double ms(long[] sorted, double q) {
        return sorted[Math.min(sorted.length - 1, (int) (q * sorted.length))] / 1e6;
    }

    private static void deleteKeys(RedisAdapters redis, String prefix) {
        String cursor = ScanParams.SCAN_POINTER_START;
        ScanParams match = new ScanParams().match(prefix + "*").count(1_000);
        do {
            ScanResult<String> page = redis.client().scan(cursor, match);
            if (!page.getResult().isEmpty()) {
                redis.client().del(page.getResult().toArray(String[]::new));
            }
            cursor = page.getCursor();
        } while (!ScanParams.SCAN_POINTER_START.equals(cursor));
    }
}
