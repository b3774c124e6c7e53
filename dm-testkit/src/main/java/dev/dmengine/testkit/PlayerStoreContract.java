package dev.dmengine.testkit;

import dev.dmengine.spi.ConflictException;
import dev.dmengine.spi.Ids;
import dev.dmengine.spi.NotFoundException;
import dev.dmengine.spi.identity.Player;
import dev.dmengine.spi.identity.PlayerStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What every {@link PlayerStore} must do. Extend it and return a fresh, empty store. */
public abstract class PlayerStoreContract {

    protected static final Instant T0 = Instant.parse("2030-01-01T10:00:00Z");

    protected PlayerStore store;

    protected abstract PlayerStore newStore();

    @BeforeEach
    void freshStore() {
        store = newStore();
    }

    protected static Player player(String email) {
        return new Player(Ids.newId(), email, "Name of " + email, "$argon2id$v=19$hash-" + email, false, null, T0, T0);
    }

    @Test
    void created_player_is_found_by_id_and_by_email() {
        Player p = store.create(player("ann@example.org"));

        assertThat(store.get(p.id())).contains(p);
        assertThat(store.findByEmail("ann@example.org")).contains(p);
    }

    @Test
    void unknown_id_and_email_are_empty() {
        store.create(player("ann@example.org"));

        assertThat(store.get(Ids.newId())).isEmpty();
        assertThat(store.findByEmail("bob@example.org")).isEmpty();
    }

    @Test
    void duplicate_email_is_a_conflict_and_the_first_player_stays() {
        Player first = store.create(player("ann@example.org"));

        assertThatThrownBy(() -> store.create(player("ann@example.org"))).isInstanceOf(ConflictException.class);
        assertThat(store.findByEmail("ann@example.org")).contains(first);
    }

    @Test
    void duplicate_id_is_a_conflict() {
        Player first = store.create(player("ann@example.org"));
        Player sameId = new Player(first.id(), "other@example.org", "Other", "h", false, null, T0, T0);

        assertThatThrownBy(() -> store.create(sameId)).isInstanceOf(ConflictException.class);
        assertThat(store.findByEmail("other@example.org")).isEmpty();
    }

    @Test
    void update_replaces_the_stored_player() {
        Player p = store.create(player("ann@example.org"));
        Instant later = T0.plusSeconds(60);
        Player changed = new Player(p.id(), "ann@example.org", "Annie", "new-hash", true, later, T0, later);

        store.update(changed);

        Player stored = store.get(p.id()).orElseThrow();
        assertThat(stored.displayName()).isEqualTo("Annie");
        assertThat(stored.passwordHash()).isEqualTo("new-hash");
        assertThat(stored.disabled()).isTrue();
        assertThat(stored.tokensNotBefore()).isEqualTo(later);
    }

    @Test
    void update_can_change_the_email_and_frees_the_old_one() {
        Player p = store.create(player("ann@example.org"));
        store.update(new Player(p.id(), "ann@new.example.org", p.displayName(), p.passwordHash(), false, null, T0, T0));

        assertThat(store.findByEmail("ann@new.example.org")).map(Player::id).contains(p.id());
        assertThat(store.findByEmail("ann@example.org")).isEmpty();
        assertThat(store.create(player("ann@example.org")).email()).isEqualTo("ann@example.org");
    }

    @Test
    void update_to_an_email_taken_by_another_player_is_a_conflict() {
        store.create(player("ann@example.org"));
        Player bob = store.create(player("bob@example.org"));
        Player stealing = new Player(bob.id(), "ann@example.org", "Bob", "h", false, null, T0, T0);

        assertThatThrownBy(() -> store.update(stealing)).isInstanceOf(ConflictException.class);
        assertThat(store.get(bob.id())).map(Player::email).contains("bob@example.org");
    }

    @Test
    void update_of_unknown_player_is_not_found() {
        assertThatThrownBy(() -> store.update(player("ghost@example.org"))).isInstanceOf(NotFoundException.class);
        assertThat(store.findByEmail("ghost@example.org")).isEmpty();
    }

    @Test
    void emails_are_compared_as_stored() {
        store.create(player("ann@example.org"));

        assertThat(store.findByEmail("ANN@example.org")).isEmpty();
    }

    @Test
    void concurrent_registrations_with_one_email_admit_exactly_one() {
        AtomicInteger conflicts = new AtomicInteger();
        List<Boolean> created = Concurrently.run(8, t -> {
            try {
                store.create(player("race@example.org"));
                return true;
            } catch (ConflictException e) {
                conflicts.incrementAndGet();
                return false;
            }
        });

        assertThat(created).containsOnlyOnce(true);
        assertThat(conflicts).hasValue(7);
        assertThat(store.findByEmail("race@example.org")).isPresent();
    }

    @Test
    void concurrent_registrations_with_distinct_emails_all_succeed() {
        List<UUID> ids = Concurrently.run(8, t -> {
            UUID last = null;
            for (int i = 0; i < 50; i++) {
                last = store.create(player("p" + t + "-" + i + "@example.org")).id();
            }
            return last;
        });

        for (int t = 0; t < 8; t++) {
            for (int i = 0; i < 50; i++) {
                assertThat(store.findByEmail("p" + t + "-" + i + "@example.org")).isPresent();
            }
        }
        assertThat(ids).doesNotHaveDuplicates();
    }

    @Test
    void text_that_is_not_valid_unicode_or_holds_nul_is_refused_and_nothing_is_stored() {
        Player ann = store.create(player("ann@example.org"));
        int i = 0;
        for (String bad : InvalidText.SAMPLES) {
            String email = "p" + i++ + "@example.org";
            InvalidText.assertRefused(bad, () -> store.create(new Player(Ids.newId(), bad + email, "Name", "hash", false,
                    null, T0, T0)));
            InvalidText.assertRefused(bad, () -> store.create(new Player(Ids.newId(), email, bad, "hash", false, null,
                    T0, T0)));
            InvalidText.assertRefused(bad, () -> store.create(new Player(Ids.newId(), email, "Name", bad, false, null,
                    T0, T0)));
            assertThat(store.findByEmail(email)).isEmpty();
            InvalidText.assertRefused(bad, () -> store.update(new Player(ann.id(), ann.email(), bad, ann.passwordHash(),
                    false, null, T0, T0.plusSeconds(1))));
            InvalidText.assertRefused(bad, () -> store.update(new Player(ann.id(), bad, ann.displayName(),
                    ann.passwordHash(), false, null, T0, T0.plusSeconds(1))));
        }
        assertThat(store.get(ann.id())).contains(ann);
    }
}
