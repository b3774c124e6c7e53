package dev.dmengine.core.rules;

import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SrdTurnRulesTest {

    private static com.fasterxml.jackson.databind.node.ObjectNode item(int quantity, boolean equipped) {
        var n = JsonNodeFactory.instance.objectNode();
        n.put("itemId", "healing-potion").put("name", "Potion of Healing").put("quantity", quantity)
                .put("equipped", equipped);
        return n;
    }

    @Test
    void state_changes_read_as_a_player_would_say_them() {
        assertThat(SrdTurnRules.describe(new StateChange("inventory[healing-potion]", StateChange.Kind.SET,
                item(2, false), item(1, false), "use_item: drink a potion")))
                .isEqualTo("Potion of Healing: 2 → 1 (use_item: drink a potion)");
        assertThat(SrdTurnRules.describe(new StateChange("inventory[healing-potion]", StateChange.Kind.ADD,
                null, item(3, false), null))).isEqualTo("Potion of Healing: 0 → 3");
        assertThat(SrdTurnRules.describe(new StateChange("inventory[healing-potion]", StateChange.Kind.SET,
                item(1, false), item(1, true), null))).isEqualTo("Potion of Healing: equipped");
        assertThat(SrdTurnRules.describe(new StateChange("sheet.hp.current", StateChange.Kind.SET,
                IntNode.valueOf(9), IntNode.valueOf(6), "attack"))).isEqualTo("hp.current: 9 → 6 (attack)");
    }

    @Test
    void a_turn_starts_from_the_stored_character_and_the_previous_turns_dice_counter() {
        SrdTurnRules rules = new SrdTurnRules();
        GameState previous = Fixtures.state().withRollCounter(41);
        var character = new dev.dmengine.spi.game.GameCharacter(dev.dmengine.spi.Ids.newId(),
                dev.dmengine.spi.Ids.newId(), "Brienne", "fighter", 1, CharacterSheets.toJson(Fixtures.fighter()),
                java.util.List.of(Fixtures.rope()), 1, java.time.Instant.EPOCH, java.time.Instant.EPOCH);

        GameState read = rules.stateBeforeStored(null, character, java.util.Optional.of(previous.toJson()));

        assertThat(read).isEqualTo(rules.stateBefore(null, character, java.util.Optional.of(previous)));
        assertThat(read.rollCounter()).isEqualTo(41);
        assertThat(read.inventory()).containsExactly(Fixtures.rope());
        assertThat(rules.stateBeforeStored(null, character, java.util.Optional.empty()).rollCounter()).isZero();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> rules.stateBeforeStored(null, character,
                java.util.Optional.of("{\"rollCounter\":\"x\"}")))
                .isInstanceOf(dev.dmengine.spi.InvalidInputException.class); // parsed whole: the error is named
    }
}
