package dev.dmengine.bench;

import dev.dmengine.postgres.EmbeddingSpaces;
import dev.dmengine.postgres.PostgresAdapters;
import dev.dmengine.spi.Ids;
import dev.dmengine.spi.retrieval.EmbeddingSpace;
import dev.dmengine.spi.retrieval.VectorMatch;
import dev.dmengine.spi.retrieval.VectorQuery;
import dev.dmengine.spi.retrieval.VectorRecord;
import dev.langchain4j.data.document.Metadata;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.store.embedding.EmbeddingMatch;
import dev.langchain4j.store.embedding.EmbeddingSearchRequest;
import dev.langchain4j.store.embedding.filter.MetadataFilterBuilder;
import dev.langchain4j.store.embedding.pgvector.DefaultMetadataStorageConfig;
import dev.langchain4j.store.embedding.pgvector.MetadataStorageMode;
import dev.langchain4j.store.embedding.pgvector.PgVectorEmbeddingStore;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

/**
 * Loads messages with 384-d clustered vectors into sessions of mixed sizes, then measures
 * {@code PgVectorIndex} against LangChain4j's {@code PgVectorEmbeddingStore} on the same data
 * and database (session id as a metadata column with a btree, filtered in the query).
 *
 * <pre>
 *   java ... dev.dmengine.bench.PgVectorBench            # 100k mode (1×50k, 1×10k, 20×1k, 200×100)
 *   java ... dev.dmengine.bench.PgVectorBench --1m       # 1M mode (2×50k, 10×10k, 300×1k, 5000×100)
 *   options: --url jdbc:postgresql://127.0.0.1:5432/test --user postgres --keep (leave the schemas)
 *            --hnsw-m 32 --hnsw-ef-construction 128 (the graph the adapter builds by default)
 * </pre>
 *
 * It prints its figures; it asserts nothing. Vectors are generated with a fixed seed: 64
 * topic centres, each session leaning to three of them and having a direction of its own
 * (its characters and places; {@code -Dbench.coherence=0.6}, 0 for none), plus noise per
 * message, so neighbours are meaningful rather than uniformly random. Queries are a
 * message of the session (or player) plus noise.
 */
public final class PgVectorBench {

    private static final int DIM = 384;
    private static final int K = 10;
    /** How much a session's messages share beyond their topics (its characters, places); 0 = none. */
    private static final float SESSION_COHERENCE = Float.parseFloat(System.getProperty("bench.coherence", "0.6"));
    private static final EmbeddingSpace SPACE = new EmbeddingSpace("bench-minilm", DIM);

    private record Session(UUID id, UUID player, int size, List<Integer> rows) {
    }

    private final Random random = new Random(20261126);
    private final float[][] topics = new float[64][];
    private final List<Session> sessions = new ArrayList<>();
    private float[][] vectors;
    private UUID[] ids;
    private int[] sessionOf;

    public static void main(String[] args) throws Exception {
        boolean million = Arrays.asList(args).contains("--1m");
        boolean keep = Arrays.asList(args).contains("--keep");
        String url = option(args, "--url", env("DM_TEST_PG_URL", "jdbc:postgresql://127.0.0.1:5432/test"));
        String user = option(args, "--user", env("DM_TEST_PG_USER", "postgres"));
        String password = option(args, "--password", env("DM_TEST_PG_PASSWORD", ""));
        int m = Integer.parseInt(option(args, "--hnsw-m", "32"));
        int efConstruction = Integer.parseInt(option(args, "--hnsw-ef-construction", "128"));
        new PgVectorBench().run(url, user, password, million, keep, m, efConstruction);
    }

