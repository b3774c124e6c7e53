package dev.dmengine.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import com.pgvector.PGvector;

import dev.dmengine.spi.Ids;
import dev.dmengine.spi.retrieval.EmbeddingSpace;
import dev.dmengine.spi.retrieval.VectorMatch;
import dev.dmengine.spi.retrieval.VectorQuery;
import dev.dmengine.spi.retrieval.VectorRecord;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.UUID;

import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The known trap of a shared HNSW index: for a session of 10,000 messages in a table of
 * 100,000, the planner answers {@code WHERE session_id = ? ORDER BY embedding <=> ? LIMIT 10}
 * with the HNSW index and filters afterwards, returning a handful of rows. The adapter must
 * return all 10, exactly. Small vectors (16-d) keep the index build short; the planner's
 * choice depends on row counts, not on the dimension.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PgVectorLargeSessionIT {

    private static final int DIM = 16;
    private static final int BIG_SESSION = 10_000;
    private static final int OTHER_ROWS = 90_000;
    private static final EmbeddingSpace SPACE = new EmbeddingSpace("trap-model", DIM);

    private PgTest.Schemas schemas;
    private String table;
    private final UUID bigSession = Ids.newId();
    private final UUID heavyPlayer = Ids.newId();
    private final List<VectorRecord> bigSessionRows = new ArrayList<>();
    private final List<VectorRecord> heavyPlayerRows = new ArrayList<>();
    private final Set<UUID> bigSessionIds = new HashSet<>();

    @BeforeAll
    void load() throws Exception {
        // no background indexer: the graph is built once, after the bulk load
        schemas = new PgTest.Schemas(PgTest.builder(PgTest.randomSuffix()).annIndexer(false));
        table = schemas.pg.embeddingSpaces().register(SPACE, EmbeddingSpaces.State.READY).table();
        Random random = new Random(42);
        List<UUID> otherSessions = new ArrayList<>();
        for (int i = 0; i < OTHER_ROWS / 100; i++) {
            otherSessions.add(Ids.newId());
        }
        List<VectorRecord> batch = new ArrayList<>();
        for (int i = 0; i < BIG_SESSION + OTHER_ROWS; i++) {
            boolean big = i % 10 == 0;
            UUID session = big ? bigSession : otherSessions.get(i % otherSessions.size());
            // the heavy player owns the big session and 30,000 other messages
            UUID player = big || i % 3 == 0 ? heavyPlayer : new UUID(0, i % 50);
            VectorRecord r = new VectorRecord(Ids.newId(), session, player, PgTest.randomVector(random, DIM));
            batch.add(r);
            if (big) {
                bigSessionRows.add(r);
                bigSessionIds.add(r.messageId());
            }
            if (player.equals(heavyPlayer)) {
                heavyPlayerRows.add(r);
            }
            if (batch.size() == 5_000) {
                schemas.pg.vectorIndex().upsertAll(SPACE, batch);
                batch.clear();
            }
        }
        schemas.pg.vectorIndex().upsertAll(SPACE, batch);
        schemas.pg.vectorIndex().rebuildAnnIndex(SPACE, 512);
        try (Connection c = PgTest.connect(); Statement st = c.createStatement()) {
            // the trap's layout: an HNSW index on the vector table itself, as a naive schema (or
            // an operator "helping") would have it; the adapter's session query must not use it
            st.execute("SET maintenance_work_mem = '512MB'");
            st.execute("CREATE INDEX trap_hnsw_idx ON " + table + " USING hnsw (embedding vector_cosine_ops)");
            st.execute("ANALYZE " + table);
        }
    }

    @AfterAll
    void drop() {
        if (schemas != null) {
            schemas.close();
        }
    }

    @Test
    void the_naive_filtered_query_uses_the_hnsw_index_and_returns_fewer_rows_than_asked() throws Exception {
        Random random = new Random(1);
        int fewest = Integer.MAX_VALUE;
        String plan;
        try (Connection c = PgTest.connect()) {
            float[] q = PgTest.randomVector(random, DIM);
            try (PreparedStatement ps = c.prepareStatement("EXPLAIN SELECT message_id FROM " + table
                    + " WHERE session_id = ? ORDER BY embedding <=> ? LIMIT 10")) {
                ps.setObject(1, bigSession);
                ps.setObject(2, new PGvector(q));
                StringBuilder sb = new StringBuilder();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        sb.append(rs.getString(1)).append('\n');
                    }
                }
                plan = sb.toString();
            }
            for (int i = 0; i < 10; i++) {
                try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM (SELECT message_id FROM " + table
                        + " WHERE session_id = ? ORDER BY embedding <=> ? LIMIT 10) x")) {
                    ps.setObject(1, bigSession);
                    ps.setObject(2, new PGvector(PgTest.randomVector(random, DIM)));
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        fewest = Math.min(fewest, rs.getInt(1));
                    }
                }
            }
        }
        assertThat(plan).contains("trap_hnsw_idx");
        assertThat(fewest).isLessThan(10);
    }

    @Test
    void the_adapters_session_query_never_plans_an_hnsw_scan() {
        List<String> lines = Jdbi.create(schemas.pg.dataSource()).withHandle(h -> h
                .createQuery("EXPLAIN " + PgVectorIndex.sessionSql(table))
                .bind("q", PgVectorIndex.vector(PgTest.randomVector(new Random(4), DIM))).bind("scope", bigSession)
                .bindArray("exclude", UUID.class, List.of()).bind("k", 10)
                .mapTo(String.class).list());
        String plan = String.join("\n", lines);

        assertThat(plan).doesNotContain("hnsw").contains("session_idx");
        assertThat(schemas.pg.vectorIndex().pending(SPACE)).isZero();
    }

    @Test
    void the_player_query_takes_candidates_from_the_graph_and_looks_rows_up_by_id() {
        EmbeddingSpaces.Info info = schemas.pg.embeddingSpaces().find(SPACE).orElseThrow();
        List<String> lines = Jdbi.create(schemas.pg.dataSource()).inTransaction(h -> {
            h.createQuery("SELECT set_config('hnsw.iterative_scan', 'relaxed_order', true)").mapTo(String.class).one();
            return h.createQuery("EXPLAIN " + PgVectorIndex.playerSql(info))
                    .bind("q", PgVectorIndex.vector(PgTest.randomVector(new Random(5), DIM)))
                    .bind("scope", heavyPlayer).bindArray("exclude", UUID.class, List.of())
                    .bind("k", 10).bind("candidates", 20).mapTo(String.class).list();
        });
        String plan = String.join("\n", lines);

        assertThat(plan).contains("ann_hnsw_idx").doesNotContain("Hash Join").doesNotContain("Seq Scan on vectors_1 ");
    }

    @Test
    void returns_the_exact_top_10_of_a_10000_message_session_every_time() {
        Random random = new Random(2);
        for (int i = 0; i < 20; i++) {
            float[] q = PgTest.randomVector(random, DIM);
            List<VectorMatch> hits = schemas.pg.vectorIndex().search(
                    VectorQuery.session(SPACE, bigSession, q, 10, Set.of()));
            assertThat(hits).hasSize(10);
            // compared by score: the database ranks in float, this test in double, so exact ties may swap
            List<Double> expected = exactTop(bigSessionRows, q, 10).stream().map(id -> PgTest.cosine(q,
                    bigSessionRows.stream().filter(r -> r.messageId().equals(id)).findFirst().orElseThrow().vector()))
                    .toList();
            assertThat(hits).extracting(VectorMatch::score)
                    .usingElementComparator((a, b) -> Math.abs(a - b) < 1e-5 ? 0 : Double.compare(a, b))
                    .containsExactlyElementsOf(expected);
            assertThat(hits).extracting(VectorMatch::messageId).doesNotHaveDuplicates()
                    .allSatisfy(id -> assertThat(bigSessionIds).contains(id));
        }
    }

    @Test
    void searches_a_large_player_history_through_hnsw_with_recall_at_10_of_at_least_098() {
        Random random = new Random(3);
        int queries = 50;
        int found = 0;
        for (int i = 0; i < queries; i++) {
            float[] q = PgTest.randomVector(random, DIM);
            List<VectorMatch> hits = schemas.pg.vectorIndex().search(VectorQuery.player(SPACE, heavyPlayer, q, 10));
            assertThat(hits).hasSize(10);
            Set<UUID> truth = new HashSet<>(exactTop(heavyPlayerRows, q, 10));
            found += (int) hits.stream().filter(h -> truth.contains(h.messageId())).count();
        }
        double recall = found / (queries * 10.0);
        System.out.printf("player-scope recall@10 over %d queries on %d of %d vectors: %.4f%n", queries,
                heavyPlayerRows.size(), BIG_SESSION + OTHER_ROWS, recall);
        assertThat(recall).isGreaterThanOrEqualTo(0.98);
    }

    private static List<UUID> exactTop(List<VectorRecord> rows, float[] q, int k) {
        return rows.stream()
                .sorted(Comparator.comparingDouble((VectorRecord r) -> -PgTest.cosine(q, r.vector()))
                        .thenComparing(VectorRecord::messageId, Ids::compare))
                .limit(k).map(VectorRecord::messageId).toList();
    }
}
