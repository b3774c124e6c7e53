package dev.dmengine.testkit;

import dev.dmengine.spi.Ids;
import dev.dmengine.spi.InvalidInputException;
import dev.dmengine.spi.retrieval.EmbeddingSpace;
import dev.dmengine.spi.retrieval.VectorIndex;
import dev.dmengine.spi.retrieval.VectorMatch;
import dev.dmengine.spi.retrieval.VectorQuery;
import dev.dmengine.spi.retrieval.VectorRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * What every {@link VectorIndex} must do. Extend it and return a fresh, empty index; it
 * must accept the spaces {@link #SPACE} and {@link #OTHER_SPACE}.
 */
public abstract class VectorIndexContract {

    /** The main space of the suite: four dimensions. */
    protected static final EmbeddingSpace SPACE = new EmbeddingSpace("contract-model", 4);
    /** A second space of another model with the same dimension. */
    protected static final EmbeddingSpace OTHER_SPACE = new EmbeddingSpace("contract-other-model", 4);

    protected VectorIndex index;

    protected abstract VectorIndex newIndex();

    @BeforeEach
    void freshIndex() {
        index = newIndex();
    }

    /** A unit vector at {@code degrees} in the first plane: its cosine to {@link #QUERY} is cos(degrees). */
    protected static float[] at(double degrees) {
        double r = Math.toRadians(degrees);
        return new float[]{(float) Math.cos(r), (float) Math.sin(r), 0f, 0f};
    }

    protected static final float[] QUERY = {1f, 0f, 0f, 0f};

    protected UUID put(UUID session, UUID player, float[] vector) {
        UUID id = Ids.newId();
        index.upsert(SPACE, new VectorRecord(id, session, player, vector));
        return id;
    }

    protected List<UUID> searchSession(UUID session, int k, Set<UUID> exclude) {
        return index.search(VectorQuery.session(SPACE, session, QUERY, k, exclude)).stream()
                .map(VectorMatch::messageId).toList();
    }

    @Test
    void unindexed_names_the_asked_messages_that_have_no_vector_in_the_space_and_session() {
        UUID session = Ids.newId();
        UUID player = Ids.newId();
        UUID indexed = put(session, player, at(0));
        UUID deleted = put(session, player, at(10));
        index.delete(deleted);
        UUID never = Ids.newId();
        UUID elsewhere = put(Ids.newId(), player, at(20)); // another session's
        UUID onlyInOther = Ids.newId();
        index.upsert(OTHER_SPACE, new VectorRecord(onlyInOther, session, player, at(30)));

        assertThat(index.unindexed(SPACE, session, List.of(indexed, deleted, never, elsewhere, onlyInOther)))
                .containsExactlyInAnyOrder(deleted, never, elsewhere, onlyInOther);
        assertThat(index.unindexed(SPACE, session, List.of(indexed))).isEmpty();
        assertThat(index.unindexed(SPACE, session, List.of())).isEmpty();
        assertThat(index.unindexed(OTHER_SPACE, session, List.of(indexed, onlyInOther))).containsExactly(indexed);
        assertThat(index.unindexed(new EmbeddingSpace("never-used", 4), session, List.of(indexed)))
                .containsExactly(indexed);
        List<UUID> tooMany = Stream.generate(Ids::newId).limit(201).toList();
        assertThatThrownBy(() -> index.unindexed(SPACE, session, tooMany))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("200");
    }

    @Test
    void nearest_come_first_with_cosine_scores() {
        UUID session = Ids.newId();
        UUID player = Ids.newId();
        UUID far = put(session, player, at(80));
        UUID near = put(session, player, at(10));
        UUID mid = put(session, player, at(45));
        UUID opposite = put(session, player, at(180));

        List<VectorMatch> matches = index.search(VectorQuery.session(SPACE, session, QUERY, 4, Set.of()));

        assertThat(matches).extracting(VectorMatch::messageId).containsExactly(near, mid, far, opposite);
        assertThat(matches.get(0).score()).isCloseTo(Math.cos(Math.toRadians(10)), within(1e-4));
        assertThat(matches.get(1).score()).isCloseTo(Math.cos(Math.toRadians(45)), within(1e-4));
        assertThat(matches.get(3).score()).isCloseTo(-1.0, within(1e-4));
        assertThat(matches).allSatisfy(m -> assertThat(m.sessionId()).isEqualTo(session));
    }

    @Test
    void scores_do_not_depend_on_vector_length() {
        UUID session = Ids.newId();
        UUID id = put(session, Ids.newId(), new float[]{30f, 40f, 0f, 0f});

        VectorMatch m = index.search(VectorQuery.session(SPACE, session, new float[]{0.5f, 0f, 0f, 0f}, 1, Set.of()))
                .getFirst();

        assertThat(m.messageId()).isEqualTo(id);
        assertThat(m.score()).isCloseTo(0.6, within(1e-4));
    }

    @Test
    void knn_never_returns_another_sessions_messages() {
        UUID player = Ids.newId();
        UUID mine = Ids.newId();
        UUID other = Ids.newId();
        List<UUID> own = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            own.add(put(mine, player, at(60 + i)));
            put(other, player, at(i)); // closer to the query than any of mine
        }

        List<VectorMatch> matches = index.search(VectorQuery.session(SPACE, mine, QUERY, 10, Set.of()));

        assertThat(matches).extracting(VectorMatch::messageId).containsExactlyElementsOf(own);
        assertThat(matches).extracting(VectorMatch::sessionId).containsOnly(mine);
    }

    @Test
    void player_scope_spans_the_players_sessions_and_never_another_players() {
        UUID ann = Ids.newId();
        UUID bob = Ids.newId();
        UUID annSession1 = Ids.newId();
        UUID annSession2 = Ids.newId();
        UUID a1 = put(annSession1, ann, at(30));
        UUID a2 = put(annSession2, ann, at(20));
        put(Ids.newId(), bob, at(0));
        put(Ids.newId(), bob, at(1));

        List<VectorMatch> matches = index.search(VectorQuery.player(SPACE, ann, QUERY, 10));

        assertThat(matches).extracting(VectorMatch::messageId).containsExactly(a2, a1);
        assertThat(matches).extracting(VectorMatch::sessionId).containsExactly(annSession2, annSession1);
    }

    @Test
    void k_larger_than_the_session_returns_exactly_all_candidates() {
        UUID session = Ids.newId();
        UUID player = Ids.newId();
        List<UUID> ids = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            ids.add(put(session, player, at(i * 10)));
        }
        put(Ids.newId(), player, at(0));

        assertThat(searchSession(session, VectorQuery.MAX_K, Set.of())).containsExactlyElementsOf(ids);
        assertThat(searchSession(session, 8, Set.of())).hasSize(7).doesNotHaveDuplicates();
    }

    @Test
    void empty_scope_returns_nothing() {
        put(Ids.newId(), Ids.newId(), at(0));

        assertThat(searchSession(Ids.newId(), 5, Set.of())).isEmpty();
        assertThat(index.search(VectorQuery.player(SPACE, Ids.newId(), QUERY, 5))).isEmpty();
    }

    @Test
    void excluded_ids_are_never_returned_and_do_not_shrink_the_result() {
        UUID session = Ids.newId();
        UUID player = Ids.newId();
        List<UUID> ids = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            ids.add(put(session, player, at(i * 10)));
        }
        Set<UUID> recentWindow = Set.of(ids.get(0), ids.get(1), ids.get(2));

        assertThat(searchSession(session, 5, recentWindow)).containsExactlyElementsOf(ids.subList(3, 8));
        assertThat(searchSession(session, 9, recentWindow)).containsExactlyElementsOf(ids.subList(3, 10));
        Set<UUID> unrelated = Set.of(Ids.newId(), Ids.newId());
        assertThat(searchSession(session, 4, unrelated)).containsExactlyElementsOf(ids.subList(0, 4));
    }

    @Test
    void excluding_every_candidate_returns_nothing() {
        UUID session = Ids.newId();
        UUID player = Ids.newId();
        UUID a = put(session, player, at(0));
        UUID b = put(session, player, at(5));

        assertThat(searchSession(session, 5, Set.of(a, b))).isEmpty();
    }

    @Test
    void ties_are_ordered_by_message_id_ascending() {
        UUID session = Ids.newId();
        UUID player = Ids.newId();
        List<UUID> tied = new ArrayList<>(IntStream.range(0, 6).mapToObj(i -> Ids.newId()).toList());
        // a few ids that are negative as signed longs, where UUID.compareTo and Ids.compare disagree
        tied.add(new UUID(0x8000_0000_0000_7000L | Ids.newId().getMostSignificantBits() & 0xFFFL,
                0x8000_0000_0000_0001L));
        tied.add(new UUID(0xF000_0000_0000_7000L, 0x8000_0000_0000_0002L));
        List<UUID> shuffled = new ArrayList<>(tied);
        Collections.shuffle(shuffled, new Random(7));
        for (UUID id : shuffled) {
            index.upsert(SPACE, new VectorRecord(id, session, player, at(20)));
        }
        UUID best = put(session, player, at(0));

        List<UUID> expected = new ArrayList<>();
        expected.add(best);
        expected.addAll(tied.stream().sorted(Ids::compare).toList());
        assertThat(searchSession(session, 20, Set.of())).containsExactlyElementsOf(expected);
        assertThat(searchSession(session, 3, Set.of())).containsExactlyElementsOf(expected.subList(0, 3));
    }

    @Test
    void wrong_vector_dimension_names_both_dimensions() {
        UUID session = Ids.newId();
        float[] thirteen = new float[13];
        thirteen[0] = 1f;

        assertThatThrownBy(() -> index.upsert(SPACE, new VectorRecord(Ids.newId(), session, Ids.newId(), thirteen)))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageFindingMatch("\\b13\\b")
                .hasMessageFindingMatch("\\b4\\b");
        assertThatThrownBy(() -> index.search(VectorQuery.session(SPACE, session, thirteen, 3, Set.of())))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageFindingMatch("\\b13\\b")
                .hasMessageFindingMatch("\\b4\\b");
        assertThat(index.count(SPACE, session)).isZero();
    }

    @Test
    void upsert_replaces_the_messages_vector() {
        UUID session = Ids.newId();
        UUID player = Ids.newId();
        UUID id = Ids.newId();
        UUID other = put(session, player, at(30));
        index.upsert(SPACE, new VectorRecord(id, session, player, at(90)));
        index.upsert(SPACE, new VectorRecord(id, session, player, at(0)));

        assertThat(index.count(SPACE, session)).isEqualTo(2);
        List<VectorMatch> matches = index.search(VectorQuery.session(SPACE, session, QUERY, 5, Set.of()));
        assertThat(matches).extracting(VectorMatch::messageId).containsExactly(id, other);
        assertThat(matches.getFirst().score()).isCloseTo(1.0, within(1e-4));
    }

    @Test
    void stored_vectors_are_not_changed_by_the_callers_array() {
        UUID session = Ids.newId();
        float[] vector = at(0);
        UUID id = put(session, Ids.newId(), vector);
        vector[0] = 0f;
        vector[1] = 1f;

        VectorMatch m = index.search(VectorQuery.session(SPACE, session, QUERY, 1, Set.of())).getFirst();
        assertThat(m.messageId()).isEqualTo(id);
        assertThat(m.score()).isCloseTo(1.0, within(1e-4));
    }

    @Test
    void spaces_are_isolated_even_for_the_same_message() {
        UUID session = Ids.newId();
        UUID player = Ids.newId();
        UUID id = Ids.newId();
        index.upsert(SPACE, new VectorRecord(id, session, player, at(0)));
        index.upsert(OTHER_SPACE, new VectorRecord(id, session, player, at(60)));
        UUID onlyInOther = Ids.newId();
        index.upsert(OTHER_SPACE, new VectorRecord(onlyInOther, session, player, at(90)));

        List<VectorMatch> inSpace = index.search(VectorQuery.session(SPACE, session, QUERY, 10, Set.of()));
        List<VectorMatch> inOther = index.search(VectorQuery.session(OTHER_SPACE, session, QUERY, 10, Set.of()));

        assertThat(inSpace).extracting(VectorMatch::messageId).containsExactly(id);
        assertThat(inSpace.getFirst().score()).isCloseTo(1.0, within(1e-4));
        assertThat(inOther).extracting(VectorMatch::messageId).containsExactly(id, onlyInOther);
        assertThat(inOther.getFirst().score()).isCloseTo(0.5, within(1e-4));
        assertThat(index.count(SPACE, session)).isEqualTo(1);
        assertThat(index.count(OTHER_SPACE, session)).isEqualTo(2);
    }

    @Test
    void delete_removes_the_message_from_every_space() {
        UUID session = Ids.newId();
        UUID player = Ids.newId();
        UUID id = Ids.newId();
        index.upsert(SPACE, new VectorRecord(id, session, player, at(0)));
        index.upsert(OTHER_SPACE, new VectorRecord(id, session, player, at(0)));
        UUID kept = put(session, player, at(10));

        assertThat(index.delete(id)).isTrue();
        assertThat(index.delete(id)).isFalse();

        assertThat(searchSession(session, 10, Set.of())).containsExactly(kept);
        assertThat(index.search(VectorQuery.session(OTHER_SPACE, session, QUERY, 10, Set.of()))).isEmpty();
        assertThat(index.count(OTHER_SPACE, session)).isZero();
    }

    @Test
    void upsert_all_stores_every_record() {
        UUID session = Ids.newId();
        UUID player = Ids.newId();
        List<VectorRecord> records = IntStream.range(0, 12)
                .mapToObj(i -> new VectorRecord(Ids.newId(), session, player, at(i * 5))).toList();

        index.upsertAll(SPACE, records);

        assertThat(index.count(SPACE, session)).isEqualTo(12);
        assertThat(searchSession(session, 12, Set.of()))
                .containsExactlyElementsOf(records.stream().map(VectorRecord::messageId).toList());
    }

    @Test
    void concurrent_upserts_are_all_counted_and_searchable() {
        UUID session = Ids.newId();
        UUID player = Ids.newId();
        int threads = 8;
        int perThread = 100;

        List<List<UUID>> written = Concurrently.run(threads, t -> {
            List<UUID> ids = new ArrayList<>();
            for (int i = 0; i < perThread; i++) {
                ids.add(put(session, player, at((t * perThread + i) * 0.1)));
            }
            return ids;
        });

        assertThat(index.count(SPACE, session)).isEqualTo((long) threads * perThread);
        List<VectorMatch> all = index.search(VectorQuery.session(SPACE, session, QUERY, VectorQuery.MAX_K, Set.of()));
        assertThat(all).extracting(VectorMatch::messageId)
                .containsExactlyInAnyOrderElementsOf(written.stream().flatMap(List::stream).toList());
        assertThat(all).isSortedAccordingTo(Comparator.comparingDouble(VectorMatch::score).reversed());
    }
}