    private void run(String url, String user, String password, boolean million, boolean keep, int hnswM,
                     int hnswEfConstruction) throws Exception {
        int[][] mix = million
                ? new int[][] {{2, 50_000}, {10, 10_000}, {300, 1_000}, {5_000, 100}}
                : new int[][] {{1, 50_000}, {1, 10_000}, {20, 1_000}, {200, 100}};
        generate(mix);
        System.out.printf(Locale.ROOT, "PgVectorBench: %,d messages, %d-d, %,d sessions, session coherence %.2f, "
                + "%d cores, Java %s%n", vectors.length, DIM, sessions.size(), SESSION_COHERENCE,
                Runtime.getRuntime().availableProcessors(), Runtime.version());

        String suffix = Long.toHexString(System.nanoTime()).substring(0, 8);
        // the bulk load runs without the background indexer (the graph is built once, after it);
        // the per-message inserts later run on adapters with it, as a server has them
        PostgresAdapters.Builder adapters = PostgresAdapters.builder().jdbcUrl(url).user(user).password(password)
                .authSchema("bench_auth_" + suffix).gameSchema("bench_game_" + suffix).maxPoolSize(4)
                .hnsw(hnswM, hnswEfConstruction)
                .socketTimeout(java.time.Duration.ZERO); // the index build takes minutes
        try (PostgresAdapters pg = adapters.annIndexer(false).build()) {
            try {
                EmbeddingSpaces.Info info = pg.embeddingSpaces().register(SPACE, EmbeddingSpaces.State.READY);
                String table = info.table();
                String pgVersion;
                try (Connection c = pg.dataSource().getConnection(); Statement st = c.createStatement();
                     ResultSet rs = st.executeQuery("SELECT extversion FROM pg_extension WHERE extname = 'vector'")) {
                    rs.next();
                    pgVersion = rs.getString(1);
                }
                System.out.println("pgvector " + pgVersion + ", table " + table + " (btree session_id INCLUDE "
                        + "(message_id, embedding), btree player_id); graph " + info.annTable() + " (halfvec, HNSW "
                        + "halfvec_cosine_ops m=" + hnswM + " ef_construction=" + hnswEfConstruction + ")");

                // ---- load: ours ----
                long t0 = System.nanoTime();
                int batchSize = 1_000;
                List<VectorRecord> batch = new ArrayList<>(batchSize);
                int held = vectors.length - 4_500; // the last 4,500 go in one by one, for per-message latency
                for (int i = 0; i < held; i++) {
                    batch.add(record(i));
                    if (batch.size() == batchSize) {
                        pg.vectorIndex().upsertAll(SPACE, batch);
                        batch.clear();
                    }
                }
                pg.vectorIndex().upsertAll(SPACE, batch);
                double bulkSeconds = (System.nanoTime() - t0) / 1e9;
                t0 = System.nanoTime();
                pg.vectorIndex().rebuildAnnIndex(SPACE, million ? 4_096 : 1_024);
                double indexSeconds = (System.nanoTime() - t0) / 1e9;
                analyze(pg, table);
                analyze(pg, info.annTable());
                // the last 4,500 one by one: 2,000 with no indexer running (the write path alone),
                // then 500 untimed and 2,000 timed on adapters whose background indexer works
                // through the backlog meanwhile, on the same two cores (the write path's worst case).
                // The tables are read into the OS cache first: a server's working set is in memory,
                // and the graph build's 4 GB had pushed them out (157 ms inserts, 24 ms queries
                // on 1,000-message sessions: disk reads, not the plan)
                prewarm(pg, table, info.annTable(), info.pendingTable());
                int half = 2_000;
                int warmup = 500; // the second adapters' connections and statements, not timed
                long[] alone = new long[half];
                long[] gcAlone = gc();
                for (int i = 0; i < half; i++) {
                    long s = System.nanoTime();
                    pg.vectorIndex().upsert(SPACE, record(held + i));
                    alone[i] = System.nanoTime() - s;
                }
                gcAlone = since(gcAlone);
                long[] busy = new long[vectors.length - held - half - warmup];
                long[] gcBusy;
                double drainSeconds;
                try (PostgresAdapters live = adapters.annIndexer(true).migrate(false).build()) {
                    long started = System.nanoTime();
                    for (int i = 0; i < warmup; i++) {
                        live.vectorIndex().upsert(SPACE, record(held + half + i));
                    }
                    gcBusy = gc();
                    for (int i = 0; i < busy.length; i++) {
                        long s = System.nanoTime();
                        live.vectorIndex().upsert(SPACE, record(held + half + warmup + i));
                        busy[i] = System.nanoTime() - s;
                    }
                    gcBusy = since(gcBusy);
                    while (live.vectorIndex().pending(SPACE) > 0) {
                        Thread.sleep(10);
                    }
                    drainSeconds = (System.nanoTime() - started) / 1e9;
                }
                analyze(pg, table);
                analyze(pg, info.annTable());
                System.out.printf(Locale.ROOT, "%nINSERT (dm-postgres PgVectorIndex)%n");
                System.out.printf(Locale.ROOT, "  bulk upsertAll, batches of %d: %,d rows in %.1f s = %,.0f rows/s%n",
                        batchSize, held, bulkSeconds, held / bulkSeconds);
                System.out.printf(Locale.ROOT, "  HNSW graph build (rebuildAnnIndex, m=%d, ef_construction=%d): %.1f s%n",
                        hnswM, hnswEfConstruction, indexSeconds);
                System.out.printf(Locale.ROOT, "  one message per call, indexer idle (%,d calls):    p50 %.2f ms, "
                        + "p90 %.2f ms, p99 %.2f ms, max %.2f ms%n", alone.length, pct(alone, 50), pct(alone, 90),
                        pct(alone, 99), pct(alone, 100));
                System.out.printf(Locale.ROOT, "  one message per call, indexer working (%,d calls): p50 %.2f ms, "
                        + "p90 %.2f ms, p99 %.2f ms, max %.2f ms%n", busy.length, pct(busy, 50), pct(busy, 90),
                        pct(busy, 99), pct(busy, 100));
                System.out.printf(Locale.ROOT, "  (JVM GC during the timed calls: idle %d collections / %d ms, working %d / %d ms; "
                        + "slowest calls while working: %s)%n", gcAlone[0], gcAlone[1], gcBusy[0], gcBusy[1],
                        slowest(busy, 5));
                System.out.printf(Locale.ROOT, "  background indexer: a backlog of %,d in the graph %.1f s after it "
                        + "started = %,.0f rows/s%n", alone.length + warmup + busy.length, drainSeconds,
                        (alone.length + warmup + busy.length) / drainSeconds);

                // ---- load: the peer ----
                String peerTable = "lc4j_bench_" + suffix; // unqualified: the peer names its index after the table
                PgVectorEmbeddingStore peer = PgVectorEmbeddingStore.datasourceBuilder()
                        .datasource(pg.dataSource()).table(peerTable).dimension(DIM)
                        .createTable(true).dropTableFirst(true).useIndex(false)
                        .metadataStorageConfig(DefaultMetadataStorageConfig.builder()
                                .storageMode(MetadataStorageMode.COLUMN_PER_KEY)
                                .columnDefinitions(List.of("session_id uuid NULL"))
                                .indexes(List.of("session_id")).indexType("BTREE").build())
                        .build();
                t0 = System.nanoTime();
                for (int from = 0; from < vectors.length; from += batchSize) {
                    int to = Math.min(vectors.length, from + batchSize);
                    List<String> peerIds = new ArrayList<>(to - from);
                    List<Embedding> embeddings = new ArrayList<>(to - from);
                    List<TextSegment> segments = new ArrayList<>(to - from);
                    for (int i = from; i < to; i++) {
                        peerIds.add(ids[i].toString());
                        embeddings.add(Embedding.from(vectors[i]));
                        segments.add(TextSegment.from("message " + i,
                                new Metadata().put("session_id", sessions.get(sessionOf[i]).id())));
                    }
                    peer.addAll(peerIds, embeddings, segments);
                }
                double peerSeconds = (System.nanoTime() - t0) / 1e9;
                analyze(pg, peerTable);
                System.out.printf(Locale.ROOT, "  LangChain4j addAll, batches of %d (no ANN index): %,d rows in %.1f s = %,.0f rows/s%n",
                        batchSize, vectors.length, peerSeconds, vectors.length / peerSeconds);

                // ---- retrieval ---- (both engines' tables in the OS cache, as in a server's steady state)
                prewarm(pg, table, peerTable);
                System.out.printf(Locale.ROOT, "%nPER-SESSION KNN, k=%d (latency per call, recall@10 against exact search in Java)%n", K);
                System.out.printf(Locale.ROOT, "%-8s %-26s %7s %9s %9s %9s %8s%n", "session", "engine", "queries",
                        "p50 ms", "p99 ms", "recall", "min rows");
                Map<Integer, List<Session>> buckets = new LinkedHashMap<>();
                for (Session s : sessions) {
                    buckets.computeIfAbsent(s.size, x -> new ArrayList<>()).add(s);
                }
                for (Map.Entry<Integer, List<Session>> bucket : buckets.entrySet()) {
                    int size = bucket.getKey();
                    int queries = size >= 10_000 ? 100 : 200;
                    List<Session> pool = bucket.getValue();
                    List<Session> picked = new ArrayList<>();
                    List<float[]> qs = new ArrayList<>();
                    for (int i = 0; i < queries; i++) {
                        Session s = pool.get(random.nextInt(pool.size()));
                        picked.add(s);
                        qs.add(query(s));
                    }
                    List<Set<UUID>> truth = new ArrayList<>();
                    for (int i = 0; i < queries; i++) {
                        truth.add(exact(picked.get(i), qs.get(i)));
                    }
                    Stats ours = measure(queries, i -> pg.vectorIndex()
                            .search(VectorQuery.session(SPACE, picked.get(i).id, qs.get(i), K, Set.of()))
                            .stream().map(VectorMatch::messageId).toList(), truth);
                    Stats lc4j = measure(queries, i -> peer.search(EmbeddingSearchRequest.builder()
                                    .queryEmbedding(Embedding.from(qs.get(i))).maxResults(K).minScore(0.0)
                                    .filter(MetadataFilterBuilder.metadataKey("session_id").isEqualTo(picked.get(i).id))
                                    .build())
                            .matches().stream().map(EmbeddingMatch::embeddingId).map(UUID::fromString).toList(), truth);
                    print(size, "dm-postgres PgVectorIndex", ours);
                    print(size, "LangChain4j PgVector", lc4j);
                    System.out.printf(Locale.ROOT, "%-8s %-26s %7s %9.2fx %8.2fx%n", "", "ratio LangChain4j/ours", "",
                            lc4j.p50 / ours.p50, lc4j.p99 / ours.p99);
                }

                // ---- player scope ----
                Map<UUID, List<Integer>> byPlayer = new LinkedHashMap<>();
                for (int i = 0; i < vectors.length; i++) {
                    byPlayer.computeIfAbsent(sessions.get(sessionOf[i]).player, x -> new ArrayList<>()).add(i);
                }
                UUID heavy = byPlayer.entrySet().stream().max((a, b) -> a.getValue().size() - b.getValue().size())
                        .orElseThrow().getKey();
                List<Integer> heavyRows = byPlayer.get(heavy);
                List<float[]> pqs = new ArrayList<>();
                List<Set<UUID>> ptruth = new ArrayList<>();
                for (int i = 0; i < 100; i++) {
                    float[] q = noisy(vectors[heavyRows.get(random.nextInt(heavyRows.size()))], 0.6f);
                    pqs.add(q);
                    ptruth.add(exactOver(heavyRows, q));
                }
                System.out.printf(Locale.ROOT, "%nPLAYER-SCOPE KNN (HNSW on halfvec, hnsw.iterative_scan = relaxed_order, "
                        + "exact re-rank), "
                        + "player with %,d of %,d messages%n", heavyRows.size(), vectors.length);
                for (int ef : new int[] {100, 200, 400, 800, 1000}) {
                    pg.vectorIndex().efSearch(ef);
                    Stats player = measure(100, i -> pg.vectorIndex().search(VectorQuery.player(SPACE, heavy, pqs.get(i), K))
                            .stream().map(VectorMatch::messageId).toList(), ptruth);
                    print(heavyRows.size(), "PgVectorIndex ef_search " + ef, player);
                }
                pg.vectorIndex().efSearch(800);
            } finally {
                if (!keep) {
                    try (Connection c = pg.dataSource().getConnection(); Statement st = c.createStatement()) {
                        st.execute("DROP TABLE IF EXISTS lc4j_bench_" + suffix);
                    }
                    pg.dropSchemas();
                }
            }
        }
    }

