package dev.dmengine.bench;

import dev.dmengine.auth.AuthResult;
import dev.dmengine.auth.Registration;
import dev.dmengine.bench.PortTimings.Stage;
import dev.dmengine.core.game.NewCharacter;
import dev.dmengine.server.DmServer;
import dev.dmengine.server.ServerSettings;
import io.helidon.config.Config;
import io.helidon.config.ConfigSources;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * One player's turns over real HTTP against the reference server as deployed — PostgreSQL
 * (pgvector) for the stores, the vector index and the transactions, Redis for the event bus, rate
 * limits and turn locks, the MiniLM embedder, the offline narrator unpaced — each turn streamed
 * as SSE; then the same on the embedded profile (in memory, MiniLM). Prints p50/p99 of the whole
 * turn and of each stage: auth, admission, record (the player message), embed, vector write,
 * retrieval, prompt, generation, token handling, commit, publish, and what is left (HTTP, the
 * SSE writes of the turn's own events, JSON, the engine's own code).
 *
 * <p>The server runs in this JVM with every port wrapped in a timing decorator
 * ({@link PortTimings}, through {@code DmServer}'s port hook): the engine carries no timing code.
 * Auth is {@code AuthService.authenticate} (what the server does with the bearer token of every
 * request: Ed25519 signature, player and refresh-family reads) timed here, in-process, before each
 * turn. Turns are played one at a time, round-robin over enough players that none reaches the turn
 * rate limit (30 a minute, bursts of 10), each in a session of its own.
 *
 * <p>Not a test. {@code ./dm bench FullStackTurnBench [turns] [warm-up] [profiles]} (defaults
 * 300, 2000, {@code postgres,embedded}, history 0; DM_BENCH_TRACE set: the last turn's port calls too; history: that many
 * earlier messages, with their vectors, in every session before its first turn); PostgreSQL and Redis as the tests find them
 * ({@code DM_TEST_PG_URL}…, {@code DM_TEST_REDIS_URL}), on a private schema and key prefix
 * removed at the end. The server's log goes to a file (named at the start). It runs on the
 * reference server's class path (relaunching itself there: see {@link BenchSupport#runOnServerClasspath}).
 */
public final class FullStackTurnBench {

    private static final String[] TEXTS = {
        "I look around the hall and listen for the guards",
        "I attack the goblin with my sword",
        "I try to persuade the innkeeper to tell me about the keep",
        "I search the chest for traps",
    };

    public static void main(String[] args) throws Exception {
        if (BenchSupport.runOnServerClasspath(FullStackTurnBench.class, args)) {
            return;
        }
        Path log = Files.createTempFile("fullstack-bench-server-", ".log");
        System.setProperty("org.slf4j.simpleLogger.logFile", log.toString());
        int turns = args.length > 0 ? Integer.parseInt(args[0]) : 300;
        // the JIT's share of the measured turns' CPU: 6.3 ms a turn after 600 warm-up turns, 2.0-3.0 after 2,000-3,000
        int warmUp = args.length > 1 ? Integer.parseInt(args[1]) : 2000;
        String[] profiles = (args.length > 2 ? args[2] : "postgres,embedded").split(",");
        int history = args.length > 3 ? Integer.parseInt(args[3]) : 0;
        if (history < 0 || history > 10_000) {
            throw new IllegalArgumentException("history must be 0 to 10000 messages a session, was " + history);
        }
        System.out.printf("FullStackTurnBench: %d turns after %d warm-up turns per profile, sessions with %d earlier"
                + " messages; server log in %s%n", turns, warmUp, history, log);
        for (String profile : profiles) {
            run(profile.strip(), turns, warmUp, history);
        }
        System.exit(0);
    }

    private record Account(String token, UUID session) {
    }

    private static void run(String profile, int turns, int warmUp, int history) throws Exception {
        Map<String, String> cfg = new LinkedHashMap<>(Map.of("dm.server.port", "0", "dm.narrator.pacing", "0ms",
                "dm.embedder.provider", "minilm"));
        String schemas = null;
        String keys = null;
        switch (profile) {
            case "postgres" -> {
                schemas = BenchSupport.schemaPrefix("fsbench");
                keys = BenchSupport.keyPrefix("fullstack");
                cfg.putAll(Map.of("dm.postgres.url", BenchSupport.PG_URL, "dm.postgres.user", BenchSupport.PG_USER,
                        "dm.postgres.password", BenchSupport.PG_PASSWORD, "dm.postgres.schema-prefix", schemas,
                        "dm.redis.url", BenchSupport.REDIS_URL, "dm.redis.key-prefix", keys));
            }
            case "embedded" -> { }
            default -> throw new IllegalArgumentException("profile must be postgres or embedded, was " + profile);
        }
        PortTimings timings = new PortTimings();
        DmServer server = new DmServer(ServerSettings.from(Config.just(ConfigSources.create(cfg))), timings::decorate)
                .start();
        try {
            measure(profile, server, timings, turns, warmUp, history);
        } finally {
            server.stop();
            if (schemas != null) {
                BenchSupport.dropSchemas(schemas);
            }
            if (keys != null) {
                BenchSupport.deleteKeys(keys);
            }
        }
    }

    private static void measure(String profile, DmServer server, PortTimings timings, int turns, int warmUp,
                                int history) throws Exception {
        String base = "http://localhost:" + server.port();
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        int players = (turns + warmUp + 7) / 8; // at most 8 turns each: inside the turn limit's burst of 10
        List<Account> accounts = new ArrayList<>();
        History earlier = history == 0 ? null : new History(server, history);
        for (int i = 0; i < players; i++) {
            Account a = account(server, i);
            if (earlier != null) {
                earlier.fill(a.session());
            }
            accounts.add(a);
        }
        timings.drain(); // the accounts' and the history's calls are not a turn's
        System.out.printf("%n== %s profile (%s): %d players, one turn at a time; %s%n", profile,
                profile.equals("postgres") ? "PostgreSQL + pgvector, Redis, MiniLM, narrator unpaced"
                        : "in memory, MiniLM, narrator unpaced", players, BenchSupport.load());

        long[] total = new long[turns];
        long[] firstToken = new long[turns];
        long[] auth = new long[turns];
        long[] embed = new long[turns];
        long[] other = new long[turns];
        long[] requestIn = new long[turns];
        long[] between = new long[turns];
        long[] responseOut = new long[turns];
        Map<Stage, long[]> stages = new EnumMap<>(Stage.class);
        for (Stage s : Stage.values()) {
            stages.put(s, new long[turns]);
        }
        Map<String, long[]> portCalls = new TreeMap<>(); // port.method → {calls, self nanos}
        long tokens = 0;
        long publishCalls = 0;
        long cpu = 0;
        long pgCpu = 0;
        long redisCpu = 0;
        long wall = 0;
        long jit = 0;
        for (int i = 0; i < warmUp + turns; i++) {
            if (i == warmUp) {
                cpu = BenchSupport.processCpuNanos();
                pgCpu = BenchSupport.commandCpuNanos("postgres");
                redisCpu = BenchSupport.commandCpuNanos("redis-server");
                wall = System.nanoTime();
                jit = ManagementFactory.getCompilationMXBean().getTotalCompilationTime();
            }
            Account a = accounts.get(i % players);
            timings.drain();
            long t0 = System.nanoTime();
            server.auth().authenticate(a.token());
            long authNanos = System.nanoTime() - t0;
            Turn r = playTurn(http, base, a, TEXTS[i % TEXTS.length] + " (" + i + ")");
            List<PortTimings.Call> calls = timings.drain();
            PortTimings.Trace trace = PortTimings.trace(calls);
            if (trace == null) {
                throw new IllegalStateException("turn " + i + " made no model call");
            }
            if (i < warmUp) {
                continue;
            }
            if (i == warmUp + turns - 1 && System.getenv("DM_BENCH_TRACE") != null) {
                printTrace(calls, r.sent());
            }
            int n = i - warmUp;
            total[n] = r.completed() - r.sent();
            firstToken[n] = r.firstToken() - r.sent();
            tokens += r.tokens();
            publishCalls += trace.publishCalls();
            auth[n] = authNanos;
            long accounted = authNanos;
            for (Stage s : Stage.values()) {
                long v = trace.stages().get(s);
                stages.get(s)[n] = v;
                if (s != Stage.AUTH_PORTS && s != Stage.IGNORED && s != Stage.PUBLISH_OFF && s != Stage.AFTER
                        && s != Stage.EMBED_BESIDE) {
                    accounted += v;
                }
            }
            embed[n] = trace.stages().get(Stage.EMBED_PLAYER) + trace.stages().get(Stage.EMBED_DM);
            other[n] = total[n] - accounted;
            requestIn[n] = trace.firstStart() - r.sent();
            between[n] = trace.betweenCalls();
            responseOut[n] = r.completed() - trace.lastEnd();
            Thread turnThread = calls.stream().filter(c -> c.is("LanguageModel", "generate"))
                    .map(PortTimings.Call::thread).findFirst().orElseThrow();
            calls.stream().filter(c -> c.thread() == turnThread && !c.is("GenerationHandler"))
                    .forEach(c -> {
                        long[] v = portCalls.computeIfAbsent(c.port() + "." + c.method(), k -> new long[2]);
                        v[0]++;
                        v[1] += c.self();
                    });
        }
        cpu = BenchSupport.processCpuNanos() - cpu;
        pgCpu = BenchSupport.commandCpuNanos("postgres") - pgCpu;
        redisCpu = BenchSupport.commandCpuNanos("redis-server") - redisCpu;
        wall = System.nanoTime() - wall;
        jit = ManagementFactory.getCompilationMXBean().getTotalCompilationTime() - jit;
        System.out.printf("events published in %.1f round trips a turn%n", (double) publishCalls / turns);
        System.out.printf("%d turns, %.1f tokens each, in %.1f s; this JVM (server and client) used %.1f ms of CPU a"
                        + " turn (%.0f%% of one core; the JIT compilers %.1f ms of it); %s%n", turns,
                (double) tokens / turns, wall / 1e9, cpu / 1e6 / turns, 100.0 * cpu / wall, (double) jit / turns,
                BenchSupport.load());
        if (profile.equals("postgres")) {
            System.out.printf("PostgreSQL's processes used %.1f ms of CPU a turn, Redis %.1f ms (the whole machine's"
                    + " processes of those names)%n", pgCpu / 1e6 / turns, redisCpu / 1e6 / turns);
        }
        double meanTurn = BenchSupport.mean(total);
        System.out.printf("  %-22s %8s %8s %8s %7s%n", "(ms)", "p50", "p99", "mean", "share");
        row("whole turn", total, meanTurn);
        row("first token", firstToken, meanTurn);
        row("auth", auth, meanTurn);
        for (Stage s : Stage.values()) {
            if (s == Stage.EMBED_PLAYER) {
                row("embed", embed, meanTurn);
            }
            if (s != Stage.AUTH_PORTS && s != Stage.IGNORED) {
                row(s == Stage.EMBED_PLAYER || s == Stage.EMBED_DM || s == Stage.EMBED_BESIDE ? "  " + s.label
                        : s.label, stages.get(s),
                        meanTurn);
            }
        }
        row("other", other, meanTurn);
        row("  request in", requestIn, meanTurn);
        row("  between port calls", between, meanTurn);
        row("  response out", responseOut, meanTurn);
        System.out.println("  shares are of the mean turn. auth: AuthService.authenticate timed apart (the turn's own"
                + " check is inside 'request in' and its reads); other = whole turn minus auth and the stages.");
        System.out.println("  request in: POST sent to the turn's first port call (HTTP, routing, the token's"
                + " signature); between port calls: the engine's own code on the turn's thread (rules, JSON, SSE"
                + " writes of the non-token events); response out: the last publish to turn.completed read here.");
        System.out.println("  port calls per turn on the turn's thread (calls a turn x mean ms a call, its own time):");
        StringBuilder perTurn = new StringBuilder("   ");
        portCalls.forEach((k, v) -> {
            if (perTurn.length() > 90) {
                System.out.println(perTurn);
                perTurn.setLength(3);
            }
            perTurn.append(String.format(" %s %.1f x %.2f;", k, (double) v[0] / turns, v[1] / 1e6 / v[0]));
        });
        System.out.println(perTurn);
        for (Stage s : Stage.values()) {
            if (!s.what.isEmpty()) {
                System.out.printf("  %-22s %s%n", s.label, s.what);
            }
        }
    }

    /** Every port call of one turn in start order (DM_BENCH_TRACE set): when it began after the POST, its time, its own time, its thread. */
    private static void printTrace(List<PortTimings.Call> calls, long sent) {
        System.out.println("  the last turn's port calls (ms after the POST was sent: start, duration, own time, thread):");
        Map<Thread, Integer> threads = new java.util.HashMap<>();
        calls.stream().sorted(java.util.Comparator.comparingLong(PortTimings.Call::start)).forEach(c ->
                System.out.printf("    %7.2f %6.2f %6.2f  t%d %s.%s%n", (c.start() - sent) / 1e6,
                        (c.end() - c.start()) / 1e6, c.self() / 1e6,
                        threads.computeIfAbsent(c.thread(), t -> threads.size() + 1), c.port(), c.method()));
    }

    private static void row(String name, long[] nanos, double meanTurn) {
        double mean = BenchSupport.mean(nanos);
        System.out.printf("  %-22s %8.2f %8.2f %8.2f %6.1f%%%n", name, BenchSupport.pct(nanos, 50),
                BenchSupport.pct(nanos, 99), mean, 100 * mean / meanTurn);
    }

    private static Account account(DmServer server, int n) {
        String email = "fullstack-" + n + "-" + System.nanoTime() + "@bench.example";
        String password = "bench passphrase " + UUID.randomUUID();
        String ip = "10.7." + (n / 250) + "." + (n % 250 + 1);
        server.auth().register(new Registration(email, password, "Bench " + n), ip);
        AuthResult login = server.auth().login(email, password, ip);
        UUID player = login.player().id();
        var character = server.engine().characters().create(player, NewCharacter.of("Bench " + n, "fighter"));
        var session = server.engine().sessions().create(player, character.id(), "bench");
        return new Account(login.tokens().accessToken(), session.id());
    }

    /**
     * Earlier messages for each session, so that retrieval searches a history longer than the
     * recent window (the default sessions are short: at most 8 turns). Player and DM messages
     * alternate, written 100 at a time with their vectors; the texts, and so the vectors, come
     * from a pool of 60 sentences embedded once.
     */
    private static final class History {
        private static final String[] PLACES = {"the hall", "the crypt", "the river", "the tower", "the market",
            "the forest", "the bridge", "the inn", "the mine", "the chapel"};
        private static final String[] DEEDS = {"I search %s for hidden doors", "The wind howls through %s",
            "I ask the old guard about %s", "A shadow moves at the edge of %s", "I light a torch and enter %s",
            "Rats scatter across %s as you walk in"};

        private final DmServer server;
        private final int messages;
        private final List<String> texts = new ArrayList<>();
        private final List<float[]> vectors = new ArrayList<>();
        private final dev.dmengine.spi.retrieval.EmbeddingSpace space;

        History(DmServer server, int messages) {
            this.server = server;
            this.messages = messages;
            var embedder = server.engine().ports().embedder();
            this.space = embedder.space();
            for (String deed : DEEDS) {
                for (String place : PLACES) {
                    String text = deed.formatted(place);
                    texts.add(text);
                    vectors.add(embedder.embed(text));
                }
            }
        }

        void fill(UUID session) {
            var ports = server.engine().ports();
            UUID owner = ports.sessionStore().get(session).orElseThrow().ownerId();
            for (int from = 0; from < messages; from += dev.dmengine.spi.game.MessageStore.MAX_BATCH) {
                List<dev.dmengine.spi.game.Message> batch = new ArrayList<>();
                List<dev.dmengine.spi.retrieval.VectorRecord> records = new ArrayList<>();
                for (int i = from; i < Math.min(messages, from + dev.dmengine.spi.game.MessageStore.MAX_BATCH); i++) {
                    int pick = (i * 7 + session.hashCode() & 0x7fffffff) % texts.size();
                    var m = new dev.dmengine.spi.game.Message(dev.dmengine.spi.Ids.newId(), session, null,
                            i % 2 == 0 ? dev.dmengine.spi.game.MessageRole.PLAYER : dev.dmengine.spi.game.MessageRole.DM,
                            texts.get(pick), java.time.Instant.now(), Map.of());
                    batch.add(m);
                    records.add(new dev.dmengine.spi.retrieval.VectorRecord(m.id(), session, owner, vectors.get(pick)));
                }
                ports.messageStore().appendAll(batch);
                ports.vectorIndex().upsertAll(space, records);
            }
        }
    }

    /** One streamed turn as this client saw it: {@link System#nanoTime()} of each moment, and its tokens. */
    private record Turn(long sent, long firstToken, long completed, int tokens) {
    }

    private static Turn playTurn(HttpClient http, String base, Account a, String text) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/api/sessions/" + a.session() + "/messages"))
                .header("Authorization", "Bearer " + a.token()).header("Content-Type", "application/json")
                .header("Accept", "text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString("{\"text\":\"" + text + "\"}")).build();
        long sent = System.nanoTime();
        HttpResponse<InputStream> r = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("turn answered " + r.statusCode() + ": "
                    + new String(r.body().readAllBytes(), StandardCharsets.UTF_8));
        }
        long first = -1;
        long completed = -1;
        int tokens = 0;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) { // to the end of the response: the connection is kept
                if (completed > 0) {
                    continue;
                }
                if (line.equals("event:token") || line.equals("event: token")) {
                    tokens++;
                    if (first < 0) {
                        first = System.nanoTime();
                    }
                } else if (line.endsWith("turn.completed")) {
                    completed = System.nanoTime();
                } else if (line.endsWith("turn.failed")) {
                    throw new IllegalStateException("turn failed: " + in.readLine());
                }
            }
        }
        if (completed < 0) {
            throw new IllegalStateException("the turn's stream ended without turn.completed");
        }
        return new Turn(sent, first, completed, tokens);
    }
}
