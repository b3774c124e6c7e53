package dev.dmengine.testkit;

import dev.dmengine.spi.ConflictException;
import dev.dmengine.spi.Ids;
import dev.dmengine.spi.NotFoundException;
import dev.dmengine.spi.identity.RefreshFamily;
import dev.dmengine.spi.identity.RefreshToken;
import dev.dmengine.spi.identity.RefreshTokenStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What every {@link RefreshTokenStore} must do. Extend it and return a fresh, empty store. */
public abstract class RefreshTokenStoreContract {

    protected static final Instant T0 = Instant.parse("2030-01-01T10:00:00Z");

    protected RefreshTokenStore store;

    protected abstract RefreshTokenStore newStore();

    @BeforeEach
    void freshStore() {
        store = newStore();
    }

    protected static RefreshFamily family(UUID playerId, Instant createdAt) {
        return new RefreshFamily(Ids.newId(), playerId, createdAt, createdAt.plus(Duration.ofDays(30)), null);
    }

    protected static RefreshToken token(RefreshFamily family, String hash) {
        return new RefreshToken(hash, family.id(), family.playerId(), family.createdAt(), null);
    }

    @Test
    void created_family_is_found_active() {
        RefreshFamily f = store.createFamily(family(Ids.newId(), T0));

        assertThat(store.getFamily(f.id())).contains(f);
        assertThat(store.getFamily(f.id()).orElseThrow().isActive(T0.plusSeconds(1))).isTrue();
        assertThat(store.getFamily(Ids.newId())).isEmpty();
    }

    @Test
    void added_token_is_found_by_hash_and_unused() {
        RefreshFamily f = store.createFamily(family(Ids.newId(), T0));
        store.addToken(token(f, "hash-1"));

        RefreshToken found = store.findToken("hash-1").orElseThrow();
        assertThat(found.familyId()).isEqualTo(f.id());
        assertThat(found.playerId()).isEqualTo(f.playerId());
        assertThat(found.usedAt()).isNull();
        assertThat(store.findToken("hash-2")).isEmpty();
    }

    @Test
    void token_of_unknown_family_is_not_found() {
        RefreshFamily never = family(Ids.newId(), T0);

        assertThatThrownBy(() -> store.addToken(token(never, "orphan"))).isInstanceOf(NotFoundException.class);
        assertThat(store.findToken("orphan")).isEmpty();
    }

    @Test
    void duplicate_token_hash_is_a_conflict() {
        RefreshFamily f = store.createFamily(family(Ids.newId(), T0));
        store.addToken(token(f, "same"));

        assertThatThrownBy(() -> store.addToken(token(f, "same"))).isInstanceOf(ConflictException.class);
    }

    @Test
    void mark_used_succeeds_once_then_reports_reuse() {
        RefreshFamily f = store.createFamily(family(Ids.newId(), T0));
        store.addToken(token(f, "hash-1"));
        Instant at = T0.plusSeconds(5);

        assertThat(store.markUsed("hash-1", at)).isTrue();
        assertThat(store.markUsed("hash-1", at.plusSeconds(1))).isFalse();
        assertThat(store.findToken("hash-1").orElseThrow().usedAt()).isEqualTo(at);
    }

    @Test
    void mark_used_is_true_for_exactly_one_of_many_concurrent_callers() {
        RefreshFamily f = store.createFamily(family(Ids.newId(), T0));
        int tokens = 200;
        for (int i = 0; i < tokens; i++) {
            store.addToken(token(f, "hash-" + i));
        }

        // every thread races through the same tokens in the same order
        List<List<Boolean>> results = Concurrently.run(8, t -> {
            List<Boolean> mine = new ArrayList<>();
            for (int i = 0; i < tokens; i++) {
                mine.add(store.markUsed("hash-" + i, T0.plusSeconds(t)));
            }
            return mine;
        });

        for (int i = 0; i < tokens; i++) {
            int token = i;
            assertThat(results.stream().filter(r -> r.get(token)).count()).as("winners for hash-%d", i).isEqualTo(1);
        }
    }

    protected static RefreshToken successor(RefreshFamily family, String hash, Instant at) {
        return new RefreshToken(hash, family.id(), family.playerId(), at, null);
    }