    // ---- data ----

    private void generate(int[][] mix) {
        for (int t = 0; t < topics.length; t++) {
            topics[t] = gaussian(1.0f);
        }
        int total = 0;
        for (int[] m : mix) {
            total += m[0] * m[1];
        }
        vectors = new float[total][];
        ids = new UUID[total];
        sessionOf = new int[total];
        List<UUID> players = new ArrayList<>();
        for (int p = 0; p < Math.max(10, mix[mix.length - 1][0] / 10); p++) {
            players.add(Ids.newId());
        }
        for (int[] m : mix) {
            for (int n = 0; n < m[0]; n++) {
                // the big sessions belong to the first player, so one player's history is large
                UUID player = m[1] >= 10_000 ? players.getFirst() : players.get(random.nextInt(players.size()));
                sessions.add(new Session(Ids.newId(), player, m[1], new ArrayList<>(m[1])));
            }
        }
        // interleave sessions the way live games write: round-robin-ish by remaining size
        int[] remaining = sessions.stream().mapToInt(Session::size).toArray();
        int[] topicsOf = new int[sessions.size() * 3];
        for (int i = 0; i < topicsOf.length; i++) {
            topicsOf[i] = random.nextInt(topics.length);
        }
        int row = 0;
        int[] order = new int[total];
        int o = 0;
        for (int s = 0; s < sessions.size(); s++) {
            for (int j = 0; j < remaining[s]; j++) {
                order[o++] = s;
            }
        }
        for (int i = total - 1; i > 0; i--) { // shuffle: messages of all sessions arrive mixed
            int j = random.nextInt(i + 1);
            int tmp = order[i];
            order[i] = order[j];
            order[j] = tmp;
        }
        float[][] sessionBias = new float[sessions.size()][];
        for (int s = 0; s < sessions.size(); s++) {
            sessionBias[s] = gaussian(SESSION_COHERENCE);
        }
        for (int s : order) {
            float[] topic = topics[topicsOf[s * 3 + random.nextInt(3)]];
            float[] v = gaussian(0.7f);
            for (int d = 0; d < DIM; d++) {
                v[d] += topic[d] + sessionBias[s][d];
            }
            vectors[row] = v;
            ids[row] = Ids.newId();
            sessionOf[row] = s;
            sessions.get(s).rows.add(row);
            row++;
        }
    }

