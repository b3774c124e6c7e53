package dev.dmengine.testkit;

import dev.dmengine.spi.ConflictException;
import dev.dmengine.spi.Ids;
import dev.dmengine.spi.NotFoundException;
import dev.dmengine.spi.game.TurnRecord;
import dev.dmengine.spi.game.TurnStatus;
import dev.dmengine.spi.game.TurnStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What every {@link TurnStore} must do. Extend it and return a fresh, empty store. */
public abstract class TurnStoreContract {

    protected static final Instant T0 = Instant.parse("2030-01-01T10:00:00Z");

    protected TurnStore store;

    protected abstract TurnStore newStore();

    @BeforeEach
    void freshStore() {
        store = newStore();
    }

    protected static TurnRecord turn(UUID session, long seq, String idempotencyKey) {
        return new TurnRecord(Ids.newId(), session, seq, idempotencyKey, TurnStatus.IN_PROGRESS, Ids.newId(), null,
                "{\"hp\":10}", null, null, null, T0, T0);
    }

    @Test
    void created_turn_is_found_by_id_and_idempotency_key() {
        UUID session = Ids.newId();
        TurnRecord t = store.create(turn(session, 1, "key-1"));

        assertThat(store.get(t.id())).contains(t);
        assertThat(store.findByIdempotencyKey(session, "key-1")).contains(t);
        assertThat(store.findByIdempotencyKey(session, "key-2")).isEmpty();
        assertThat(store.get(Ids.newId())).isEmpty();
    }

    @Test
    void idempotency_keys_are_per_session() {
        UUID s1 = Ids.newId();
        UUID s2 = Ids.newId();
        TurnRecord t1 = store.create(turn(s1, 1, "same-key"));
        TurnRecord t2 = store.create(turn(s2, 1, "same-key"));

        assertThat(store.findByIdempotencyKey(s1, "same-key")).contains(t1);
        assertThat(store.findByIdempotencyKey(s2, "same-key")).contains(t2);
    }

    @Test
    void same_sequence_number_in_a_session_is_a_conflict() {
        UUID session = Ids.newId();
        store.create(turn(session, 1, null));

        assertThatThrownBy(() -> store.create(turn(session, 1, null))).isInstanceOf(ConflictException.class);
        assertThat(store.listBySession(session)).hasSize(1);
    }

    @Test
    void same_idempotency_key_in_a_session_is_a_conflict() {
        UUID session = Ids.newId();
        TurnRecord first = store.create(turn(session, 1, "retry-me"));

        assertThatThrownBy(() -> store.create(turn(session, 2, "retry-me"))).isInstanceOf(ConflictException.class);
        assertThat(store.findByIdempotencyKey(session, "retry-me")).contains(first);
        assertThat(store.listBySession(session)).hasSize(1);
    }

    @Test
    void turns_without_idempotency_key_do_not_collide() {
        UUID session = Ids.newId();
        store.create(turn(session, 1, null));
        store.create(turn(session, 2, null));

        assertThat(store.listBySession(session)).hasSize(2);
    }

    @Test
    void concurrent_creates_of_one_sequence_number_admit_exactly_one() {
        UUID session = Ids.newId();

        List<Boolean> created = Concurrently.run(8, t -> {
            try {
                store.create(turn(session, 1, "k-" + t));
                return true;
            } catch (ConflictException e) {
                return false;
            }
        });

        assertThat(created).containsOnlyOnce(true);
        assertThat(store.listBySession(session)).hasSize(1);
    }

    @Test
    void update_replaces_status_and_results() {
        UUID session = Ids.newId();
        TurnRecord t = store.create(turn(session, 1, "k"));
        UUID dm = Ids.newId();
        TurnRecord done = t.completed(dm, "{\"hp\":7}", "{\"rolls\":[12]}", T0.plusSeconds(3));

        store.update(done);

        TurnRecord read = store.get(t.id()).orElseThrow();
        assertThat(read.status()).isEqualTo(TurnStatus.COMPLETED);
        assertThat(read.dmMessageId()).isEqualTo(dm);
        assertThat(read.stateAfter()).isEqualTo("{\"hp\":7}");
        assertThat(read.mechanics()).isEqualTo("{\"rolls\":[12]}");
        assertThat(read.updatedAt()).isEqualTo(T0.plusSeconds(3));
        assertThat(store.findByIdempotencyKey(session, "k")).contains(read);

        store.update(read.failed("The DM lost the thread.", T0.plusSeconds(4)));
        assertThat(store.get(t.id()).orElseThrow().failureReason()).isEqualTo("The DM lost the thread.");
    }

    @Test
    void update_of_unknown_turn_is_not_found() {
        TurnRecord ghost = turn(Ids.newId(), 1, null);

        assertThatThrownBy(() -> store.update(ghost)).isInstanceOf(NotFoundException.class);
        assertThat(store.get(ghost.id())).isEmpty();
    }

    @Test
    void list_is_in_sequence_order_and_latest_is_the_highest() {
        UUID session = Ids.newId();
        TurnRecord t2 = store.create(turn(session, 2, null));
        TurnRecord t1 = store.create(turn(session, 1, null));
        TurnRecord t3 = store.create(turn(session, 3, null));
        store.create(turn(Ids.newId(), 9, null));

        assertThat(store.listBySession(session)).extracting(TurnRecord::id).containsExactly(t1.id(), t2.id(), t3.id());
        assertThat(store.latest(session)).map(TurnRecord::id).contains(t3.id());
        assertThat(store.latest(Ids.newId())).isEmpty();
        assertThat(store.listBySession(Ids.newId())).isEmpty();
    }

    @Test
    void text_that_is_not_valid_unicode_or_holds_nul_is_refused_and_nothing_is_stored() {
        UUID session = Ids.newId();
        TurnRecord kept = store.create(turn(session, 1, "key-1"));
        for (String bad : InvalidText.SAMPLES) {
            InvalidText.assertRefused(bad, () -> store.create(turn(session, 2, bad)));
            InvalidText.assertRefused(bad, () -> store.update(kept.failed(bad, T0.plusSeconds(1))));
        }
        for (String bad : InvalidText.JSON_SAMPLES) {
            TurnRecord t = turn(session, 2, null);
            InvalidText.assertRefused(bad, () -> store.create(new TurnRecord(t.id(), session, 2, null, t.status(),
                    t.playerMessageId(), null, bad, null, null, null, T0, T0)));
            InvalidText.assertRefused(bad, () -> store.update(kept.completed(Ids.newId(), bad, "[]", T0.plusSeconds(1))));
            InvalidText.assertRefused(bad, () -> store.update(kept.completed(Ids.newId(), "{}", "[" + bad + "]",
                    T0.plusSeconds(1))));
        }
        assertThat(store.listBySession(session)).containsExactly(kept);
    }
}