    @Test
    void rotate_marks_the_token_used_links_and_adds_its_successor() {
        RefreshFamily f = store.createFamily(family(Ids.newId(), T0));
        store.addToken(token(f, "hash-1"));
        Instant at = T0.plusSeconds(7);

        assertThat(store.rotate("hash-1", successor(f, "hash-2", at), "sealed-2")).isTrue();

        RefreshToken used = store.findToken("hash-1").orElseThrow();
        assertThat(used.usedAt()).isEqualTo(at);
        assertThat(used.successorHash()).isEqualTo("hash-2");
        assertThat(used.sealedSuccessor()).isEqualTo("sealed-2");
        RefreshToken next = store.findToken("hash-2").orElseThrow();
        assertThat(next.familyId()).isEqualTo(f.id());
        assertThat(next.playerId()).isEqualTo(f.playerId());
        assertThat(next.issuedAt()).isEqualTo(at);
        assertThat(next.usedAt()).isNull();
        assertThat(next.successorHash()).isNull();
        assertThat(next.sealedSuccessor()).isNull();
        // and the successor rotates in turn
        assertThat(store.rotate("hash-2", successor(f, "hash-3", at.plusSeconds(1)), null)).isTrue();
        assertThat(store.findToken("hash-2").orElseThrow().successorHash()).isEqualTo("hash-3");
        assertThat(store.findToken("hash-2").orElseThrow().sealedSuccessor()).isNull();
    }

    @Test
    void rotate_keeps_a_sealed_successor_of_512_characters() {
        RefreshFamily f = store.createFamily(family(Ids.newId(), T0));
        store.addToken(token(f, "hash-1"));
        String sealed = "s".repeat(512);

        assertThat(store.rotate("hash-1", successor(f, "hash-2", T0.plusSeconds(1)), sealed)).isTrue();

        assertThat(store.findToken("hash-1").orElseThrow().sealedSuccessor()).isEqualTo(sealed);
    }

    @Test
    void rotate_of_a_used_unknown_or_foreign_token_is_false_and_changes_nothing() {
        RefreshFamily f = store.createFamily(family(Ids.newId(), T0));
        RefreshFamily other = store.createFamily(family(Ids.newId(), T0));
        store.addToken(token(f, "hash-1"));
        store.addToken(token(other, "foreign"));
        assertThat(store.rotate("hash-1", successor(f, "hash-2", T0.plusSeconds(1)), "sealed-2")).isTrue();

        assertThat(store.rotate("hash-1", successor(f, "late", T0.plusSeconds(2)), "sealed-late")).isFalse();
        assertThat(store.rotate("never-issued", successor(f, "orphan", T0.plusSeconds(2)), null)).isFalse();
        assertThat(store.rotate("foreign", successor(f, "hijack", T0.plusSeconds(2)), null)).isFalse();

        assertThat(store.findToken("late")).isEmpty();
        assertThat(store.findToken("orphan")).isEmpty();
        assertThat(store.findToken("hijack")).isEmpty();
        RefreshToken used = store.findToken("hash-1").orElseThrow();
        assertThat(used.successorHash()).isEqualTo("hash-2");
        assertThat(used.sealedSuccessor()).isEqualTo("sealed-2");
        assertThat(used.usedAt()).isEqualTo(T0.plusSeconds(1));
        assertThat(store.findToken("foreign").orElseThrow().usedAt()).isNull();
    }

    @Test
    void rotate_to_an_existing_hash_is_a_conflict_and_leaves_the_token_unused() {
        RefreshFamily f = store.createFamily(family(Ids.newId(), T0));
        store.addToken(token(f, "hash-1"));
        store.addToken(token(f, "taken"));

        assertThatThrownBy(() -> store.rotate("hash-1", successor(f, "taken", T0.plusSeconds(1)), null))
                .isInstanceOf(ConflictException.class);

        assertThat(store.findToken("hash-1").orElseThrow().usedAt()).isNull();
        assertThat(store.rotate("hash-1", successor(f, "hash-2", T0.plusSeconds(2)), null)).isTrue();
    }

    @Test
    void thirty_concurrent_rotations_of_one_token_have_one_winner_whose_successor_every_loser_then_sees() {
        RefreshFamily f = store.createFamily(family(Ids.newId(), T0));
        store.addToken(token(f, "hash-0"));
        int threads = 30;

        // each thread offers its own successor; afterwards each reads what the token says
        List<Boolean> won = Concurrently.run(threads, t ->
                store.rotate("hash-0", successor(f, "next-" + t, T0.plusSeconds(1)), "sealed-" + t));
        List<RefreshToken> seen = Concurrently.run(threads, t -> store.findToken("hash-0").orElseThrow());

        assertThat(won.stream().filter(w -> w).count()).isEqualTo(1);
        int winner = won.indexOf(true);
        assertThat(seen).allSatisfy(r -> {
            assertThat(r.successorHash()).isEqualTo("next-" + winner);
            assertThat(r.sealedSuccessor()).isEqualTo("sealed-" + winner);
        });
        for (int t = 0; t < threads; t++) {
            assertThat(store.findToken("next-" + t).isPresent()).as("successor of thread %d stored", t)
                    .isEqualTo(t == winner);
        }
    }