    private float[] gaussian(float scale) {
        float[] v = new float[DIM];
        for (int d = 0; d < DIM; d++) {
            v[d] = (float) random.nextGaussian() * scale;
        }
        return v;
    }

    private float[] noisy(float[] base, float scale) {
        float[] v = gaussian(scale);
        for (int d = 0; d < DIM; d++) {
            v[d] += base[d];
        }
        return v;
    }

    private float[] query(Session s) {
        return noisy(vectors[s.rows.get(random.nextInt(s.rows.size()))], 0.6f);
    }

    private VectorRecord record(int i) {
        Session s = sessions.get(sessionOf[i]);
        return new VectorRecord(ids[i], s.id, s.player, vectors[i]);
    }

    private Set<UUID> exact(Session s, float[] q) {
        return exactOver(s.rows, q);
    }

    private Set<UUID> exactOver(List<Integer> rows, float[] q) {
        double qn = norm(q);
        int[] best = new int[K];
        double[] bestScore = new double[K];
        Arrays.fill(bestScore, Double.NEGATIVE_INFINITY);
        for (int r : rows) {
            float[] v = vectors[r];
            double dot = 0;
            for (int d = 0; d < DIM; d++) {
                dot += q[d] * v[d];
            }
            double score = dot / (qn * norm(v));
            if (score > bestScore[K - 1]) {
                int pos = K - 1;
                while (pos > 0 && bestScore[pos - 1] < score) {
                    bestScore[pos] = bestScore[pos - 1];
                    best[pos] = best[pos - 1];
                    pos--;
                }
                bestScore[pos] = score;
                best[pos] = r;
            }
        }
        Set<UUID> out = new HashSet<>();
        for (int i = 0; i < Math.min(K, rows.size()); i++) {
            out.add(ids[best[i]]);
        }
        return out;
    }

