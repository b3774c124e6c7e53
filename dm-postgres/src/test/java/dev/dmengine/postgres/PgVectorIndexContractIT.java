package dev.dmengine.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.dmengine.spi.Ids;
import dev.dmengine.spi.retrieval.EmbeddingSpace;
import dev.dmengine.spi.retrieval.VectorIndex;
import dev.dmengine.spi.retrieval.VectorMatch;
import dev.dmengine.spi.retrieval.VectorQuery;
import dev.dmengine.spi.retrieval.VectorRecord;
import dev.dmengine.testkit.VectorIndexContract;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The {@link VectorIndexContract} against PostgreSQL: random schemas per class, emptied before each test. */
class PgVectorIndexContractIT extends VectorIndexContract {

    private static PgTest.Schemas schemas;

    @BeforeAll
    static void createSchemas() {
        schemas = PgTest.Schemas.forContract();
    }

    @AfterAll
    static void dropSchemas() {
        schemas.close();
    }

    @Override
    protected VectorIndex newIndex() {
        schemas.truncate();
        return schemas.pg.vectorIndex();
    }

    // ---- PostgreSQL-specific: the exact session plan and the HNSW player plan on random data ----

    private static final EmbeddingSpace EIGHT = new EmbeddingSpace("pg-test-model", 8);

    @Test
    void session_search_is_the_exact_top_k_of_the_session_among_many() {
        Random random = new Random(7);
        UUID player = Ids.newId();
        UUID session = Ids.newId();
        List<VectorRecord> mine = new ArrayList<>();
        List<VectorRecord> all = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            UUID s = i % 3 == 0 ? session : Ids.newId();
            VectorRecord r = new VectorRecord(Ids.newId(), s, player, PgTest.randomVector(random, 8));
            all.add(r);
            if (s.equals(session)) {
                mine.add(r);
            }
        }
        index.upsertAll(EIGHT, all);
        float[] q = PgTest.randomVector(random, 8);
        Set<UUID> exclude = Set.of(mine.get(0).messageId(), mine.get(1).messageId());

        List<VectorMatch> hits = index.search(VectorQuery.session(EIGHT, session, q, 10, exclude));

        List<VectorRecord> expected = mine.stream().filter(r -> !exclude.contains(r.messageId()))
                .sorted(Comparator.comparingDouble((VectorRecord r) -> -PgTest.cosine(q, r.vector()))
                        .thenComparing(VectorRecord::messageId, Ids::compare))
                .limit(10).toList();
        assertThat(hits).extracting(VectorMatch::messageId)
                .containsExactlyElementsOf(expected.stream().map(VectorRecord::messageId).toList());
        assertThat(hits.getFirst().score()).isCloseTo(PgTest.cosine(q, expected.getFirst().vector()), within(1e-5));
        assertThat(index.count(EIGHT, session)).isEqualTo(mine.size());
    }

    @Test
    void player_search_finds_the_players_nearest_among_other_players_vectors() {
        Random random = new Random(11);
        UUID me = Ids.newId();
        List<VectorRecord> mine = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            VectorRecord r = new VectorRecord(Ids.newId(), Ids.newId(), me, PgTest.randomVector(random, 8));
            mine.add(r);
            index.upsert(EIGHT, r);
            float[] theirs = PgTest.randomVector(random, 8);
            index.upsert(EIGHT, new VectorRecord(Ids.newId(), Ids.newId(), Ids.newId(), theirs));
        }
        float[] q = PgTest.randomVector(random, 8);

        List<VectorMatch> hits = index.search(VectorQuery.player(EIGHT, me, q, 5));

        List<UUID> expected = mine.stream().sorted(Comparator.comparingDouble(r -> -PgTest.cosine(q, r.vector())))
                .limit(5).map(VectorRecord::messageId).toList();
        assertThat(hits).extracting(VectorMatch::messageId).containsExactlyElementsOf(expected);
    }

    @Test
    void a_space_never_written_has_no_table_and_finds_nothing() {
        EmbeddingSpace unknown = new EmbeddingSpace("never-used", 8);

        assertThat(index.search(VectorQuery.session(unknown, Ids.newId(), new float[8], 5, Set.of()))).isEmpty();
        assertThat(index.search(VectorQuery.player(unknown, Ids.newId(), new float[8], 5))).isEmpty();
        assertThat(index.count(unknown, Ids.newId())).isZero();
        assertThat(schemas.pg.embeddingSpaces().find(unknown)).isEmpty();
    }
}
