package dev.dmengine.core.rules;

import dev.dmengine.spi.game.InventoryItem;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class StateMergeTest {

    private static final CharacterSheet SHEET = CharacterSheets.levelOne("Brienne", CharacterClass.FIGHTER,
            new AbilityScores(15, 13, 14, 10, 12, 8), null); // 12 HP
    private static final InventoryItem SWORD = new InventoryItem("longsword", "Longsword", 1, 3.0, true, Set.of());
    private static final InventoryItem POTIONS = new InventoryItem("healing-potion", "Potion of Healing", 2, 0.5,
            false, Set.of());
    private static final InventoryItem ROPE = new InventoryItem("rope", "Hempen rope", 1, 10.0, false, Set.of());
    private static final InventoryItem TORCH = new InventoryItem("torch", "Torch", 1, 1.0, false, Set.of());

    private static InventoryItem with(InventoryItem i, int quantity, boolean equipped) {
        return new InventoryItem(i.itemId(), i.name(), quantity, i.weight(), equipped, i.tags());
    }

    private static GameState state(CharacterSheet sheet, List<InventoryItem> inventory, long counter) {
        return new GameState(sheet, inventory, counter);
    }

    @Test
    void what_the_turn_changed_takes_its_value_and_an_edit_made_meanwhile_stays() {
        GameState before = state(SHEET, List.of(SWORD, POTIONS), 4);
        // the turn: 5 damage, one potion drunk, a torch found, two rolls
        GameState after = state(SHEET.withHp(new HitPoints(12, 7, 0)), List.of(SWORD, with(POTIONS, 1, false), TORCH), 6);
        // meanwhile the player: XP written in, a rope added, the sword unequipped
        GameState stored = state(SHEET.withXp(300), List.of(with(SWORD, 1, false), POTIONS, ROPE), 0);

        GameState merged = StateMerge.merge(before, after, stored);

        assertThat(merged.sheet().hp()).isEqualTo(new HitPoints(12, 7, 0));
        assertThat(merged.sheet().xp()).isEqualTo(300);
        assertThat(merged.inventory()).containsExactly(with(SWORD, 1, false), with(POTIONS, 1, false), ROPE, TORCH);
        assertThat(merged.rollCounter()).isEqualTo(6);
    }

    @Test
    void a_field_changed_by_both_takes_the_turns_value_and_a_nested_field_the_turn_left_keeps_the_edit() {
        GameState before = state(SHEET, List.of(POTIONS), 0);
        GameState after = state(SHEET.withHp(new HitPoints(12, 9, 0)).withXp(50), List.of(), 1); // potions all drunk
        GameState stored = state(SHEET.withHp(new HitPoints(20, 12, 0)).withXp(100), List.of(with(POTIONS, 5, false)), 0);

        GameState merged = StateMerge.merge(before, after, stored);

        assertThat(merged.sheet().hp()).isEqualTo(new HitPoints(20, 9, 0)); // max edited, current from the turn
        assertThat(merged.sheet().xp()).isEqualTo(50);
        assertThat(merged.inventory()).isEmpty(); // the turn used the stack up
    }

    @Test
    void a_sheet_the_two_make_invalid_together_is_the_turns_sheet() {
        GameState before = state(SHEET.withHp(new HitPoints(12, 5, 0)), List.of(), 0);
        GameState after = state(SHEET.withHp(new HitPoints(12, 11, 0)), List.of(), 1); // healed to 11
        GameState stored = state(SHEET.withHp(new HitPoints(8, 5, 0)), List.of(ROPE), 0); // max lowered to 8

        GameState merged = StateMerge.merge(before, after, stored);

        assertThat(merged.sheet()).isEqualTo(after.sheet());
        assertThat(merged.inventory()).containsExactly(ROPE);
    }
}
