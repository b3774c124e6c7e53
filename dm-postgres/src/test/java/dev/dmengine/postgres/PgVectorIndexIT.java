package dev.dmengine.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dmengine.spi.Ids;
import dev.dmengine.spi.InvalidInputException;
import dev.dmengine.spi.retrieval.EmbeddingSpace;
import dev.dmengine.spi.retrieval.VectorIndex;
import dev.dmengine.spi.retrieval.VectorMatch;
import dev.dmengine.spi.retrieval.VectorQuery;
import dev.dmengine.spi.retrieval.VectorRecord;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Later {@code extends VectorIndexContract} with {@link #newIndex()}. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PgVectorIndexIT {

    private static final EmbeddingSpace SPACE = new EmbeddingSpace("test-model", 8);

    private PgTest.Schemas schemas;

    @BeforeAll
    void open() {
        schemas = new PgTest.Schemas();
    }

    @AfterAll
    void drop() {
        schemas.close();
    }

    protected VectorIndex newIndex() {
        return schemas.pg.vectorIndex();
    }

    @Test
    void rejects_a_vector_of_the_wrong_dimension_naming_both_dimensions() {
        VectorIndex index = newIndex();
        VectorRecord wrong = new VectorRecord(Ids.newId(), Ids.newId(), Ids.newId(), new float[5]);
        assertThatThrownBy(() -> index.upsert(SPACE, wrong)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("5").hasMessageContaining("8");
        assertThatThrownBy(() -> index.search(VectorQuery.session(SPACE, Ids.newId(), new float[384], 3, Set.of())))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("384").hasMessageContaining("8");
    }

    @Test
    void returns_the_exact_top_k_of_the_session_only_best_first() {
        VectorIndex index = newIndex();
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
        index.upsertAll(SPACE, all);
        float[] q = PgTest.randomVector(random, 8);
        Set<UUID> exclude = Set.of(mine.get(0).messageId(), mine.get(1).messageId());
        List<VectorMatch> hits = index.search(VectorQuery.session(SPACE, session, q, 10, exclude));

        List<UUID> expected = mine.stream().filter(r -> !exclude.contains(r.messageId()))
                .sorted(Comparator.comparingDouble((VectorRecord r) -> -PgTest.cosine(q, r.vector()))
                        .thenComparing(VectorRecord::messageId, Ids::compare))
                .limit(10).map(VectorRecord::messageId).toList();
        assertThat(hits).extracting(VectorMatch::messageId).containsExactlyElementsOf(expected);
        assertThat(hits).allSatisfy(h -> assertThat(h.sessionId()).isEqualTo(session));
        assertThat(hits.getFirst().score()).isCloseTo(
                PgTest.cosine(q, mine.stream().filter(r -> r.messageId().equals(expected.getFirst())).findFirst()
                        .orElseThrow().vector()), org.assertj.core.data.Offset.offset(1e-5));
        assertThat(index.count(SPACE, session)).isEqualTo(mine.size());
    }

    @Test
    void returns_every_candidate_when_the_session_has_fewer_than_k_and_breaks_ties_by_id() {
        VectorIndex index = newIndex();
        UUID session = Ids.newId();
        UUID a = Ids.newId();
        UUID b = Ids.newId();
        index.upsert(SPACE, new VectorRecord(b, session, Ids.newId(), new float[] {1, 0, 0, 0, 0, 0, 0, 0}));
        index.upsert(SPACE, new VectorRecord(a, session, Ids.newId(), new float[] {2, 0, 0, 0, 0, 0, 0, 0}));
        List<VectorMatch> hits = index.search(VectorQuery.session(SPACE, session, new float[] {1, 0, 0, 0, 0, 0, 0, 0},
                10, Set.of()));
        assertThat(hits).extracting(VectorMatch::messageId).containsExactly(a, b);
    }

    @Test
    void replaces_a_vector_on_upsert_and_deletes_it_from_every_space() {
        VectorIndex index = newIndex();
        EmbeddingSpace other = new EmbeddingSpace("other-model", 3);
        UUID session = Ids.newId();
        UUID message = Ids.newId();
        index.upsert(SPACE, new VectorRecord(message, session, Ids.newId(), new float[] {1, 0, 0, 0, 0, 0, 0, 0}));
        index.upsert(SPACE, new VectorRecord(message, session, Ids.newId(), new float[] {0, 1, 0, 0, 0, 0, 0, 0}));
        index.upsert(other, new VectorRecord(message, session, Ids.newId(), new float[] {0, 1, 0}));
        assertThat(index.count(SPACE, session)).isEqualTo(1);
        assertThat(index.search(VectorQuery.session(SPACE, session, new float[] {0, 1, 0, 0, 0, 0, 0, 0}, 1,
                Set.of())).getFirst().score()).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(index.delete(message)).isTrue();
        assertThat(index.count(SPACE, session)).isZero();
        assertThat(index.count(other, session)).isZero();
        assertThat(index.delete(message)).isFalse();
    }

    @Test
    void searches_a_players_sessions_and_nothing_of_other_players() {
        VectorIndex index = newIndex();
        Random random = new Random(11);
        UUID me = Ids.newId();
        List<VectorRecord> mine = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            VectorRecord r = new VectorRecord(Ids.newId(), Ids.newId(), me, PgTest.randomVector(random, 8));
            mine.add(r);
            index.upsert(SPACE, r);
            index.upsert(SPACE, new VectorRecord(Ids.newId(), Ids.newId(), Ids.newId(), PgTest.randomVector(random, 8)));
        }
        float[] q = PgTest.randomVector(random, 8);
        List<VectorMatch> hits = index.search(VectorQuery.player(SPACE, me, q, 5));
        List<UUID> expected = mine.stream().sorted(Comparator.comparingDouble(r -> -PgTest.cosine(q, r.vector())))
                .limit(5).map(VectorRecord::messageId).toList();
        assertThat(hits).extracting(VectorMatch::messageId).containsExactlyElementsOf(expected);
    }

    @Test
    void finds_nothing_in_a_space_that_was_never_written() {
        EmbeddingSpace unknown = new EmbeddingSpace("never-used", 8);
        assertThat(newIndex().search(VectorQuery.session(unknown, Ids.newId(), new float[8], 5, Set.of()))).isEmpty();
        assertThat(newIndex().count(unknown, Ids.newId())).isZero();
    }
}
