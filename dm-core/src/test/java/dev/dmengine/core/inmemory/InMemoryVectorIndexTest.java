package dev.dmengine.core.inmemory;

import dev.dmengine.spi.Ids;
import dev.dmengine.spi.InvalidInputException;
import dev.dmengine.spi.retrieval.VectorIndex;
import dev.dmengine.spi.retrieval.VectorQuery;
import dev.dmengine.spi.retrieval.VectorRecord;
import dev.dmengine.testkit.VectorIndexContract;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class InMemoryVectorIndexTest extends VectorIndexContract {

    @Override
    protected VectorIndex newIndex() {
        return new InMemoryVectorIndex();
    }

    @Test
    void zero_and_non_finite_vectors_are_invalid_input_naming_the_field() {
        UUID session = Ids.newId();

        assertThatThrownBy(() -> index.upsert(SPACE, new VectorRecord(Ids.newId(), session, Ids.newId(), new float[4])))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("vector");
        float[] nan = {1f, Float.NaN, 0f, 0f};
        assertThatThrownBy(() -> index.search(VectorQuery.session(SPACE, session, nan, 1, Set.of())))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("vector");
        assertThat(index.count(SPACE, session)).isZero();
    }

    @Test
    void upsert_all_stores_nothing_when_one_record_is_invalid() {
        UUID session = Ids.newId();
        UUID player = Ids.newId();
        List<VectorRecord> records = List.of(
                new VectorRecord(Ids.newId(), session, player, at(0)),
                new VectorRecord(Ids.newId(), session, player, new float[3]));

        assertThatThrownBy(() -> index.upsertAll(SPACE, records)).isInstanceOf(InvalidInputException.class);
        assertThat(index.count(SPACE, session)).isZero();
    }

    @Test
    void moving_a_message_to_another_session_leaves_the_old_scope() {
        UUID player = Ids.newId();
        UUID s1 = Ids.newId();
        UUID s2 = Ids.newId();
        UUID id = Ids.newId();
        index.upsert(SPACE, new VectorRecord(id, s1, player, at(0)));
        index.upsert(SPACE, new VectorRecord(id, s2, player, at(0)));

        assertThat(index.count(SPACE, s1)).isZero();
        assertThat(searchSession(s1, 5, Set.of())).isEmpty();
        assertThat(searchSession(s2, 5, Set.of())).containsExactly(id);
    }
}
