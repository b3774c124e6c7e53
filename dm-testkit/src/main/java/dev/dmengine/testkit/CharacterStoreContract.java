package dev.dmengine.testkit;

import dev.dmengine.spi.ConflictException;
import dev.dmengine.spi.Ids;
import dev.dmengine.spi.NotFoundException;
import dev.dmengine.spi.game.CharacterStore;
import dev.dmengine.spi.game.GameCharacter;
import dev.dmengine.spi.game.InventoryItem;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What every {@link CharacterStore} must do. Extend it and return a fresh, empty store. */
public abstract class CharacterStoreContract {

    protected static final Instant T0 = Instant.parse("2030-01-01T10:00:00Z");
    protected static final String SHEET = "{\"hp\":10,\"abilities\":{\"str\":12}}";

    protected CharacterStore store;

    protected abstract CharacterStore newStore();

    @BeforeEach
    void freshStore() {
        store = newStore();
    }

    protected static GameCharacter character(UUID owner, String name, Instant createdAt) {
        List<InventoryItem> inventory = List.of(
                new InventoryItem("rope", "Rope (50 ft)", 1, 10, false, Set.of("gear")),
                new InventoryItem("healing-potion", "Potion of Healing", 2, 0.5, false, Set.of("consumable")));
        return new GameCharacter(Ids.newId(), owner, name, "fighter", 1, SHEET, inventory, 0, createdAt, createdAt);
    }

    @Test
    void create_stores_at_version_1_with_sheet_and_inventory() {
        GameCharacter c = character(Ids.newId(), "Bruna", T0);

        GameCharacter stored = store.create(c);

        assertThat(stored.version()).isEqualTo(1);
        GameCharacter read = store.get(c.id()).orElseThrow();
        assertThat(read.version()).isEqualTo(1);
        assertThat(read.name()).isEqualTo("Bruna");
        assertThat(read.sheet()).isEqualTo(SHEET);
        assertThat(read.inventory()).isEqualTo(c.inventory());
        assertThat(read.ownerId()).isEqualTo(c.ownerId());
    }

    @Test
    void duplicate_id_is_a_conflict() {
        GameCharacter c = store.create(character(Ids.newId(), "Bruna", T0));

        assertThatThrownBy(() -> store.create(c)).isInstanceOf(ConflictException.class);
    }

    @Test
    void unknown_id_is_empty() {
        assertThat(store.get(Ids.newId())).isEmpty();
    }

    @Test
    void update_with_current_version_increments_it() {
        GameCharacter v1 = store.create(character(Ids.newId(), "Bruna", T0));

        GameCharacter v2 = store.update(v1.withSheet("{\"hp\":7}", List.of(), 2));

        assertThat(v2.version()).isEqualTo(2);
        GameCharacter read = store.get(v1.id()).orElseThrow();
        assertThat(read.version()).isEqualTo(2);
        assertThat(read.sheet()).isEqualTo("{\"hp\":7}");
        assertThat(read.inventory()).isEmpty();
        assertThat(read.level()).isEqualTo(2);
        assertThat(store.update(v2.withSheet("{\"hp\":8}", List.of(), 2)).version()).isEqualTo(3);
    }

    @Test
    void stale_update_is_a_conflict_and_loses_nothing() {
        GameCharacter v1 = store.create(character(Ids.newId(), "Bruna", T0));
        store.update(v1.withSheet("{\"hp\":7}", List.of(), 1));

        assertThatThrownBy(() -> store.update(v1.withSheet("{\"hp\":1}", List.of(), 1)))
                .isInstanceOf(ConflictException.class);

        GameCharacter read = store.get(v1.id()).orElseThrow();
        assertThat(read.sheet()).isEqualTo("{\"hp\":7}");
        assertThat(read.version()).isEqualTo(2);
    }

