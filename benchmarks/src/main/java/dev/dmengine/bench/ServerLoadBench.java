package dev.dmengine.bench;

import dev.dmengine.auth.AuthResult;
import dev.dmengine.auth.Registration;
import dev.dmengine.core.game.NewCharacter;
import dev.dmengine.server.DmServer;
import dev.dmengine.server.ServerSettings;
import io.helidon.config.Config;
import io.helidon.config.ConfigSources;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The reference server under load, over real sockets on localhost with the offline narrator
 * (pacing off) and the hashing embedder:
 * <ol>
 *   <li>{@code subscribers} SSE clients on one session's {@code /events}, while turns are played
 *       there: does each receive every token, and how late;</li>
 *   <li>{@code players} players each playing {@code turnsEach} streamed turns at once: turns/s,
 *       p50/p99 turn latency, p50/p99 first-token latency.</li>
 * </ol>
 * Prints figures and the heap in use. Not a test; run with
 * {@code ./dm bench ServerLoadBench [subscribers] [players] [turnsEach]} (defaults 1000 200 3).
 */
public final class ServerLoadBench {

    public static void main(String[] args) throws Exception {
        int subscribers = args.length > 0 ? Integer.parseInt(args[0]) : 1_000;
        int players = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        int turnsEach = args.length > 2 ? Integer.parseInt(args[2]) : 3;

        // one player holds every subscriber: the stream caps are raised to let it
        DmServer server = new DmServer(ServerSettings.from(Config.just(ConfigSources.create(Map.of(
                "dm.server.port", "0", "dm.narrator.pacing", "0ms", "dm.jobs.workers", "64",
                "dm.embedder.provider", "hashing",
                "dm.server.max-connections", Integer.toString(subscribers + players + 1_000),
                "dm.server.max-streams", Integer.toString(subscribers + 100),
                "dm.server.max-streams-per-player", Integer.toString(subscribers + 10),
                "dm.server.max-streams-per-session", Integer.toString(subscribers + 10))))))
                .start();
        String base = "http://localhost:" + server.port();
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .executor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()).build();
        try {
            fanOut(server, http, base, subscribers);
            players(server, http, base, players, turnsEach);
        } finally {
            server.stop();
        }
        System.exit(0);
    }

    private record Account(String token, UUID session) {
    }

    private static Account account(DmServer server, String name, int n) {
        String email = name + "-" + n + "-" + System.nanoTime() + "@bench.example";
        String password = "bench passphrase " + UUID.randomUUID();
        String ip = "10.9." + (n / 250) + "." + (n % 250 + 1);
        server.auth().register(new Registration(email, password, name), ip);
        AuthResult login = server.auth().login(email, password, ip);
        UUID player = login.player().id();
        var character = server.engine().characters().create(player, NewCharacter.of(name, "fighter"));
        var session = server.engine().sessions().create(player, character.id(), "bench");
        return new Account(login.tokens().accessToken(), session.id());
    }

    private static HttpRequest turn(String base, Account a, String text) {
        return HttpRequest.newBuilder(URI.create(base + "/api/sessions/" + a.session() + "/messages"))
                .header("Authorization", "Bearer " + a.token()).header("Content-Type", "application/json")
                .header("Accept", "text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString("{\"text\":\"" + text + "\"}")).build();
    }

    /** Reads one streamed turn; returns {first-token nanos, end nanos, tokens}. */
    private static long[] readTurn(HttpClient http, HttpRequest request) throws Exception {
        long start = System.nanoTime();
        HttpResponse<java.io.InputStream> r = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("turn answered " + r.statusCode() + ": "
                    + new String(r.body().readAllBytes(), StandardCharsets.UTF_8));
        }
        long first = -1;
        long tokens = 0;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.equals("event:token") || line.equals("event: token")) {
                    tokens++;
                    if (first < 0) {
                        first = System.nanoTime() - start;
                    }
                } else if (line.endsWith("turn.completed") || line.endsWith("turn.failed")) {
                    break;
                }
            }
        }
        return new long[]{first, System.nanoTime() - start, tokens};
    }

    private static void fanOut(DmServer server, HttpClient http, String base, int subscribers) throws Exception {
        Account owner = account(server, "host", 0);
        AtomicLong tokensSeen = new AtomicLong();
        AtomicInteger ready = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        int turns = 5;
        CountDownLatch done = new CountDownLatch(subscribers);
        long[] lastTokenLag = new long[subscribers];
        AtomicLong turnsEnded = new AtomicLong();
        for (int i = 0; i < subscribers; i++) {
            int n = i;
            Thread.ofVirtual().start(() -> {
                try {
                    HttpResponse<java.io.InputStream> r = http.send(HttpRequest.newBuilder(
                                    URI.create(base + "/api/sessions/" + owner.session() + "/events"))
                            .header("Authorization", "Bearer " + owner.token()).GET().build(),
                            HttpResponse.BodyHandlers.ofInputStream());
                    try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
                        String line;
                        int completed = 0;
                        boolean counted = false;
                        while ((line = in.readLine()) != null) {
                            if (!counted && line.contains("heartbeat")) {
                                ready.incrementAndGet();
                                counted = true;
                            }
                            if (line.equals("event:token") || line.equals("event: token")) {
                                tokensSeen.incrementAndGet();
                            } else if (line.endsWith("turn.completed")) {
                                lastTokenLag[n] = System.nanoTime();
                                if (++completed == turns) {
                                    break;
                                }
                            }
                        }
                    }
                } catch (Exception e) {
                    failed.incrementAndGet();
                } finally {
                    done.countDown();
                }
            });
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (ready.get() + failed.get() < subscribers && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        System.out.printf("fan-out: %d SSE subscribers connected (%d failed)%n", ready.get(), failed.get());
        long tokensSent = 0;
        long start = System.nanoTime();
        long lastEnd = 0;
        for (int t = 0; t < turns; t++) {
            long[] r = readTurn(http, turn(base, owner, "I look around, turn " + t));
            tokensSent += r[2];
            lastEnd = System.nanoTime();
            turnsEnded.incrementAndGet();
        }
        done.await(120, TimeUnit.SECONDS);
        long maxLag = 0;
        for (long at : lastTokenLag) {
            if (at > 0) {
                maxLag = Math.max(maxLag, at - lastEnd);
            }
        }
        System.out.printf("fan-out: %d turns, %d tokens each subscriber should see; %d of %d expected deliveries "
                        + "arrived (%.1f%%); last subscriber done %.0f ms after the last turn; %.1f s in all%n",
                turns, tokensSent, tokensSeen.get(), tokensSent * ready.get(),
                100.0 * tokensSeen.get() / Math.max(1, tokensSent * ready.get()), maxLag / 1e6,
                (System.nanoTime() - start) / 1e9);
        heap("after fan-out");
    }

    private static void players(DmServer server, HttpClient http, String base, int players, int turnsEach)
            throws Exception {
        List<Account> accounts = new ArrayList<>();
        long setup = System.nanoTime();
        for (int i = 0; i < players; i++) {
            accounts.add(account(server, "p", i + 1));
        }
        System.out.printf("players: %d accounts, characters and sessions made in %.1f s (Argon2id logins)%n",
                players, (System.nanoTime() - setup) / 1e9);
        long[] latency = new long[players * turnsEach];
        long[] firstToken = new long[players * turnsEach];
        AtomicInteger failures = new AtomicInteger();
        CountDownLatch go = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(players);
        for (int i = 0; i < players; i++) {
            int p = i;
            Thread.ofVirtual().start(() -> {
                try {
                    go.await();
                    for (int t = 0; t < turnsEach; t++) {
                        long[] r = readTurn(http, turn(base, accounts.get(p), "I swing my sword at the goblin " + t));
                        latency[p * turnsEach + t] = r[1];
                        firstToken[p * turnsEach + t] = r[0];
                    }
                } catch (Exception e) {
                    failures.incrementAndGet();
                } finally {
                    done.countDown();
                }
            });
        }
        long start = System.nanoTime();
        go.countDown();
        done.await(600, TimeUnit.SECONDS);
        double seconds = (System.nanoTime() - start) / 1e9;
        Arrays.sort(latency);
        Arrays.sort(firstToken);
        System.out.printf("players: %d players x %d turns in %.1f s = %.1f turns/s; failures %d%n", players, turnsEach,
                seconds, players * turnsEach / seconds, failures.get());
        System.out.printf("players: turn latency p50 %.1f ms, p99 %.1f ms; first token p50 %.1f ms, p99 %.1f ms%n",
                pct(latency, 50), pct(latency, 99), pct(firstToken, 50), pct(firstToken, 99));
        heap("after players");
    }

    private static double pct(long[] sorted, int p) {
        int i = Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1);
        return sorted[Math.max(0, i)] / 1e6;
    }

    private static void heap(String when) {
        System.gc();
        long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        System.out.printf("heap in use %s: %d MiB%n", when, used / (1024 * 1024));
    }
}
