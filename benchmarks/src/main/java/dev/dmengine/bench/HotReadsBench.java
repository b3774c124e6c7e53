package dev.dmengine.bench;

import dev.dmengine.core.DmEngine;
import dev.dmengine.core.cache.HotReads;
import dev.dmengine.core.game.NewCharacter;
import dev.dmengine.core.narrator.OfflineNarrator;
import dev.dmengine.core.turn.TurnConfig;
import dev.dmengine.core.turn.TurnListener;
import dev.dmengine.core.turn.TurnRequest;
import dev.dmengine.postgres.PostgresAdapters;
import dev.dmengine.redis.RedisAdapters;
import dev.dmengine.spi.Ids;
import dev.dmengine.spi.Page;
import dev.dmengine.spi.game.CharacterStore;
import dev.dmengine.spi.game.GameCharacter;
import dev.dmengine.spi.game.GameSession;
import dev.dmengine.spi.game.Message;
import dev.dmengine.spi.game.MessageRole;
import dev.dmengine.spi.game.MessageStore;
import dev.dmengine.spi.game.SessionStore;
import dev.dmengine.spi.identity.Player;
import dev.dmengine.spi.infra.Cache;
import dev.dmengine.spi.infra.RateLimit;
import dev.dmengine.spi.retrieval.VectorRecord;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.sql.Connection;
import javax.sql.DataSource;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * What hot reads save on a turn played on PostgreSQL: the same turns (PostgreSQL stores and vector
 * index, hashing embedder, offline narrator unpaced, turn locks in Redis) with and without
 * {@link HotReads} over {@code RedisCache}, interleaved round by round, plus turns alternating
 * between two instances, with hot reads and without. Prints p50/p90/p99 per turn, the store reads and cache
 * calls per turn, and what one store read and one cache call cost here.
 *
 * <p>Not a test; run with {@code ./dm bench HotReadsBench [turns per variant] [rounds]} (defaults
 * 1000 10). PostgreSQL from {@code DM_TEST_PG_URL} (default
 * {@code jdbc:postgresql://127.0.0.1:5432/test}) on schemas of its own, dropped at the end; Redis
 * from {@code DM_TEST_REDIS_URL} (default {@code redis://127.0.0.1:6379}) under a random key
 * prefix, deleted at the end.
 */
public final class HotReadsBench {

    private static final String[] WORDS = ("goblin cave river torch sword shield dragon tavern ale key door "
            + "silver forest wolf moon bridge tower wizard scroll potion gold merchant guard castle ruin well "
            + "storm ship harbour map crown shadow").split(" ");

    /** One way of playing: its engines (one, or two taking turns), its session and what it measured. */
    private static final class Variant {
        final String name;
        final List<DmEngine> engines;
        final Counting counting;
        final CountingCache cacheCalls;
        final List<HotReads> hot;
        Player player;
        GameSession session;
        final List<Long> nanos = new ArrayList<>();
        long storeReads;
        long cacheCallCount;
        long statements;
        List<HotReads.Stats> statsBefore = List.of();
        int turns;
        int played;

        Variant(String name, List<DmEngine> engines, Counting counting, CountingCache cacheCalls, List<HotReads> hot) {
            this.name = name;
            this.engines = engines;
            this.counting = counting;
            this.cacheCalls = cacheCalls;
            this.hot = hot;
        }
    }

    public static void main(String[] args) throws Exception {
        int perVariant = args.length > 0 ? Integer.parseInt(args[0]) : 1_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        String pgUrl = env("DM_TEST_PG_URL", "jdbc:postgresql://127.0.0.1:5432/test");
        String pgUser = env("DM_TEST_PG_USER", "postgres");
        String pgPassword = env("DM_TEST_PG_PASSWORD", "");
        String redisUrl = env("DM_TEST_REDIS_URL", "redis://127.0.0.1:6379");
        String suffix = Ids.newId().toString().replace("-", "").substring(20, 28);
        String prefix = "dmbench:hot:" + suffix + ":";

        System.out.printf(Locale.ROOT, "HotReadsBench: %,d turns per variant in %d interleaved rounds, %d cores, "
                + "Java %s, load average %s%n", perVariant, rounds, Runtime.getRuntime().availableProcessors(),
                Runtime.version(), loadAverage());
        HikariConfig pool = new HikariConfig();
        pool.setPoolName("hot-reads-bench");
        pool.setJdbcUrl(pgUrl);
        pool.setUsername(pgUser);
        pool.setPassword(pgPassword);
        pool.setMaximumPoolSize(8);
        pool.addDataSourceProperty("options", "-c jit=off"); // as PostgresAdapters' own pool
        pool.addDataSourceProperty("reWriteBatchedInserts", "true");
        AtomicLong statements = new AtomicLong();
        try (HikariDataSource hikari = new HikariDataSource(pool);
             PostgresAdapters pg = PostgresAdapters.builder().dataSource(counting(hikari, statements))
                .authSchema("bench_auth_" + suffix).gameSchema("bench_game_" + suffix).annIndexer(false).build();
             RedisAdapters redis = RedisAdapters.builder().url(redisUrl).keyPrefix(prefix).build()) {
            try {
                run(pg, redis, statements, perVariant, rounds);
            } finally {
                pg.dropSchemas();
                deleteKeys(redis, prefix);
            }
        }
        System.out.printf(Locale.ROOT, "load average at the end: %s%n", loadAverage());
    }

    private static void run(PostgresAdapters pg, RedisAdapters redis, AtomicLong statements, int perVariant,
                            int rounds) {
        Duration ttl = Duration.ofMinutes(10);
        CountingCache plainCache = new CountingCache(redis.cache());
        Counting plainStores = new Counting(pg);
        Variant plain = new Variant("PostgreSQL, no hot reads", List.of(engine(pg, plainStores, plainCache, null)),
                plainStores, plainCache, List.of());

        CountingCache hotCache = new CountingCache(redis.cache());
        Counting hotStores = new Counting(pg);
        HotReads one = HotReads.builder(hotCache).ttl(ttl).build();
        Variant hot = new Variant("PostgreSQL + hot reads on Redis", List.of(engine(pg, hotStores, hotCache, one)),
                hotStores, hotCache, List.of(one));

        CountingCache twoCache = new CountingCache(redis.cache());
        Counting twoStores = new Counting(pg);
        HotReads first = HotReads.builder(twoCache).ttl(ttl).build();
        HotReads second = HotReads.builder(twoCache).ttl(ttl).build();
        Variant alternating = new Variant("hot reads, turns alternating between two instances",
                List.of(engine(pg, twoStores, twoCache, first), engine(pg, twoStores, twoCache, second)),
                twoStores, twoCache, List.of(first, second));

        CountingCache plainTwoCache = new CountingCache(redis.cache());
        Counting plainTwoStores = new Counting(pg);
        Variant plainAlternating = new Variant("no hot reads, turns alternating between two instances",
                List.of(engine(pg, plainTwoStores, plainTwoCache, null), engine(pg, plainTwoStores, plainTwoCache, null)),
                plainTwoStores, plainTwoCache, List.of());

        List<Variant> variants = List.of(plain, hot, plainAlternating, alternating);
        Random random = new Random(42);
        for (Variant v : variants) {
            DmEngine e = v.engines.getFirst();
            v.player = e.players().create("bench-" + Ids.newId() + "@example.org", "Bench");
            var hero = e.characters().create(v.player.id(), NewCharacter.of("Aria", "fighter"));
            v.session = e.sessions().create(v.player.id(), hero.id(), v.name);
            preload(e, v.session, 200, random);
            for (int i = 0; i < 200; i++) {
                play(v, sentence(random, i));
            }
        }

        for (Variant v : variants) {
            v.statsBefore = v.hot.stream().map(HotReads::stats).toList();
        }
        int perRound = Math.max(1, perVariant / rounds);
        for (int r = 0; r < rounds; r++) {
            for (Variant v : variants) {
                v.counting.reset();
                v.cacheCalls.calls.set(0);
                long statementsBefore = statements.get();
                for (int i = 0; i < perRound; i++) {
                    long t0 = System.nanoTime();
                    play(v, sentence(random, i));
                    v.nanos.add(System.nanoTime() - t0);
                }
                v.statements += statements.get() - statementsBefore;
                v.storeReads += v.counting.reads();
                v.cacheCallCount += v.cacheCalls.calls.get();
                v.turns += perRound;
            }
        }

        System.out.println();
        System.out.println("| variant | turns | p50 ms | p90 ms | p99 ms | PostgreSQL statements per turn | of which session, character and window reads | Redis calls per turn |");
        System.out.println("|---|---|---|---|---|---|---|---|");
        for (Variant v : variants) {
            long[] sorted = v.nanos.stream().mapToLong(Long::longValue).sorted().toArray();
            System.out.printf(Locale.ROOT, "| %s | %,d | %.2f | %.2f | %.2f | %.1f | %.2f | %.1f |%n", v.name, v.turns,
                    pct(sorted, 50), pct(sorted, 90), pct(sorted, 99), (double) v.statements / v.turns,
                    (double) v.storeReads / v.turns, (double) v.cacheCallCount / v.turns);
        }
        for (Variant v : variants) {
            for (int i = 0; i < v.hot.size(); i++) {
                HotReads.Stats a = v.statsBefore.get(i);
                HotReads.Stats b = v.hot.get(i).stats();
                System.out.printf(Locale.ROOT, "  %s, instance %d, measured turns: %d hits, %d misses, %d bypasses, "
                        + "%d write-throughs, %d invalidations, %d cache failures%n", v.name, i + 1,
                        b.hits() - a.hits(), b.misses() - a.misses(), b.bypasses() - a.bypasses(),
                        b.writeThroughs() - a.writeThroughs(), b.invalidations() - a.invalidations(),
                        b.cacheFailures() - a.cacheFailures());
            }
        }
        System.out.println();
        costOfOneRead(pg, redis, plain);
    }

    /** What one read costs: each of the three store reads on PostgreSQL, and one Redis GET. */
    private static void costOfOneRead(PostgresAdapters pg, RedisAdapters redis, Variant v) {
        int n = 5_000;
        GameSession s = v.session;
        Cache cache = redis.cache();
        cache.put("bench:probe", "x".repeat(400), Duration.ofMinutes(5));
        Map<String, Supplier<Object>> probes = new java.util.LinkedHashMap<>();
        probes.put("PostgreSQL sessions.get", () -> pg.sessions().get(s.id()));
        probes.put("PostgreSQL characters.get", () -> pg.characters().get(s.characterId()));
        probes.put("PostgreSQL messages.recent(9)", () -> pg.messages().recent(s.id(), 9));
        probes.put("Redis GET (400 B)", () -> cache.get("bench:probe"));
        for (var probe : probes.entrySet()) {
            long[] t = new long[n];
            for (int i = 0; i < 1_000; i++) {
                probe.getValue().get();
            }
            for (int i = 0; i < n; i++) {
                long t0 = System.nanoTime();
                probe.getValue().get();
                t[i] = System.nanoTime() - t0;
            }
            Arrays.sort(t);
            System.out.printf(Locale.ROOT, "  one %s: p50 %.3f ms, p99 %.3f ms%n", probe.getKey(), pct(t, 50), pct(t, 99));
        }
        cache.delete("bench:probe");
    }

    private static DmEngine engine(PostgresAdapters pg, Counting stores, Cache cache, HotReads hot) {
        DmEngine.Builder b = DmEngine.builder()
                .playerStore(pg.players()).refreshTokenStore(pg.refreshTokens()).turnStore(pg.turns())
                .assetStore(pg.assets()).vectorIndex(pg.vectorIndex()).jobQueue(pg.jobQueue())
                .languageModel(new OfflineNarrator()).cache(cache)
                .turnConfig(TurnConfig.defaults().withTurnRate(new RateLimit(1_000_000, Duration.ofSeconds(1), 1_000_000)));
        if (hot == null) {
            return b.characterStore(stores.characters).sessionStore(stores.sessions).messageStore(stores.messages)
                    .transactor(pg.transactor()).build();
        }
        // what DmEngine.builder().hotReads(cache, ttl) does, wired by hand to keep each instance's stats
        return b.characterStore(hot.characters(stores.characters)).sessionStore(hot.sessions(stores.sessions))
                .messageStore(hot.messages(stores.messages)).transactor(hot.transactor(pg.transactor())).build();
    }

    private static void play(Variant v, String text) {
        DmEngine e = v.engines.get(v.played++ % v.engines.size());
        e.turns().play(TurnRequest.of(v.session.id(), v.player.id(), text), TurnListener.NONE);
    }

    private static void preload(DmEngine engine, GameSession session, int n, Random random) {
        var p = engine.ports();
        for (int i = 0; i < n; i++) {
            String text = sentence(random, i);
            Message m = p.messageStore().append(new Message(Ids.newId(), session.id(), null,
                    i % 2 == 0 ? MessageRole.PLAYER : MessageRole.DM, text, p.clock().instant(), Map.of()));
            p.vectorIndex().upsert(p.embedder().space(),
                    new VectorRecord(m.id(), session.id(), session.ownerId(), p.embedder().embed(text)));
        }
    }

    private static String sentence(Random random, int i) {
        StringBuilder sb = new StringBuilder(i % 7 == 0 ? "I attack" : i % 11 == 0 ? "I drink a potion and" : "I");
        int n = 6 + random.nextInt(12);
        for (int w = 0; w < n; w++) {
            sb.append(' ').append(WORDS[random.nextInt(WORDS.length)]);
        }
        return sb.append('.').toString();
    }

    private static double pct(long[] sorted, int p) {
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1e6;
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (Exception e) {
            return "unknown";
        }
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

    /** The pool, counting every statement prepared or created on its connections. */
    private static DataSource counting(DataSource pool, AtomicLong statements) {
        InvocationHandler onPool = (proxy, method, args) -> {
            Object result = invoke(pool, method, args);
            if (result instanceof Connection c) {
                return Proxy.newProxyInstance(HotReadsBench.class.getClassLoader(), new Class<?>[] {Connection.class},
                        (p, m, a) -> {
                            if (m.getName().startsWith("prepare") || m.getName().equals("createStatement")) {
                                statements.incrementAndGet();
                            }
                            return invoke(c, m, a);
                        });
            }
            return result;
        };
        return (DataSource) Proxy.newProxyInstance(HotReadsBench.class.getClassLoader(),
                new Class<?>[] {DataSource.class}, onPool);
    }

    private static Object invoke(Object target, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /** The three reads hot reads take over, counted at the PostgreSQL stores. */
    private static final class Counting {
        final AtomicLong reads = new AtomicLong();
        final CharacterStore characters;
        final SessionStore sessions;
        final MessageStore messages;

        Counting(PostgresAdapters pg) {
            CharacterStore c = pg.characters();
            SessionStore s = pg.sessions();
            MessageStore m = pg.messages();
            characters = new CharacterStore() {
                public GameCharacter create(GameCharacter x) {
                    return c.create(x);
                }

                public Optional<GameCharacter> get(UUID id) {
                    reads.incrementAndGet();
                    return c.get(id);
                }

                public List<GameCharacter> listByOwner(UUID ownerId) {
                    return c.listByOwner(ownerId);
                }

                public GameCharacter update(GameCharacter x) {
                    return c.update(x);
                }

                public boolean delete(UUID id) {
                    return c.delete(id);
                }
            };
            sessions = new SessionStore() {
                public GameSession create(GameSession x) {
                    return s.create(x);
                }

                public Optional<GameSession> get(UUID id) {
                    reads.incrementAndGet();
                    return s.get(id);
                }

                public List<GameSession> listByOwner(UUID ownerId) {
                    return s.listByOwner(ownerId);
                }

                public GameSession update(GameSession x) {
                    return s.update(x);
                }

                public boolean delete(UUID id) {
                    return s.delete(id);
                }
            };
            messages = new MessageStore() {
                public Message append(Message x) {
                    return m.append(x);
                }

                public Optional<Message> get(UUID id) {
                    return m.get(id);
                }

                public Page<Message> list(UUID sessionId, String cursor, int limit) {
                    return m.list(sessionId, cursor, limit);
                }

                public List<Message> recent(UUID sessionId, int limit) {
                    reads.incrementAndGet();
                    return m.recent(sessionId, limit);
                }

                public long count(UUID sessionId) {
                    return m.count(sessionId);
                }

                public boolean delete(UUID id) {
                    return m.delete(id);
                }

                public long deleteSession(UUID sessionId) {
                    return m.deleteSession(sessionId);
                }
            };
        }

        void reset() {
            reads.set(0);
        }

        long reads() {
            return reads.get();
        }
    }

    /** Counts every call to the cache (turn locks included). */
    private static final class CountingCache implements Cache {
        final Cache inner;
        final AtomicLong calls = new AtomicLong();

        CountingCache(Cache inner) {
            this.inner = inner;
        }

        public Optional<String> get(String key) {
            calls.incrementAndGet();
            return inner.get(key);
        }

        public void put(String key, String value, Duration ttl) {
            calls.incrementAndGet();
            inner.put(key, value, ttl);
        }

        public boolean putIfAbsent(String key, String value, Duration ttl) {
            calls.incrementAndGet();
            return inner.putIfAbsent(key, value, ttl);
        }

        public boolean delete(String key) {
            calls.incrementAndGet();
            return inner.delete(key);
        }

        public boolean deleteIfEquals(String key, String expected) {
            calls.incrementAndGet();
            return inner.deleteIfEquals(key, expected);
        }

        public boolean expireIfEquals(String key, String expected, Duration ttl) {
            calls.incrementAndGet();
            return inner.expireIfEquals(key, expected, ttl);
        }
    }
}
