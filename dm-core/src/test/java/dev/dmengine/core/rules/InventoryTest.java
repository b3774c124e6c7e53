package dev.dmengine.core.rules;

import static dev.dmengine.core.rules.Fixtures.longsword;
import static dev.dmengine.core.rules.Fixtures.potion;
import static dev.dmengine.core.rules.Fixtures.rope;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dmengine.spi.InvalidInputException;
import dev.dmengine.spi.game.InventoryItem;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class InventoryTest {

    private final List<InventoryItem> start = List.of(longsword(false), potion(2));

    @Test
    void add_merges_stacks_by_item_id_and_appends_new_ones() {
        List<InventoryItem> merged = Inventory.add(start, potion(3));
        assertThat(merged).extracting(InventoryItem::itemId).containsExactly("longsword", "healing-potion");
        assertThat(Inventory.find(merged, "healing-potion")).get().extracting(InventoryItem::quantity).isEqualTo(5);
        List<InventoryItem> added = Inventory.add(merged, rope());
        assertThat(added).extracting(InventoryItem::itemId).containsExactly("longsword", "healing-potion", "rope");
        assertThat(start).extracting(InventoryItem::quantity).containsExactly(1, 2); // input untouched
    }

    @Test
    void add_rejects_bad_ids_and_quantities() {
        assertThatThrownBy(() -> Inventory.add(start, new InventoryItem("Big Sword!", "x", 1, 1, false, Set.of())))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("itemId: must be a lower-case slug");
        assertThatThrownBy(() -> Inventory.add(start, potion(0))).hasMessageContaining("quantity: must be 1 to 10000,"
                + " was 0");
        assertThatThrownBy(() -> Inventory.add(List.of(potion(9_999)), potion(2)))
                .hasMessageContaining("at most 10000; would be 10001");
    }

    @Test
    void remove_cannot_take_what_is_not_there() {
        assertThatThrownBy(() -> Inventory.remove(start, "shield", 1)).isInstanceOfSatisfying(
                InvalidInputException.class, e -> assertThat(e.errors().getFirst().field()).isEqualTo("itemId"));
        assertThatThrownBy(() -> Inventory.remove(start, "healing-potion", 3))
                .hasMessageContaining("cannot remove 3 Potion of Healing, only 2 carried");
        assertThatThrownBy(() -> Inventory.remove(start, "healing-potion", -1))
                .hasMessageContaining("quantity: must be 1 to 10000, was -1");
    }

    @Test
    void removing_the_last_unit_drops_the_stack() {
        List<InventoryItem> one = Inventory.remove(start, "healing-potion", 1);
        assertThat(Inventory.find(one, "healing-potion")).get().extracting(InventoryItem::quantity).isEqualTo(1);
        List<InventoryItem> none = Inventory.remove(one, "healing-potion", 1);
        assertThat(none).extracting(InventoryItem::itemId).containsExactly("longsword");
    }

    @Test
    void use_consumes_one_consumable_and_refuses_others() {
        List<InventoryItem> after = Inventory.use(start, "healing-potion");
        assertThat(Inventory.find(after, "healing-potion")).get().extracting(InventoryItem::quantity).isEqualTo(1);
        assertThatThrownBy(() -> Inventory.use(start, "longsword")).hasMessageContaining("not consumable");
        assertThat(Inventory.use(Inventory.use(start, "healing-potion"), "healing-potion"))
                .noneMatch(i -> i.itemId().equals("healing-potion"));
    }

    @Test
    void equip_and_unequip_flip_the_flag_of_the_stack_only() {
        List<InventoryItem> eq = Inventory.equip(start, "longsword");
        assertThat(Inventory.find(eq, "longsword")).get().extracting(InventoryItem::equipped).isEqualTo(true);
        assertThat(Inventory.find(eq, "healing-potion")).get().extracting(InventoryItem::equipped).isEqualTo(false);
        assertThat(Inventory.find(Inventory.unequip(eq, "longsword"), "longsword")).get()
                .extracting(InventoryItem::equipped).isEqualTo(false);
        assertThatThrownBy(() -> Inventory.equip(start, "shield")).hasMessageContaining("no item 'shield'");
    }

    @Test
    void load_sums_weight_times_quantity_and_capacity_is_str_times_15() {
        assertThat(Inventory.load(List.of(longsword(true), potion(2), rope()))).isEqualTo(14.0);
        assertThat(Inventory.capacity(Fixtures.fighter())).isEqualTo(16 * 15);
        assertThat(Inventory.tagValue(potion(1), "heal")).contains("2d4+2");
    }

    @Test
    void returned_lists_are_immutable() {
        List<InventoryItem> out = Inventory.add(new ArrayList<>(start), rope());
        assertThatThrownBy(() -> out.add(rope())).isInstanceOf(UnsupportedOperationException.class);
    }
}