    @Test
    void concurrent_updates_from_one_version_let_exactly_one_win() {
        GameCharacter v1 = store.create(character(Ids.newId(), "Bruna", T0));

        List<Boolean> won = Concurrently.run(8, t -> {
            try {
                store.update(v1.withSheet("{\"hp\":" + t + "}", List.of(), 1));
                return true;
            } catch (ConflictException e) {
                return false;
            }
        });

        assertThat(won).containsOnlyOnce(true);
        int winner = won.indexOf(true);
        GameCharacter read = store.get(v1.id()).orElseThrow();
        assertThat(read.version()).isEqualTo(2);
        assertThat(read.sheet()).isEqualTo("{\"hp\":" + winner + "}");
    }

    @Test
    void update_of_unknown_character_is_not_found() {
        GameCharacter ghost = character(Ids.newId(), "Ghost", T0);

        assertThatThrownBy(() -> store.update(ghost)).isInstanceOf(NotFoundException.class);
        assertThat(store.get(ghost.id())).isEmpty();
    }

    @Test
    void list_by_owner_is_oldest_first_and_only_the_owners() {
        UUID ann = Ids.newId();
        GameCharacter second = store.create(character(ann, "Second", T0.plusSeconds(10)));
        GameCharacter first = store.create(character(ann, "First", T0));
        GameCharacter third = store.create(character(ann, "Third", T0.plusSeconds(20)));
        store.create(character(Ids.newId(), "Not Ann's", T0.plusSeconds(5)));

        assertThat(store.listByOwner(ann)).extracting(GameCharacter::id)
                .containsExactly(first.id(), second.id(), third.id());
        assertThat(store.listByOwner(Ids.newId())).isEmpty();
    }

    @Test
    void delete_removes_once() {
        GameCharacter c = store.create(character(Ids.newId(), "Bruna", T0));

        assertThat(store.delete(c.id())).isTrue();
        assertThat(store.delete(c.id())).isFalse();
        assertThat(store.get(c.id())).isEmpty();
        assertThat(store.listByOwner(c.ownerId())).isEmpty();
    }

    @Test
    void text_that_is_not_valid_unicode_or_holds_nul_is_refused_and_nothing_is_stored() {
        UUID ann = Ids.newId();
        GameCharacter kept = store.create(character(ann, "Kept", T0));
        for (String bad : InvalidText.SAMPLES) {
            GameCharacter c = character(ann, "Bruna", T0);
            List<GameCharacter> invalid = List.of(
                    new GameCharacter(c.id(), ann, bad, "fighter", 1, SHEET, c.inventory(), 0, T0, T0),
                    new GameCharacter(c.id(), ann, "Bruna", bad, 1, SHEET, c.inventory(), 0, T0, T0),
                    c.withSheet(SHEET, List.of(new InventoryItem("rope", bad, 1, 1, false, Set.of())), 1),
                    c.withSheet(SHEET, List.of(new InventoryItem(bad, "Rope", 1, 1, false, Set.of())), 1),
                    c.withSheet(SHEET, List.of(new InventoryItem("rope", "Rope", 1, 1, false, Set.of(bad))), 1));
            for (GameCharacter wrong : invalid) {
                InvalidText.assertRefused(bad, () -> store.create(wrong));
                InvalidText.assertRefused(bad, () -> store.update(new GameCharacter(kept.id(), ann, wrong.name(),
                        wrong.characterClass(), 1, wrong.sheet(), wrong.inventory(), kept.version(), T0, T0)));
            }
        }
        assertThat(store.listByOwner(ann)).containsExactly(kept);
    }

    @Test
    void a_sheet_whose_strings_are_not_valid_unicode_or_hold_nul_is_refused_raw_or_escaped() {
        UUID ann = Ids.newId();
        GameCharacter kept = store.create(character(ann, "Kept", T0));
        for (String bad : InvalidText.JSON_SAMPLES) {
            InvalidText.assertRefused(bad, () -> store.create(character(ann, "Bruna", T0).withSheet(bad, List.of(), 1)));
            InvalidText.assertRefused(bad, () -> store.update(kept.withSheet(bad, List.of(), 1)));
        }
        assertThat(store.listByOwner(ann)).containsExactly(kept);
        GameCharacter astral = store.update(kept.withSheet("{\"sigil\":\"\\ud83d\\udc09 \uD83D\uDC09\"}", List.of(), 1));
        assertThat(store.get(kept.id()).orElseThrow().sheet()).isEqualTo(astral.sheet());
    }
}
