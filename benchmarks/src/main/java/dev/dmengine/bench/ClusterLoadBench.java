package dev.dmengine.bench;

import dev.dmengine.auth.TokenKeys;
import dev.dmengine.edgetests.GameClient;
import dev.dmengine.edgetests.ServerProcess;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Reference-server processes on one PostgreSQL and one Redis, over real sockets: {@code single}
 * (one instance) and {@code cluster} (two instances, as {@code ./dm start} runs them — separate
 * JVMs on the server's own class path, one key pair, one database and key prefix):
 * <ol>
 *   <li><b>fan-out</b>: {@code subscribers} SSE clients on one session's {@code /events}, split
 *       evenly over the instances, while {@code turns} streamed turns are played there, alternating
 *       between the instances. Delivery completeness (token events received / tokens of the turns ×
 *       subscribers; duplicates and order checked by event id) and latency per token delivery:
 *       a subscriber's receipt minus the receipt of the same event (same id) on the turn's own
 *       stream, which the server writes right after publishing it — so it is the fan-out's cost on
 *       top of the publish, split by whether the subscriber is on the instance that played the turn;</li>
 *   <li><b>players</b>: {@code players} players at once, spread over the instances, each playing
 *       {@code turnsEach} streamed turns: turns/s and p50/p99 turn and first-token latency.</li>
 * </ol>
 * Each mode on a fresh schema prefix and key prefix, removed at the end. Not a test; run with
 * {@code ./dm bench ClusterLoadBench [subscribers=1000] [turns=10] [players=40] [turnsEach=3]
 * [modes=single,cluster] [embedder=minilm] [pacing=0ms] [warmup=3]} ({@code warmup}: fan-out turns played
 * first and left out of the figures).
 */
public final class ClusterLoadBench {

    private static final String TEXT = "I look around the hall and listen for the guards";

    public static void main(String[] args) throws Exception {
        Map<String, String> o = new HashMap<>(Map.of("subscribers", "1000", "turns", "10", "players", "40",
                "turnsEach", "3", "modes", "single,cluster", "embedder", "minilm", "pacing", "0ms", "warmup", "3"));
        for (String a : args) {
            String[] kv = a.split("=", 2);
            if (kv.length != 2 || !o.containsKey(kv[0])) {
                throw new IllegalArgumentException("options are " + o.keySet() + " as key=value, was " + a);
            }
            o.put(kv[0], kv[1]);
        }
        System.out.printf("ClusterLoadBench %s; %s%n", o, BenchSupport.load());
        for (String mode : o.get("modes").split(",")) {
            run(mode.strip(), o);
        }
        System.exit(0);
    }

    private static void run(String mode, Map<String, String> o) throws Exception {
        int instances = switch (mode) {
            case "single" -> 1;
            case "cluster" -> 2;
            default -> throw new IllegalArgumentException("modes are single and cluster, was " + mode);
        };
        int subscribers = Integer.parseInt(o.get("subscribers"));
        int players = Integer.parseInt(o.get("players"));
        String schemas = BenchSupport.schemaPrefix("clbench");
        String keys = BenchSupport.keyPrefix("cluster");
        KeyPair pair = TokenKeys.generateKeyPair();
        Map<String, String> cfg = new LinkedHashMap<>();
        cfg.put("dm.postgres.url", BenchSupport.PG_URL);
        cfg.put("dm.postgres.user", BenchSupport.PG_USER);
        cfg.put("dm.postgres.password", BenchSupport.PG_PASSWORD);
        cfg.put("dm.postgres.schema-prefix", schemas);
        cfg.put("dm.redis.url", BenchSupport.REDIS_URL);
        cfg.put("dm.redis.key-prefix", keys);
        cfg.put("dm.auth.signing-key", TokenKeys.toPem(pair.getPrivate()));
        cfg.put("dm.auth.public-key", TokenKeys.toPem(pair.getPublic()));
        cfg.put("dm.server.trusted-proxies", "127.0.0.1/32"); // accounts come from many X-Forwarded-For addresses
        cfg.put("dm.embedder.provider", o.get("embedder"));
        cfg.put("dm.narrator.pacing", o.get("pacing"));
        cfg.put("dm.server.heartbeat", "5s");
        // one player holds every subscriber: the stream caps are raised to let it
        cfg.put("dm.server.max-connections", Integer.toString(subscribers + players + 1_000));
        cfg.put("dm.server.max-streams", Integer.toString(subscribers + 100));
        cfg.put("dm.server.max-streams-per-player", Integer.toString(subscribers + 10));
        cfg.put("dm.server.max-streams-per-session", Integer.toString(subscribers + 10));
        List<ServerProcess> servers = new ArrayList<>();
        try {
            for (int i = 0; i < instances; i++) { // one after the other: the first runs the migrations
                servers.add(ServerProcess.builder().classpath(BenchSupport.serverClasspath()).jvmOption("-Xms256m")
                        .jvmOption("-Xmx1g").config(cfg).start());
            }
            System.out.printf("%n== %s: %d instance(s) on PostgreSQL + Redis, %s embedder, narrator pacing %s; %s%n",
                    mode, instances, o.get("embedder"), o.get("pacing"), BenchSupport.load());
            List<GameClient> clients = servers.stream().map(ClusterLoadBench::client).toList();
            long[] cpu = cpu(servers);
            fanOut(clients, subscribers, Integer.parseInt(o.get("warmup")), Integer.parseInt(o.get("turns")));
            cpu = printCpu("fan-out", servers, cpu);
            players(clients, players, Integer.parseInt(o.get("turnsEach")));
            printCpu("players", servers, cpu);
        } finally {
            for (ServerProcess s : servers) {
                s.close();
            }
            BenchSupport.dropSchemas(schemas);
            BenchSupport.deleteKeys(keys);
        }
    }

    private static long[] cpu(List<ServerProcess> servers) {
        long[] out = new long[servers.size() + 1];
        for (int i = 0; i < servers.size(); i++) {
            out[i] = BenchSupport.processCpuNanos(servers.get(i).pid());
        }
        out[servers.size()] = BenchSupport.processCpuNanos();
        return out;
    }

    /** CPU seconds each server process and this client used since {@code before}; returns the new readings. */
    private static long[] printCpu(String part, List<ServerProcess> servers, long[] before) {
        long[] now = cpu(servers);
        StringBuilder b = new StringBuilder("  CPU during " + part + ":");
        for (int i = 0; i < servers.size(); i++) {
            b.append(String.format(" instance %c %.1f s;", (char) ('A' + i), (now[i] - before[i]) / 1e9));
        }
        b.append(String.format(" this client %.1f s", (now[servers.size()] - before[servers.size()]) / 1e9));
        System.out.println(b);
        return now;
    }

    private static GameClient client(ServerProcess s) {
        return new GameClient(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .executor(Executors.newVirtualThreadPerTaskExecutor()).connectTimeout(Duration.ofSeconds(30)).build(),
                s.directOrigin());
    }

    // ---------------------------------------------------------------- accounts

    private record Account(String token, String session) {
    }

    private static final AtomicInteger ADDRESSES = new AtomicInteger();

    /** Registers and logs in from an address of its own (the edge's header; loopback is trusted). */
    private static Account account(GameClient c, String name) {
        int n = ADDRESSES.incrementAndGet();
        String ip = "10.8." + (n / 250) + "." + (n % 250 + 1);
        String email = name + "-" + n + "-" + System.nanoTime() + "@bench.example";
        String password = "amber lantern " + System.nanoTime() + " over the moor";
        GameClient.Response reg = c.send(c.request("/auth/register", null).header("X-Forwarded-For", ip)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(GameClient.write(
                        Map.of("email", email, "password", password, "displayName", name)))).build());
        if (reg.status() != 202) {
            throw new IllegalStateException("register: " + reg);
        }
        GameClient.Response login = c.send(c.request("/auth/login", null).header("X-Forwarded-For", ip)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(GameClient.write(
                        Map.of("email", email, "password", password)))).build());
        if (login.status() != 200) {
            throw new IllegalStateException("login: " + login);
        }
        String token = login.json().get("access").asText();
        GameClient.Player p = new GameClient.Player(login.json().at("/player/id").asText(), email, password, token);
        return new Account(token, c.newSession(p));
    }

    // ---------------------------------------------------------------- reading streams

    /** Token events as one reader got them: event ids and {@link System#nanoTime()} of receipt, in order. */
    private static final class Received {
        long[] ids = new long[1_024];
        long[] at = new long[1_024];
        int count;
        int completed;

        void add(long id, long nanos) {
            if (count == ids.length) {
                ids = Arrays.copyOf(ids, count * 2);
                at = Arrays.copyOf(at, count * 2);
            }
            ids[count] = id;
            at[count++] = nanos;
        }
    }

    /**
     * Reads SSE events until {@code completions} turn.completed events (or the end); token events
     * go to {@code into}. {@code ready} counts down at the first event (the stream's opening heartbeat).
     */
    private static void read(InputStream body, Received into, int completions, CountDownLatch ready) throws Exception {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
            String line;
            String name = "message";
            String data = "";
            long id = -1;
            boolean first = true;
            while ((line = in.readLine()) != null) {
                if (line.isEmpty()) {
                    long now = System.nanoTime();
                    if (first && ready != null) {
                        ready.countDown();
                    }
                    first = false;
                    if (name.equals("token")) {
                        into.add(id, now);
                    } else if (name.equals("turn.completed") && ++into.completed == completions) {
                        return;
                    } else if (name.equals("turn.failed")) {
                        throw new IllegalStateException("a turn failed: " + data);
                    }
                    name = "message";
                    data = "";
                    id = -1;
                } else if (line.startsWith("data:")) {
                    data = line.substring(5).strip();
                } else if (line.startsWith("event:")) {
                    name = line.substring(6).strip();
                } else if (line.startsWith("id:")) {
                    id = Long.parseLong(line.substring(3).strip());
                }
            }
        }
    }

    private static HttpRequest turnRequest(GameClient c, Account a, String text) {
        return c.request("/api/sessions/" + a.session() + "/messages", a.token())
                .header("Content-Type", "application/json").header("Accept", "text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(GameClient.write(Map.of("text", text)))).build();
    }

    /** Plays one streamed turn; returns {sent, first token, completed} nanos, its tokens into {@code into}. */
    private static long[] playTurn(GameClient c, Account a, String text, Received into) throws Exception {
        long sent = System.nanoTime();
        HttpResponse<InputStream> r = c.http().send(turnRequest(c, a, text), HttpResponse.BodyHandlers.ofInputStream());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("turn answered " + r.statusCode() + ": "
                    + new String(r.body().readAllBytes(), StandardCharsets.UTF_8));
        }
        int before = into.count;
        read(r.body(), into, into.completed + 1, null);
        r.body().close();
        return new long[]{sent, into.count > before ? into.at[before] : -1, System.nanoTime()};
    }

    // ---------------------------------------------------------------- 1. fan-out

    private static void fanOut(List<GameClient> clients, int subscribers, int warmUp, int measured) throws Exception {
        int turns = warmUp + measured;
        int n = clients.size();
        Account owner = account(clients.get(0), "host");
        Received[] got = new Received[subscribers];
        CountDownLatch ready = new CountDownLatch(subscribers);
        CountDownLatch done = new CountDownLatch(subscribers);
        AtomicInteger failed = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        // connect as browsers would, some at a time and again after a refusal: opening a stream authenticates
        // (two database reads), and a thousand at once would only measure the connection pool's queue
        java.util.concurrent.Semaphore connecting = new java.util.concurrent.Semaphore(32);
        for (int i = 0; i < subscribers; i++) {
            int s = i;
            got[s] = new Received();
            GameClient c = clients.get(s % n);
            Thread.ofVirtual().start(() -> {
                boolean counted = false;
                try {
                    HttpResponse<InputStream> r = null;
                    for (int attempt = 0; r == null; attempt++) {
                        connecting.acquire();
                        try {
                            r = c.http().send(c.request("/api/sessions/" + owner.session() + "/events", owner.token())
                                    .header("Accept", "text/event-stream").GET().build(),
                                    HttpResponse.BodyHandlers.ofInputStream());
                        } finally {
                            connecting.release();
                        }
                        if (r.statusCode() != 200) {
                            String body = new String(r.body().readAllBytes(), StandardCharsets.UTF_8);
                            refused.incrementAndGet();
                            if (r.statusCode() != 503 || attempt == 9) {
                                throw new IllegalStateException("events answered " + r.statusCode() + ": " + body);
                            }
                            r = null;
                            Thread.sleep(500);
                        }
                    }
                    counted = true;
                    read(r.body(), got[s], turns, ready);
                    r.body().close();
                } catch (Exception e) {
                    if (failed.incrementAndGet() <= 3) {
                        System.out.println("  a subscriber failed: " + e);
                    }
                    if (!counted) {
                        ready.countDown();
                    }
                } finally {
                    done.countDown();
                }
            });
        }
        if (!ready.await(180, TimeUnit.SECONDS)) {
            System.out.printf("  only %d subscribers connected in 180 s%n", subscribers - ready.getCount());
        }
        System.out.printf("fan-out: %d SSE subscribers on one session (%s), 32 connecting at a time; %d refusals"
                        + " (503) retried after 0.5 s, %d failed; %s%n", subscribers,
                n == 1 ? "all on the one instance" : "half on each instance", refused.get(), failed.get(),
                BenchSupport.load());

        Received own = new Received();
        int[] tokensBefore = new int[turns + 1]; // the turn's own stream: turn t's tokens are [tokensBefore[t], tokensBefore[t+1])
        long[] turnTimes = new long[measured];
        long start = 0;
        for (int t = 0; t < turns; t++) {
            if (t == warmUp) {
                start = System.nanoTime();
            }
            tokensBefore[t] = own.count;
            long[] r = playTurn(clients.get(t % n), owner, TEXT + ", turn " + t, own);
            if (t >= warmUp) {
                turnTimes[t - warmUp] = r[2] - r[0];
            }
        }
        tokensBefore[turns] = own.count;
        double turnSeconds = (System.nanoTime() - start) / 1e9;
        boolean all = done.await(120, TimeUnit.SECONDS);

        // the turn's own stream: which event ids are tokens, when each arrived there, which instance played it
        Map<Long, Integer> index = new HashMap<>();
        int[] playedOn = new int[own.count];
        long[] lastTokenLag = new long[measured]; // per turn: its last token on the turn's stream → the last subscriber's receipt
        boolean[] lastOfTurn = new boolean[own.count];
        int[] turnOf = new int[own.count];
        for (int t = warmUp; t < turns; t++) {
            if (tokensBefore[t + 1] > tokensBefore[t]) {
                lastOfTurn[tokensBefore[t + 1] - 1] = true;
            }
            for (int i = tokensBefore[t]; i < tokensBefore[t + 1]; i++) {
                index.put(own.ids[i], i);
                playedOn[i] = t % n;
                turnOf[i] = t - warmUp;
            }
        }
        int tokens = own.count - tokensBefore[warmUp];
        long expected = (long) tokens * (subscribers - failed.get());
        long delivered = 0;
        long unknown = 0;
        long outOfOrder = 0;
        long duplicates = 0;
        List<long[]> sameLat = new ArrayList<>();
        List<long[]> otherLat = new ArrayList<>();
        for (int s = 0; s < subscribers; s++) {
            Received r = got[s];
            long[] same = new long[r.count];
            long[] other = new long[r.count];
            int ns = 0;
            int no = 0;
            boolean[] seen = new boolean[own.count];
            long prev = -1;
            for (int i = 0; i < r.count; i++) {
                Integer k = index.get(r.ids[i]);
                if (r.ids[i] <= prev) {
                    outOfOrder++;
                }
                prev = r.ids[i];
                if (k == null) {
                    if (r.ids[i] >= own.ids[tokensBefore[warmUp]]) {
                        unknown++; // not a token of the turn's own stream (the warm-up's are left out)
                    }
                    continue;
                }
                if (seen[k]) {
                    duplicates++;
                    continue;
                }
                seen[k] = true;
                delivered++;
                long lat = r.at[i] - own.at[k];
                if (lastOfTurn[k]) {
                    lastTokenLag[turnOf[k]] = Math.max(lastTokenLag[turnOf[k]], lat);
                }
                if (s % n == playedOn[k]) {
                    same[ns++] = lat;
                } else {
                    other[no++] = lat;
                }
            }
            sameLat.add(Arrays.copyOf(same, ns));
            otherLat.add(Arrays.copyOf(other, no));
        }
        System.out.printf("fan-out: %d turns after %d warm-up turns (%.1f s, %s), %d tokens; %d of %d expected"
                        + " token deliveries (%.3f%%), %d duplicates, %d out of order, %d unknown ids; all subscribers"
                        + " done: %s; %s%n", measured, warmUp, turnSeconds, n == 1 ? "on the one instance"
                        : "alternating over the instances", tokens, delivered, expected,
                100.0 * delivered / Math.max(1, expected), duplicates, outOfOrder, unknown, all, BenchSupport.load());
        System.out.printf("  the turns themselves (POST → turn.completed on the player's stream): p50 %.1f ms, p99 %.1f ms;"
                + " each turn's last token reached the last subscriber p50 %.1f ms, max %.1f ms after the player's"
                + " stream%n", BenchSupport.pct(turnTimes, 50), BenchSupport.pct(turnTimes, 99),
                BenchSupport.pct(lastTokenLag, 50), BenchSupport.pct(lastTokenLag, 100));
        printLatency("subscriber on the turn's instance", concat(sameLat));
        if (n > 1) {
            printLatency("subscriber on the other instance", concat(otherLat));
        }
        List<long[]> both = new ArrayList<>(sameLat);
        both.addAll(otherLat);
        printLatency("all subscribers", concat(both));
    }

    private static long[] concat(List<long[]> parts) {
        long[] out = new long[parts.stream().mapToInt(p -> p.length).sum()];
        int i = 0;
        for (long[] p : parts) {
            System.arraycopy(p, 0, out, i, p.length);
            i += p.length;
        }
        return out;
    }

    private static void printLatency(String who, long[] lat) {
        System.out.printf("  token delivery latency, %s (after the turn's own stream got it): p50 %.1f ms, "
                + "p99 %.1f ms, max %.1f ms (%d deliveries)%n", who, BenchSupport.pct(lat, 50), BenchSupport.pct(lat, 99),
                BenchSupport.pct(lat, 100), lat.length);
    }

    // ---------------------------------------------------------------- 2. players

    private static void players(List<GameClient> clients, int players, int turnsEach) throws Exception {
        int n = clients.size();
        long setup = System.nanoTime();
        List<Account> accounts = new ArrayList<>();
        for (int i = 0; i < players; i++) {
            accounts.add(account(clients.get(i % n), "p" + i));
        }
        System.out.printf("players: %d accounts, characters and sessions made in %.1f s (Argon2id)%n", players,
                (System.nanoTime() - setup) / 1e9);
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
                    Received own = new Received();
                    for (int t = 0; t < turnsEach; t++) {
                        long[] r = playTurn(clients.get(p % n), accounts.get(p), TEXT + ", turn " + t, own);
                        latency[p * turnsEach + t] = r[2] - r[0];
                        firstToken[p * turnsEach + t] = r[1] - r[0];
                    }
                } catch (Exception e) {
                    if (failures.incrementAndGet() <= 3) {
                        System.out.println("  a player failed: " + e);
                    }
                } finally {
                    done.countDown();
                }
            });
        }
        long start = System.nanoTime();
        go.countDown();
        done.await(600, TimeUnit.SECONDS);
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("players: %d players x %d streamed turns over %d instance(s) in %.1f s = %.1f turns/s;"
                        + " failures %d; %s%n", players, turnsEach, n, seconds, players * turnsEach / seconds,
                failures.get(), BenchSupport.load());
        System.out.printf("players: turn p50 %.1f ms, p99 %.1f ms; first token p50 %.1f ms, p99 %.1f ms%n",
                BenchSupport.pct(latency, 50), BenchSupport.pct(latency, 99), BenchSupport.pct(firstToken, 50),
                BenchSupport.pct(firstToken, 99));
    }
}