    private static double norm(float[] v) {
        double s = 0;
        for (float x : v) {
            s += x * x;
        }
        return Math.sqrt(s);
    }

    // ---- measuring ----

    private record Stats(int queries, double p50, double p99, double recall, int minRows) {
    }

    private static Stats measure(int queries, Function<Integer, List<UUID>> call, List<Set<UUID>> truth) {
        for (int i = 0; i < Math.min(10, queries); i++) {
            call.apply(i); // warm-up
        }
        long[] times = new long[queries];
        int found = 0;
        int expected = 0;
        int minRows = Integer.MAX_VALUE;
        for (int i = 0; i < queries; i++) {
            long t = System.nanoTime();
            List<UUID> got = call.apply(i);
            times[i] = System.nanoTime() - t;
            minRows = Math.min(minRows, got.size());
            Set<UUID> want = truth.get(i);
            expected += want.size();
            found += (int) got.stream().filter(want::contains).count();
        }
        return new Stats(queries, pct(times, 50), pct(times, 99), (double) found / expected, minRows);
    }

    private static void print(int size, String engine, Stats s) {
        System.out.printf(Locale.ROOT, "%-8s %-26s %7d %9.2f %9.2f %9.4f %8d%n", String.format(Locale.ROOT, "%,d", size),
                engine, s.queries, s.p50, s.p99, s.recall, s.minRows);
    }

