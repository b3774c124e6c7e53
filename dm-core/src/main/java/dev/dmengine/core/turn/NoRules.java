package dev.dmengine.core.turn;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import dev.dmengine.core.internal.Json;
import dev.dmengine.spi.game.GameCharacter;
import dev.dmengine.spi.game.GameSession;

import java.util.List;
import java.util.Optional;

/** {@link TurnRules#none()}: the character sheet is shown to the model as it is; nothing is rolled or changed. */
final class NoRules implements TurnRules<NoRules.Snapshot> {

    static final NoRules INSTANCE = new NoRules();

    /** The character as the model sees it. */
    record Snapshot(String name, @JsonProperty("class") String characterClass, int level, JsonNode sheet, List<String> inventory) {
        Snapshot {
            inventory = List.copyOf(inventory);
        }
    }

    @Override
    public Snapshot stateBefore(GameSession session, GameCharacter character, Optional<Snapshot> previous) {
        return new Snapshot(character.name(), character.characterClass(), character.level(),
                Json.parse("sheet", character.sheet()), character.inventory().stream()
                .map(i -> i.quantity() + " x " + i.name() + (i.equipped() ? " (equipped)" : "")).toList());
    }

    @Override
    public Snapshot parse(String json) {
        return Json.read(json, Snapshot.class, "state");
    }

    @Override
    public String toJson(Snapshot state) {
        return Json.write(state);
    }

    @Override
    public String describe(Snapshot s) {
        return s.name() + ", level " + s.level() + " " + s.characterClass() + "\nSheet: " + s.sheet()
                + "\nInventory: " + Json.write(s.inventory());
    }

    @Override
    public String promptGuide() {
        return "";
    }

    @Override
    public StreamFilter streamFilter() {
        return StreamFilter.passThrough();
    }

    @Override
    public RoundOutcome<Snapshot> resolve(RoundInput<Snapshot> input) {
        return RoundOutcome.narrationOnly(input.modelText().strip(), input.state());
    }

    @Override
    public boolean changesCharacter(Snapshot before, Snapshot after) {
        return false;
    }

    @Override
    public GameCharacter applyToCharacter(GameCharacter character, Snapshot stateAfter) {
        return character;
    }
}
