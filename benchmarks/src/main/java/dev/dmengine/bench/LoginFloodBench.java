package dev.dmengine.bench;

import dev.dmengine.server.DmServer;
import dev.dmengine.server.ServerSettings;
import io.helidon.config.Config;
import io.helidon.config.ConfigSources;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.Phaser;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Issue 12, finding 6: a login flood from many addresses, each within its own per-IP limit,
 * against the reference server — how fast do {@code /health} and {@code /health/live} answer
 * while it runs?
 *
 * <p>The server runs in this JVM on the embedded profile with the loopback address as a
 * trusted proxy; {@code addresses} clients each send {@code X-Forwarded-For: <their address>}
 * logins at the default per-IP limit (30 a minute, one every 2 s), open loop — they do not
 * wait for an answer before the next, as an attacker would not. Each login is for an unknown
 * email with a password, so each costs the server one Argon2id verification and is answered
 * 401 (or 503 when the hashing queue is full, or 429). A separate client samples
 * {@code /health} and {@code /health/live} every 100 ms: first for 3 s without the flood, then
 * during it. Prints p50/p99/max of both and the logins' outcomes.
 *
 * <p>Run: {@code ./dm bench LoginFloodBench [addresses] [seconds]} (defaults 50 30); any
 * {@code -Ddm.…} system property is passed to the server's configuration, e.g.
 * {@code -Ddm.auth.hashing.threads=2}. Not a test.
 */
public final class LoginFloodBench {

    private static final Duration PER_ADDRESS_INTERVAL = Duration.ofSeconds(2); // 30 a minute: the default per-IP limit