    @Test
    void a_loser_of_a_rotation_race_finds_the_winners_successor_at_once() {
        // rotate and then read on the same thread, 30 threads at once: every read after a
        // lost rotation must already show the winner's successor, stored and unused
        RefreshFamily f = store.createFamily(family(Ids.newId(), T0));
        store.addToken(token(f, "hash-0"));

        List<String> successors = Concurrently.run(30, t -> {
            store.rotate("hash-0", successor(f, "next-" + t, T0.plusSeconds(1)), "sealed-" + t);
            RefreshToken used = store.findToken("hash-0").orElseThrow();
            RefreshToken next = store.findToken(used.successorHash()).orElseThrow();
            assertThat(next.usedAt()).isNull();
            return used.successorHash();
        });

        assertThat(successors).containsOnly(successors.getFirst());
    }

    @Test
    void revoke_family_is_true_once_and_deactivates_it() {
        RefreshFamily f = store.createFamily(family(Ids.newId(), T0));
        Instant at = T0.plusSeconds(10);

        assertThat(store.revokeFamily(f.id(), at)).isTrue();
        assertThat(store.revokeFamily(f.id(), at.plusSeconds(1))).isFalse();
        RefreshFamily revoked = store.getFamily(f.id()).orElseThrow();
        assertThat(revoked.revokedAt()).isEqualTo(at);
        assertThat(revoked.isActive(at.plusSeconds(1))).isFalse();
    }

    @Test
    void revoke_of_unknown_family_is_false() {
        assertThat(store.revokeFamily(Ids.newId(), T0)).isFalse();
    }

    @Test
    void revoke_all_revokes_only_that_players_active_families() {
        UUID ann = Ids.newId();
        UUID bob = Ids.newId();
        RefreshFamily a1 = store.createFamily(family(ann, T0));
        RefreshFamily a2 = store.createFamily(family(ann, T0.plusSeconds(1)));
        RefreshFamily a3 = store.createFamily(family(ann, T0.plusSeconds(2)));
        RefreshFamily b1 = store.createFamily(family(bob, T0));
        store.revokeFamily(a3.id(), T0.plusSeconds(3));

        assertThat(store.revokeAll(ann, T0.plusSeconds(4))).isEqualTo(2);

        assertThat(store.getFamily(a1.id()).orElseThrow().revokedAt()).isEqualTo(T0.plusSeconds(4));
        assertThat(store.getFamily(a2.id()).orElseThrow().revokedAt()).isEqualTo(T0.plusSeconds(4));
        assertThat(store.getFamily(a3.id()).orElseThrow().revokedAt()).isEqualTo(T0.plusSeconds(3));
        assertThat(store.getFamily(b1.id()).orElseThrow().revokedAt()).isNull();
        assertThat(store.revokeAll(ann, T0.plusSeconds(5))).isZero();
    }

    @Test
    void families_are_the_players_own_newest_first() {
        UUID ann = Ids.newId();
        RefreshFamily old = store.createFamily(family(ann, T0));
        RefreshFamily newest = store.createFamily(family(ann, T0.plusSeconds(20)));
        RefreshFamily middle = store.createFamily(family(ann, T0.plusSeconds(10)));
        store.createFamily(family(Ids.newId(), T0.plusSeconds(30)));

        assertThat(store.families(ann)).extracting(RefreshFamily::id)
                .containsExactly(newest.id(), middle.id(), old.id());
        assertThat(store.families(Ids.newId())).isEmpty();
    }

    @Test
    void a_token_hash_that_is_not_valid_unicode_or_holds_nul_is_refused_and_nothing_is_stored() {
        RefreshFamily f = store.createFamily(family(Ids.newId(), T0));
        for (String bad : InvalidText.SAMPLES) {
            InvalidText.assertRefused(bad, () -> store.addToken(token(f, bad)));
        }
        store.addToken(token(f, "hash-1"));
        assertThat(store.findToken("hash-1")).isPresent();
    }
}
