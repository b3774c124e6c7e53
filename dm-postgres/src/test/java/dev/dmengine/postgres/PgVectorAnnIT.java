package dev.dmengine.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dmengine.spi.Ids;
import dev.dmengine.spi.retrieval.EmbeddingSpace;
import dev.dmengine.spi.retrieval.VectorMatch;
import dev.dmengine.spi.retrieval.VectorQuery;
import dev.dmengine.spi.retrieval.VectorRecord;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The HNSW graph is kept off the write path: writes queue the vector, {@code indexPending}
 * (the background indexer) puts it in the graph, and searches find it at every step.
 */
class PgVectorAnnIT {

    private static final EmbeddingSpace SPACE = new EmbeddingSpace("ann-model", 8);

    private PgTest.Schemas schemas;

    @AfterEach
    void drop() {
        if (schemas != null) {
            schemas.close();
        }
    }

    private PgVectorIndex withoutIndexer() {
        schemas = new PgTest.Schemas(PgTest.builder(PgTest.randomSuffix()).annIndexer(false));
        return schemas.pg.vectorIndex();
    }

    @Test
    void a_write_is_queued_for_the_graph_and_found_before_and_after_it_is_indexed() throws Exception {
        PgVectorIndex index = withoutIndexer();
        UUID player = Ids.newId();
        VectorRecord r = new VectorRecord(Ids.newId(), Ids.newId(), player, new float[] {1, 2, 3, 4, 5, 6, 7, 8});

        index.upsert(SPACE, r);

        assertThat(index.pending(SPACE)).isEqualTo(1);
        assertThat(annRows()).isZero();
        VectorQuery q = VectorQuery.player(SPACE, player, r.vector(), 3);
        assertThat(index.search(q)).extracting(VectorMatch::messageId).containsExactly(r.messageId());

        assertThat(index.indexPending(10)).isEqualTo(1);

        assertThat(index.pending(SPACE)).isZero();
        assertThat(annRows()).isEqualTo(1);
        List<VectorMatch> hits = index.search(q);
        assertThat(hits).extracting(VectorMatch::messageId).containsExactly(r.messageId());
        assertThat(hits.getFirst().score()).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(index.indexPending(10)).isZero();
    }

    @Test
    void player_search_ranks_graph_candidates_and_pending_rows_together_exactly() {
        PgVectorIndex index = withoutIndexer();
        Random random = new Random(5);
        UUID player = Ids.newId();
        List<VectorRecord> mine = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            VectorRecord r = new VectorRecord(Ids.newId(), Ids.newId(), i % 2 == 0 ? player : Ids.newId(),
                    PgTest.randomVector(random, 8));
            index.upsert(SPACE, r);
            if (r.playerId().equals(player)) {
                mine.add(r);
            }
            if (i == 119) {
                index.indexPending(1_000); // the first 120 in the graph, the last 80 pending
            }
        }
        assertThat(index.pending(SPACE)).isEqualTo(80);
        float[] q = PgTest.randomVector(random, 8);

        List<VectorMatch> hits = index.search(VectorQuery.player(SPACE, player, q, 10));