    private static long[] gc() {
        long count = 0;
        long millis = 0;
        for (java.lang.management.GarbageCollectorMXBean b : java.lang.management.ManagementFactory
                .getGarbageCollectorMXBeans()) {
            count += Math.max(0, b.getCollectionCount());
            millis += Math.max(0, b.getCollectionTime());
        }
        return new long[] {count, millis};
    }

    private static long[] since(long[] before) {
        long[] now = gc();
        return new long[] {now[0] - before[0], now[1] - before[1]};
    }

    /** The n slowest calls as "#index ms", slowest first. */
    private static String slowest(long[] nanos, int n) {
        Integer[] order = new Integer[nanos.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Long.compare(nanos[b], nanos[a]));
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(n, order.length); i++) {
            sb.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "#%d %.1f ms", order[i],
                    nanos[order[i]] / 1e6));
        }
        return sb.toString();
    }

    private static double pct(long[] nanos, int p) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        int idx = Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1);
        return sorted[Math.max(0, idx)] / 1e6;
    }

    /** Reads the tables and their indexes into the OS cache (pg_prewarm 'read'), and says how much. */
    private static void prewarm(PostgresAdapters pg, String... tables) throws Exception {
        try (Connection c = pg.dataSource().getConnection(); Statement st = c.createStatement()) {
            st.execute("CREATE EXTENSION IF NOT EXISTS pg_prewarm");
            long blocks = 0;
            long t0 = System.nanoTime();
            for (String t : tables) {
                try (ResultSet rs = st.executeQuery("SELECT coalesce(sum(pg_prewarm(oid::regclass, 'read')), 0) "
                        + "FROM pg_class WHERE oid = '" + t + "'::regclass OR oid IN (SELECT indexrelid FROM pg_index "
                        + "WHERE indrelid = '" + t + "'::regclass)")) {
                    rs.next();
                    blocks += rs.getLong(1);
                }
            }
            System.out.printf(Locale.ROOT, "  (prewarmed %,d MB of %s in %.1f s)%n", blocks * 8 / 1024,
                    String.join(", ", tables), (System.nanoTime() - t0) / 1e9);
        }
    }

    private static void analyze(PostgresAdapters pg, String table) throws Exception {
        try (Connection c = pg.dataSource().getConnection(); Statement st = c.createStatement()) {
            st.execute("VACUUM ANALYZE " + table);
        }
    }

    private static String option(String[] args, String name, String fallback) {
        for (int i = 0; i < args.length - 1; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        return fallback;
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }
}