    public static void main(String[] args) throws Exception {
        // quiet: thousands of failed logins would each log an audit and an access line
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "error");
        java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.SEVERE);
        int addresses = args.length > 0 ? Integer.parseInt(args[0]) : 50;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 30;

        Map<String, String> cfg = new HashMap<>(Map.of(
                "dm.server.port", "0", "dm.narrator.pacing", "0ms", "dm.embedder.provider", "hashing",
                "dm.server.trusted-proxies", "127.0.0.1/32,::1/128"));
        System.getProperties().forEach((k, v) -> {
            if (k.toString().startsWith("dm.")) {
                cfg.put(k.toString(), v.toString());
            }
        });
        DmServer server = new DmServer(ServerSettings.from(Config.just(ConfigSources.create(cfg)))).start();
        String base = "http://localhost:" + server.port();
        System.out.printf("LoginFloodBench: %d addresses x 1 login / %d s for %d s, %d cores, load average %.1f, "
                        + "config %s%n", addresses, PER_ADDRESS_INTERVAL.toSeconds(), seconds,
                Runtime.getRuntime().availableProcessors(),
                java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
                cfg.entrySet().stream().filter(e -> e.getKey().startsWith("dm.auth")).toList());
        try {
            HttpClient probeClient = client();
            // warm up the JIT on both paths
            for (int i = 0; i < 20; i++) {
                probe(probeClient, base + "/health");
                probe(probeClient, base + "/health/live");
            }
            Samples quietHealth = new Samples();
            Samples quietLive = new Samples();
            join(sample(probeClient, base, quietHealth, quietLive, Duration.ofSeconds(3)));
            report("without the flood", quietHealth, quietLive);

            Flood flood = new Flood(base, addresses);
            flood.start();
            Thread.sleep(2_000); // let it build up
            Samples health = new Samples();
            Samples live = new Samples();
            List<Thread> probes = sample(probeClient, base, health, live, Duration.ofSeconds(Math.max(1, seconds - 2)));
            flood.stop();
            join(probes);
            report("during the flood", health, live);
            boolean drained = flood.awaitAnswers(Duration.ofMinutes(2));
            flood.report(drained);
        } finally {
            server.stop();
        }
        System.exit(0);
    }

    private static HttpClient client() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10))
                .executor(Executors.newVirtualThreadPerTaskExecutor()).build();
    }

    /** Milliseconds of one GET, or -1 if it failed. */
    private static double probe(HttpClient http, String url) {
        long start = System.nanoTime();
        try {
            HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60))
                    .GET().build(), HttpResponse.BodyHandlers.discarding());
            if (r.statusCode() != 200) {
                return -1;
            }
        } catch (Exception e) {
            return -1;
        }
        return (System.nanoTime() - start) / 1e6;
    }

    /**
     * Probes both endpoints every 100 ms, each probe on its own virtual thread so that a slow
     * answer does not delay the next probe. Returns the probes' threads (each ends within 60 s).
     */
    private static List<Thread> sample(HttpClient http, String base, Samples health, Samples live, Duration duration)
            throws InterruptedException {
        List<Thread> probes = new ArrayList<>();
        long end = System.nanoTime() + duration.toNanos();
        while (System.nanoTime() < end) {
            probes.add(Thread.ofVirtual().start(() -> health.add(probe(http, base + "/health"))));
            probes.add(Thread.ofVirtual().start(() -> live.add(probe(http, base + "/health/live"))));
            Thread.sleep(100);
        }
        return probes;
    }

    private static void join(List<Thread> threads) throws InterruptedException {
        for (Thread t : threads) {
            t.join();
        }
    }

    private static void report(String when, Samples health, Samples live) {
        System.out.printf("%-18s (a probe that failed or took over 60 s counts as failed)%n", when);
        System.out.printf("%-18s /health      p50 %8.1f ms  p99 %8.1f ms  max %8.1f ms  (%d samples, %d failed)%n",
                when, health.pct(50), health.pct(99), health.max(), health.count(), health.failed());
        System.out.printf("%-18s /health/live p50 %8.1f ms  p99 %8.1f ms  max %8.1f ms  (%d samples, %d failed)%n",
                when, live.pct(50), live.pct(99), live.max(), live.count(), live.failed());
    }

    /** Latencies in ms; -1 marks a failed probe. */
    private static final class Samples {
        private final List<Double> values = Collections.synchronizedList(new ArrayList<>());
        private final AtomicInteger failed = new AtomicInteger();

        void add(double ms) {
            if (ms < 0) {
                failed.incrementAndGet();
            } else {
                values.add(ms);
            }
        }

        int count() {
            return values.size();
        }

        int failed() {
            return failed.get();
        }

        double pct(int p) {
            List<Double> sorted;
            synchronized (values) {
                sorted = new ArrayList<>(values);
            }
            if (sorted.isEmpty()) {
                return Double.NaN;
            }
            Collections.sort(sorted);
            return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
        }

        double max() {
            return pct(100);
        }
    }

    private static String rootCause(Throwable e) {
        while (e.getCause() != null) {
            e = e.getCause();
        }
        return e.getClass().getSimpleName();
    }

    /** Open-loop logins: each address sends one every {@link #PER_ADDRESS_INTERVAL}, whatever the answers. */
    private static final class Flood {
        private final String base;
        private final int addresses;
        private final HttpClient http = client();
        private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        private final Phaser inFlight = new Phaser(1);
        private final Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
        private final Map<Integer, Samples> latencies = new ConcurrentHashMap<>();
        private final AtomicInteger sent = new AtomicInteger();
        private final Map<String, Integer> errors = new ConcurrentHashMap<>();
        private long startNanos;
        private long stopNanos;

        Flood(String base, int addresses) {
            this.base = base;
            this.addresses = addresses;
        }

        void start() {
            startNanos = System.nanoTime();
            long interval = PER_ADDRESS_INTERVAL.toMillis();
            for (int a = 0; a < addresses; a++) {
                int address = a;
                // spread the addresses over the interval so the load is even
                timer.scheduleAtFixedRate(() -> send(address), interval * a / addresses, interval, TimeUnit.MILLISECONDS);
            }
        }

        private void send(int address) {
            int n = sent.incrementAndGet();
            String ip = "10.77." + (address / 250) + "." + (address % 250 + 1);
            String body = "{\"email\":\"flood-" + n + "@bench.example\",\"password\":\"not the password " + n + "\"}";
            HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/auth/login"))
                    .timeout(Duration.ofMinutes(2))
                    .header("Content-Type", "application/json").header("X-Forwarded-For", ip)
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build();
            long start = System.nanoTime();
            inFlight.register();
            http.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((r, e) -> {
                int status = e != null ? -1 : r.statusCode();
                if (e != null) {
                    errors.merge(rootCause(e), 1, Integer::sum);
                }
                statuses.computeIfAbsent(status, s -> new AtomicInteger()).incrementAndGet();
                latencies.computeIfAbsent(status, s -> new Samples()).add((System.nanoTime() - start) / 1e6);
                inFlight.arriveAndDeregister();
            });
        }

        void stop() {
            timer.shutdownNow();
            stopNanos = System.nanoTime();
        }

        boolean awaitAnswers(Duration max) throws InterruptedException {
            int phase = inFlight.arrive();
            try {
                inFlight.awaitAdvanceInterruptibly(phase, max.toMillis(), TimeUnit.MILLISECONDS);
                return true;
            } catch (java.util.concurrent.TimeoutException e) {
                return false;
            }
        }

        void report(boolean drained) {
            double secs = (stopNanos - startNanos) / 1e9;
            System.out.printf("logins sent: %d in %.1f s (%.1f/s)%s%n", sent.get(), secs, sent.get() / secs,
                    drained ? "" : "; " + inFlight.getUnarrivedParties() + " still unanswered 2 min after the flood");
            new TreeMap<>(statuses).forEach((status, count) -> {
                Samples l = latencies.get(status);
                System.out.printf("  %s: %6d  latency p50 %8.1f ms  p99 %8.1f ms%n",
                        status < 0 ? "failed" : status.toString(), count.get(), l.pct(50), l.pct(99));
            });
            errors.forEach((error, count) -> System.out.printf("  failed with %s: %d%n", error, count));
        }
    }
}
