package dev.dmengine.core.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.IntNode;
import dev.dmengine.spi.InvalidInputException;
import dev.dmengine.spi.InvalidInputException.FieldError;
import dev.dmengine.spi.game.GameCharacter;
import dev.dmengine.spi.game.InventoryItem;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class GameStateTest {

    @Test
    void json_round_trip_gives_an_equal_state_and_identical_text() {
        GameState s = Fixtures.state().withRollCounter(17);
        String json = s.toJson();
        GameState back = GameState.fromJson(json);
        assertThat(back).isEqualTo(s);
        assertThat(back.toJson()).isEqualTo(json);
        assertThat(json).startsWith("{\"sheet\":{").contains("\"rollCounter\":17", "\"inventory\":[");
    }

    @Test
    void json_is_deterministic_regardless_of_tag_insertion_order() {
        Set<String> ab = new LinkedHashSet<>(List.of("a", "b", "c", "heal:1d4", "consumable"));
        Set<String> ba = new LinkedHashSet<>(List.of("consumable", "heal:1d4", "c", "b", "a"));
        GameState one = GameState.start(Fixtures.fighter(), List.of(new InventoryItem("x", "X", 1, 1, false, ab)));
        GameState two = GameState.start(Fixtures.fighter(), List.of(new InventoryItem("x", "X", 1, 1, false, ba)));
        assertThat(one.toJson()).isEqualTo(two.toJson()).contains("[\"a\",\"b\",\"c\",\"consumable\",\"heal:1d4\"]");
    }

    @Test
    void invalid_state_json_reports_nested_field_paths() {
        String json = Fixtures.state().toJson();
        assertThatThrownBy(() -> GameState.fromJson(json.replace("\"current\":12", "\"current\":13")))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.errors())
                        .containsExactly(new FieldError("sheet.hp.current", "must be 0 to 12, was 13")));
        assertThatThrownBy(() -> GameState.fromJson(json.replace("\"rollCounter\":0", "\"rollCounter\":-1")))
                .hasMessageContaining("rollCounter: must not be negative");
        String rope = dev.dmengine.core.internal.Json.write(Fixtures.rope());
        String one = GameState.start(Fixtures.fighter(), List.of(Fixtures.rope())).toJson();
        String dup = one.replace(rope, rope + "," + rope);
        assertThat(dup).isNotEqualTo(one);
        assertThatThrownBy(() -> GameState.fromJson(dup)).isInstanceOfSatisfying(InvalidInputException.class,
                e -> assertThat(e.errors()).containsExactly(new FieldError("inventory[1].itemId",
                        "duplicate item id 'rope'; stacks must be unique")));
    }

    @Test
    void diff_and_replay_reproduce_the_state() {
        GameState before = Fixtures.state();
        CharacterSheet hurt = Vitals.addCondition(Vitals.damage(before.sheet(), 5, null, false).after(),
                Condition.POISONED);
        GameState after = before.withSheet(hurt)
                .withInventory(Inventory.add(Inventory.remove(Inventory.use(before.inventory(), "healing-potion"),
                        "rope", 1), new InventoryItem("torch", "Torch", 3, 1, false, Set.of())))
                .withRollCounter(4);
        List<StateChange> changes = StateChanges.diff(before, after, "test");
        assertThat(changes).extracting(StateChange::path).containsExactly("sheet.hp.current", "sheet.conditions",
                "inventory[healing-potion]", "inventory[rope]", "inventory[torch]", "rollCounter");
        assertThat(changes).extracting(StateChange::kind).containsExactly(StateChange.Kind.SET,
                StateChange.Kind.SET, StateChange.Kind.SET, StateChange.Kind.REMOVE, StateChange.Kind.ADD,
                StateChange.Kind.SET);
        assertThat(changes.getFirst().before()).isEqualTo(IntNode.valueOf(12));
        assertThat(changes.getFirst().after()).isEqualTo(IntNode.valueOf(7));
        assertThat(StateChanges.replay(before, changes)).isEqualTo(after);
        assertThat(StateChanges.diff(after, after, "none")).isEmpty();
    }

    @Test
    void a_change_of_the_dice_counter_alone_is_the_change_the_trees_give() {
        GameState before = Fixtures.state();
        for (long counter : new long[] {1, 4, 3_000_000_000L}) {
            GameState after = before.withRollCounter(counter);
            List<StateChange> changes = StateChanges.diff(before, after, "roll");
            assertThat(changes).isEqualTo(StateChanges.diffTrees(before, after, "roll")).hasSize(1);
            assertThat(changes.getFirst().path()).isEqualTo("rollCounter");
            assertThat(StateChanges.replay(before, changes)).isEqualTo(after);
        }
        assertThat(StateChanges.diff(before, before.withRollCounter(0), "none"))
                .isEqualTo(StateChanges.diffTrees(before, before.withRollCounter(0), "none")).isEmpty();
    }

    @Test
    void the_dice_counter_of_a_stored_state_is_read_without_the_rest_and_only_when_valid() {
        GameState state = Fixtures.state().withRollCounter(3_000_000_000L);
        assertThat(GameState.rollCounterOf(state.toJson())).hasValue(3_000_000_000L);
        assertThat(GameState.rollCounterOf("{\"sheet\":{\"a\":[1,{\"rollCounter\":9}]},\"rollCounter\":7}")).hasValue(7);
        assertThat(GameState.rollCounterOf("{\"rollCounter\":-1}")).isEmpty();
        assertThat(GameState.rollCounterOf("{\"rollCounter\":1.5}")).isEmpty();
        assertThat(GameState.rollCounterOf("{\"rollCounter\":\"7\"}")).isEmpty();
        assertThat(GameState.rollCounterOf("{\"rollCounter\":99999999999999999999}")).isEmpty();
        assertThat(GameState.rollCounterOf("{\"sheet\":{}}")).isEmpty();
        assertThat(GameState.rollCounterOf("[7]")).isEmpty();
        assertThat(GameState.rollCounterOf("{\"rollCounter\":")).isEmpty();
    }

    @Test
    void replay_refuses_a_log_that_does_not_belong_to_the_state() {
        GameState before = Fixtures.state();
        GameState after = before.withSheet(Vitals.damage(before.sheet(), 5, null, false).after());
        List<StateChange> changes = StateChanges.diff(before, after, "hit");
        GameState other = before.withSheet(Vitals.damage(before.sheet(), 1, null, false).after());
        assertThatThrownBy(() -> StateChanges.replay(other, changes)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("changes[0]: does not apply: sheet.hp.current is 11");
    }

    @Test
    void state_changes_survive_a_json_round_trip_and_still_replay() throws Exception {
        GameState before = Fixtures.state();
        GameState after = before.withRollCounter(3_000_000_000L)
                .withSheet(Vitals.damage(before.sheet(), 2, null, false).after());
        List<StateChange> changes = StateChanges.diff(before, after, "x");
        var mapper = dev.dmengine.core.internal.Json.MAPPER;
        String json = mapper.writeValueAsString(changes);
        List<StateChange> back = List.of(mapper.readValue(json, StateChange[].class));
        assertThat(StateChanges.replay(before, back)).isEqualTo(after);
        GameState mid = StateChanges.replay(before, back.subList(0, 1));
        assertThat(StateChanges.replay(mid, back.subList(1, back.size()))).isEqualTo(after);
    }

    @Test
    void state_is_built_from_and_written_back_to_a_game_character() {
        java.time.Instant now = java.time.Instant.parse("2026-01-01T00:00:00Z");
        GameCharacter c = new GameCharacter(java.util.UUID.randomUUID(), java.util.UUID.randomUUID(), "Brienne",
                "fighter", 1, CharacterSheets.toJson(Fixtures.fighter()), List.of(Fixtures.rope()), 3, now, now);
        GameState s = GameState.of(c, 9);
        assertThat(s.sheet()).isEqualTo(Fixtures.fighter());
        assertThat(s.rollCounter()).isEqualTo(9);
        GameState changed = s.withSheet(s.sheet().withXp(400).withLevel(2));
        GameCharacter back = changed.applyTo(c);
        assertThat(back.level()).isEqualTo(2);
        assertThat(CharacterSheets.fromJson(back.sheet()).xp()).isEqualTo(400);
        assertThat(back.inventory()).isEqualTo(c.inventory());
        GameCharacter broken = new GameCharacter(c.id(), c.ownerId(), c.name(), c.characterClass(), 1,
                c.sheet().replace("\"str\":16", "\"str\":0"), List.of(), 3, now, now);
        assertThatThrownBy(() -> GameState.of(broken, 0)).isInstanceOfSatisfying(InvalidInputException.class,
                e -> assertThat(e.errors()).containsExactly(new FieldError("abilities.str", "must be 1 to 30, was 0")));
    }
}
