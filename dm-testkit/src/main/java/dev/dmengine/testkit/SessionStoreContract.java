package dev.dmengine.testkit;

import dev.dmengine.spi.ConflictException;
import dev.dmengine.spi.Ids;
import dev.dmengine.spi.NotFoundException;
import dev.dmengine.spi.game.GameSession;
import dev.dmengine.spi.game.SessionStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What every {@link SessionStore} must do. Extend it and return a fresh, empty store. */
public abstract class SessionStoreContract {

    protected static final Instant T0 = Instant.parse("2030-01-01T10:00:00Z");

    protected SessionStore store;

    protected abstract SessionStore newStore();

    @BeforeEach
    void freshStore() {
        store = newStore();
    }

    protected static GameSession session(UUID owner, String title, Instant updatedAt) {
        return new GameSession(Ids.newId(), owner, Ids.newId(), title, 42L, T0, updatedAt);
    }

    @Test
    void created_session_is_found() {
        GameSession s = store.create(session(Ids.newId(), "The Sunless Citadel", T0));

        assertThat(store.get(s.id())).contains(s);
        assertThat(store.get(Ids.newId())).isEmpty();
    }

    @Test
    void duplicate_id_is_a_conflict() {
        GameSession s = store.create(session(Ids.newId(), "One", T0));

        assertThatThrownBy(() -> store.create(s)).isInstanceOf(ConflictException.class);
    }

    @Test
    void update_replaces_title_and_updated_at() {
        GameSession s = store.create(session(Ids.newId(), "Old title", T0));
        GameSession renamed = new GameSession(s.id(), s.ownerId(), s.characterId(), "New title", s.seed(),
                s.createdAt(), T0.plusSeconds(60));

        store.update(renamed);

        assertThat(store.get(s.id())).contains(renamed);
    }

    @Test
    void touch_moves_updated_at_and_keeps_what_was_written_since_the_caller_read() {
        GameSession s = store.create(session(Ids.newId(), "Old title", T0));
        store.update(new GameSession(s.id(), s.ownerId(), s.characterId(), "New title",
                s.seed(), s.createdAt(), T0.plusSeconds(10)));

        GameSession touched = store.touch(s.id(), T0.plusSeconds(60));

        GameSession expected = new GameSession(s.id(), s.ownerId(), s.characterId(), "New title", s.seed(),
                s.createdAt(), T0.plusSeconds(60));
        assertThat(touched).isEqualTo(expected);
        assertThat(store.get(s.id())).contains(expected);
    }

    @Test
    void touch_of_unknown_session_is_not_found() {
        UUID ghost = Ids.newId();

        assertThatThrownBy(() -> store.touch(ghost, T0)).isInstanceOf(NotFoundException.class);
        assertThat(store.get(ghost)).isEmpty();
    }

    @Test
    void touch_without_a_time_is_refused_and_changes_nothing() {
        GameSession s = store.create(session(Ids.newId(), "One", T0));

        assertThatThrownBy(() -> store.touch(s.id(), null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("updatedAt");
        assertThat(store.get(s.id())).contains(s);
    }

    @Test
    void update_of_unknown_session_is_not_found() {
        GameSession ghost = session(Ids.newId(), "Ghost", T0);

        assertThatThrownBy(() -> store.update(ghost)).isInstanceOf(NotFoundException.class);
        assertThat(store.get(ghost.id())).isEmpty();
    }

    @Test
    void list_by_owner_is_most_recently_updated_first_and_only_the_owners() {
        UUID ann = Ids.newId();
        GameSession a = store.create(session(ann, "a", T0.plusSeconds(10)));
        GameSession b = store.create(session(ann, "b", T0.plusSeconds(30)));
        GameSession c = store.create(session(ann, "c", T0.plusSeconds(20)));
        store.create(session(Ids.newId(), "not Ann's", T0.plusSeconds(40)));

        assertThat(store.listByOwner(ann)).extracting(GameSession::id).containsExactly(b.id(), c.id(), a.id());

        store.update(new GameSession(a.id(), ann, a.characterId(), "a", a.seed(), a.createdAt(), T0.plusSeconds(50)));
        assertThat(store.listByOwner(ann)).extracting(GameSession::id).containsExactly(a.id(), b.id(), c.id());
    }

    @Test
    void delete_removes_once() {
        GameSession s = store.create(session(Ids.newId(), "One", T0));

        assertThat(store.delete(s.id())).isTrue();
        assertThat(store.delete(s.id())).isFalse();
        assertThat(store.get(s.id())).isEmpty();
        assertThat(store.listByOwner(s.ownerId())).isEmpty();
    }

    @Test
    void a_title_that_is_not_valid_unicode_or_holds_nul_is_refused_and_nothing_is_stored() {
        UUID ann = Ids.newId();
        GameSession kept = store.create(session(ann, "Kept", T0));
        for (String bad : InvalidText.SAMPLES) {
            InvalidText.assertRefused(bad, () -> store.create(session(ann, bad, T0)));
            InvalidText.assertRefused(bad, () -> store.update(new GameSession(kept.id(), ann, kept.characterId(), bad,
                    kept.seed(), kept.createdAt(), T0.plusSeconds(1))));
        }
        assertThat(store.listByOwner(ann)).containsExactly(kept);
    }
}