        List<UUID> expected = mine.stream()
                .sorted(java.util.Comparator.comparingDouble((VectorRecord r) -> -PgTest.cosine(q, r.vector()))
                        .thenComparing(VectorRecord::messageId, Ids::compare))
                .limit(10).map(VectorRecord::messageId).toList();
        assertThat(hits).extracting(VectorMatch::messageId).containsExactlyElementsOf(expected);
    }

    @Test
    void a_rewritten_vector_is_queued_again_and_the_graph_gets_the_new_one() throws Exception {
        PgVectorIndex index = withoutIndexer();
        UUID player = Ids.newId();
        UUID id = Ids.newId();
        index.upsert(SPACE, new VectorRecord(id, Ids.newId(), player, new float[] {1, 0, 0, 0, 0, 0, 0, 0}));
        index.indexPending(10);

        index.upsert(SPACE, new VectorRecord(id, Ids.newId(), player, new float[] {0, 1, 0, 0, 0, 0, 0, 0}));

        assertThat(index.pending(SPACE)).isEqualTo(1);
        index.indexPending(10);
        try (Connection c = PgTest.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT embedding::text FROM " + info().annTable())) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("[0,1,0,0,0,0,0,0]");
        }
    }

    @Test
    void a_vector_rewritten_while_the_indexer_has_its_row_is_queued_again_and_the_graph_ends_with_the_new_one()
            throws Exception {
        PgVectorIndex index = withoutIndexer();
        UUID player = Ids.newId();
        UUID session = Ids.newId();
        UUID id = Ids.newId();
        index.upsert(SPACE, new VectorRecord(id, session, player, new float[] {1, 0, 0, 0, 0, 0, 0, 0}));
        ExecutorService writer = Executors.newSingleThreadExecutor();
        List<java.util.concurrent.Future<?>> write = new ArrayList<>();
        try {
            index.afterDequeue(() -> {
                if (!write.isEmpty()) {
                    return; // once
                }
                // the indexer has taken the id off the queue and not yet read the vector: rewrite it now
                write.add(writer.submit(() -> index.upsert(SPACE,
                        new VectorRecord(id, session, player, new float[] {0, 0, 1, 0, 0, 0, 0, 0}))));
                awaitBlockedOrDone(write.getFirst());
            });

            assertThat(index.indexPending(1)).isEqualTo(1); // one batch: the rewrite is not taken yet

            index.afterDequeue(() -> { });
            write.getFirst().get(10, java.util.concurrent.TimeUnit.SECONDS);
        } finally {
            writer.shutdownNow();
        }
        assertThat(index.pending(SPACE)).isEqualTo(1); // the rewrite queued the id again
        assertThat(index.indexPending(10)).isEqualTo(1);
        try (Connection c = PgTest.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT embedding::text FROM " + info().annTable())) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("[0,0,1,0,0,0,0,0]");
        }
    }

    /** Waits until the write waits for a lock (the indexer's transaction) or has finished. */
    private void awaitBlockedOrDone(java.util.concurrent.Future<?> write) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        try (Connection c = PgTest.connect(); java.sql.PreparedStatement ps = c.prepareStatement(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE ?")) {
            ps.setString(1, "%" + info().pendingTable() + "%");
            while (!write.isDone() && System.nanoTime() < deadline) {
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (rs.getLong(1) > 0) {
                        return;
                    }
                }
                Thread.sleep(5);
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void a_deleted_vector_leaves_the_graph_and_the_queue() throws Exception {
        PgVectorIndex index = withoutIndexer();
        UUID player = Ids.newId();
        VectorRecord indexed = new VectorRecord(Ids.newId(), Ids.newId(), player, new float[] {1, 0, 0, 0, 0, 0, 0, 0});
        VectorRecord queued = new VectorRecord(Ids.newId(), Ids.newId(), player, new float[] {0, 1, 0, 0, 0, 0, 0, 0});
        index.upsert(SPACE, indexed);
        index.indexPending(10);
        index.upsert(SPACE, queued);

        assertThat(index.delete(indexed.messageId())).isTrue();
        assertThat(index.delete(queued.messageId())).isTrue();

        assertThat(annRows()).isZero();
        assertThat(index.pending(SPACE)).isZero();
        assertThat(index.search(VectorQuery.player(SPACE, player, new float[] {1, 1, 0, 0, 0, 0, 0, 0}, 5))).isEmpty();
    }

    @Test
    void concurrent_indexers_put_every_queued_vector_in_the_graph_exactly_once() throws Exception {
        PgVectorIndex index = withoutIndexer();
        Random random = new Random(9);
        List<VectorRecord> rows = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            rows.add(new VectorRecord(Ids.newId(), Ids.newId(), Ids.newId(), PgTest.randomVector(random, 8)));
        }
        index.upsertAll(SPACE, rows);
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<CompletableFuture<Integer>> workers = new ArrayList<>();
            for (int w = 0; w < 3; w++) {
                workers.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        start.await();
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                    int moved = 0;
                    for (int n; (n = index.indexPending(50)) > 0; ) {
                        moved += n;
                    }
                    return moved;
                }, pool));
            }
            start.countDown();
            int total = 0;
            for (CompletableFuture<Integer> f : workers) {
                total += f.join();
            }
            assertThat(total).isEqualTo(1_000);
        } finally {
            pool.shutdownNow();
        }
        assertThat(index.pending(SPACE)).isZero();
        assertThat(annRows()).isEqualTo(1_000);
    }

    @Test
    void the_background_indexer_empties_the_queue_by_itself() throws Exception {
        schemas = new PgTest.Schemas(PgTest.builder(PgTest.randomSuffix())
                .annIndexerIdle(java.time.Duration.ofMillis(50)));
        PgVectorIndex index = schemas.pg.vectorIndex();
        Random random = new Random(3);
        List<VectorRecord> rows = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            rows.add(new VectorRecord(Ids.newId(), Ids.newId(), Ids.newId(), PgTest.randomVector(random, 8)));
        }

        index.upsertAll(SPACE, rows);

        long deadline = System.nanoTime() + 30_000_000_000L;
        while (index.pending(SPACE) > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(index.pending(SPACE)).isZero();
        assertThat(annRows()).isEqualTo(300);
    }

    @Test
    void writes_made_while_the_indexer_waits_enter_the_graph_in_one_pass_and_are_found_meanwhile() throws Exception {
        PgVectorIndex index = withoutIndexer();
        Random random = new Random(5);
        UUID player = Ids.newId();
        // no idle polls during the test; a write wakes it, then it waits 3 s for more writes
        try (AnnIndexer indexer = new AnnIndexer(index, Duration.ofMinutes(10), Duration.ofSeconds(3)).start()) {
            index.upsert(SPACE, new VectorRecord(Ids.newId(), Ids.newId(), player, PgTest.randomVector(random, 8)));
            awaitIndexed(indexer, 1);
            assertThat(indexer.passes()).isEqualTo(1);
            List<VectorRecord> rows = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                rows.add(new VectorRecord(Ids.newId(), Ids.newId(), player, PgTest.randomVector(random, 8)));
            }

            for (VectorRecord r : rows) {
                index.upsert(SPACE, r); // five writes, five wake-ups, within milliseconds
            }

            assertThat(index.pending(SPACE)).isEqualTo(5); // the indexer still waits for more
            VectorRecord third = rows.get(2);
            assertThat(index.search(VectorQuery.player(SPACE, player, third.vector(), 1)))
                    .extracting(VectorMatch::messageId).containsExactly(third.messageId());
            awaitIndexed(indexer, 6);
            assertThat(indexer.passes()).isEqualTo(2);
            assertThat(index.pending(SPACE)).isZero();
            assertThat(annRows()).isEqualTo(6);
            assertThat(index.search(VectorQuery.player(SPACE, player, third.vector(), 1)))
                    .extracting(VectorMatch::messageId).containsExactly(third.messageId());
        }
    }

    @Test
    void the_indexers_wait_after_a_write_is_bounded() {
        assertThatThrownBy(() -> PostgresAdapters.builder().annIndexerDelay(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("annIndexerDelay")
                .hasMessageContaining("0 to 1 min");
        assertThatThrownBy(() -> PostgresAdapters.builder().annIndexerDelay(Duration.ofMillis(60_001)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("annIndexerDelay");
        assertThatThrownBy(() -> PostgresAdapters.builder().annIndexerDelay(null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("annIndexerDelay");
        PostgresAdapters.builder().annIndexerDelay(Duration.ZERO).annIndexerDelay(Duration.ofMinutes(1));
    }

    private static void awaitIndexed(AnnIndexer indexer, long rows) throws InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (indexer.indexed() < rows && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(indexer.indexed()).isEqualTo(rows);
    }

    @Test
    void a_rebuild_takes_every_queued_vector_into_a_new_graph() throws Exception {
        PgVectorIndex index = withoutIndexer();
        Random random = new Random(4);
        List<VectorRecord> rows = new ArrayList<>();
        UUID player = Ids.newId();
        for (int i = 0; i < 500; i++) {
            rows.add(new VectorRecord(Ids.newId(), Ids.newId(), player, PgTest.randomVector(random, 8)));
        }
        index.upsertAll(SPACE, rows.subList(0, 100));
        index.indexPending(1_000);
        index.upsertAll(SPACE, rows.subList(100, 500));

        index.rebuildAnnIndex(SPACE, 64);

        assertThat(index.pending(SPACE)).isZero();
        assertThat(annRows()).isEqualTo(500);
        try (Connection c = PgTest.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT indexdef FROM pg_indexes WHERE schemaname = '"
                     + schemas.pg.gameSchema() + "' AND indexname = 'vectors_1_ann_hnsw_idx'")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).contains("hnsw").contains("halfvec_cosine_ops").contains("m='32'")
                    .contains("ef_construction='128'");
        }
        assertThatThrownBy(() -> index.rebuildAnnIndex(SPACE, 10))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maintenanceWorkMemMb")
                .hasMessageContaining("10");
    }

    @Test
    void a_retired_space_loses_its_graph_and_queue_too() throws Exception {
        schemas = new PgTest.Schemas(PgTest.builder(PgTest.randomSuffix()).annIndexer(false));
        PgVectorIndex index = schemas.pg.vectorIndex();
        EmbeddingSpace other = new EmbeddingSpace("next-model", 8);
        index.upsert(SPACE, new VectorRecord(Ids.newId(), Ids.newId(), Ids.newId(), new float[8]));
        index.indexPending(10);
        index.upsert(SPACE, new VectorRecord(Ids.newId(), Ids.newId(), Ids.newId(), new float[8]));
        index.upsert(other, new VectorRecord(Ids.newId(), Ids.newId(), Ids.newId(), new float[8]));
        schemas.pg.embeddingSpaces().switchTo(other);

        schemas.pg.embeddingSpaces().retire(SPACE);

        assertThat(annRows()).isZero();
        assertThat(index.pending(SPACE)).isZero();
        assertThat(index.pending(other)).isEqualTo(1);
    }

    private EmbeddingSpaces.Info info() {
        return schemas.pg.embeddingSpaces().find(SPACE).orElseThrow();
    }

    private long annRows() throws Exception {
        try (Connection c = PgTest.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM " + info().annTable())) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
