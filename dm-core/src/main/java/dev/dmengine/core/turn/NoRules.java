package dev.dmengine.core.turn;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dmengine.core.internal.Json;
import dev.dmengine.spi.game.GameCharacter;
import dev.dmengine.spi.game.GameSession;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@link TurnRules#none()}: the character sheet is shown to the model as it is; nothing is rolled or changed. */
final class NoRules implements TurnRules {

    static final NoRules INSTANCE = new NoRules();

    @Override
    public String stateBefore(GameSession session, GameCharacter character, String previousState) {
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("name", character.name());
        state.put("class", character.characterClass());
        state.put("level", character.level());
        state.put("sheet", Json.parse("sheet", character.sheet()));
        state.put("inventory", character.inventory().stream()
                .map(i -> i.quantity() + " x " + i.name() + (i.equipped() ? " (equipped)" : "")).toList());
        return Json.write(state);
    }

    @Override
    public String describe(String state) {
        JsonNode s = Json.parse("state", state);
        return s.path("name").asText() + ", level " + s.path("level").asInt() + " " + s.path("class").asText()
                + "\nSheet: " + s.path("sheet") + "\nInventory: " + s.path("inventory");
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
    public RoundOutcome resolve(RoundInput input) {
        return new RoundOutcome(input.modelText().strip(), input.state(), List.of(), false, "", "{}", "");
    }

    @Override
    public GameCharacter applyToCharacter(GameCharacter character, String stateAfter) {
        return character;
    }
}
