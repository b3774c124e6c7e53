package dev.dmengine.core.game;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dmengine.core.internal.Json;
import dev.dmengine.spi.InvalidInputException;

/** Name, class and level bounds and a sheet that is a JSON object: for games without rules. */
public final class BasicCharacterRules implements CharacterRules {

    public static final int MAX_SHEET_CHARS = 32_768;

    @Override
    public Prepared prepare(NewCharacter in) {
        String name = Validation.text("name", in.name(), 60);
        String cls = Validation.text("characterClass", in.characterClass(), 40);
        int level = Validation.range("level", in.level(), 1, 20);
        String sheet = in.sheet() == null || in.sheet().isBlank() ? "{}" : in.sheet();
        if (sheet.length() > MAX_SHEET_CHARS) {
            throw new InvalidInputException("sheet", "must be at most " + MAX_SHEET_CHARS + " characters of JSON, was "
                    + sheet.length());
        }
        JsonNode node = Json.parse("sheet", sheet);
        if (!node.isObject()) {
            throw new InvalidInputException("sheet", "must be a JSON object");
        }
        return new Prepared(name, cls, level, Json.write(node), in.inventory());
    }
}
