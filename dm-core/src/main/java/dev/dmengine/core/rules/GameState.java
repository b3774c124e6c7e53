package dev.dmengine.core.rules;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.dmengine.core.internal.Json;
import dev.dmengine.spi.InvalidInputException;
import dev.dmengine.spi.InvalidInputException.FieldError;
import dev.dmengine.spi.game.GameCharacter;
import dev.dmengine.spi.game.InventoryItem;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The per-session game state the engine versions per turn ({@code TurnRecord.stateBefore} /
 * {@code stateAfter}): the character sheet, the inventory, and the next dice counter.
 *
 * <p>JSON: {@code {"sheet":{…},"inventory":[{…}],"rollCounter":0}}; deterministic, so equal states
 * always serialize to equal text.
 *
 * @param rollCounter the counter the next roll will use; a turn started again from the same state
 *                    rolls the same dice
 */
public record GameState(CharacterSheet sheet, List<InventoryItem> inventory, long rollCounter) {

    public GameState {
        List<FieldError> errors = new ArrayList<>();
        if (sheet == null) {
            errors.add(new FieldError("sheet", "is required"));
        }
        inventory = inventory == null ? List.of() : List.copyOf(inventory);
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < inventory.size(); i++) {
            if (!ids.add(inventory.get(i).itemId())) {
                errors.add(new FieldError("inventory[" + i + "].itemId", "duplicate item id '"
                        + inventory.get(i).itemId() + "'; stacks must be unique"));
            }
        }
        if (rollCounter < 0) {
            errors.add(new FieldError("rollCounter", "must not be negative, was " + rollCounter));
        }
        if (!errors.isEmpty()) {
            throw new InvalidInputException(errors);
        }
    }

    /** A fresh state: counter 0. */
    public static GameState start(CharacterSheet sheet, List<InventoryItem> inventory) {
        return new GameState(sheet, inventory, 0);
    }

    /**
     * The state of a stored character: its sheet JSON parsed and validated, its inventory.
     *
     * @throws InvalidInputException when the sheet is invalid (paths such as {@code abilities.str})
     */
    public static GameState of(GameCharacter character, long rollCounter) {
        return new GameState(CharacterSheets.fromJson(character.sheet()), character.inventory(), rollCounter);
    }

    /** {@code character} with this state's sheet, inventory and level (for {@code CharacterStore} updates). */
    public GameCharacter applyTo(GameCharacter character) {
        return character.withSheet(CharacterSheets.toJson(sheet), inventory, sheet.level());
    }

    public GameState withSheet(CharacterSheet newSheet) {
        return new GameState(newSheet, inventory, rollCounter);
    }

    public GameState withInventory(List<InventoryItem> newInventory) {
        return new GameState(sheet, newInventory, rollCounter);
    }

    public GameState withRollCounter(long counter) {
        return new GameState(sheet, inventory, counter);
    }

    /** Deterministic JSON (fields in declaration order, sets in enum/alphabetical order). */
    public String toJson() {
        return Json.write(this);
    }

    /** The dice counter's field in a state's JSON. */
    static final String ROLL_COUNTER = "rollCounter";

    /**
     * Whether this state and {@code other} hold the same character (sheet and inventory): they
     * differ in their dice counter at most, as after a roll that changed nothing else.
     */
    public boolean sameCharacterAs(GameState other) {
        return sheet.equals(other.sheet) && inventory.equals(other.inventory);
    }

    /**
     * The dice counter of a stored state, read without parsing the rest; empty when the document
     * has no valid one at its top level (parse it with {@link #fromJson} to learn why).
     */
    public static OptionalLong rollCounterOf(String json) {
        try (JsonParser p = Json.MAPPER.getFactory().createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return OptionalLong.empty();
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if (field.equals(ROLL_COUNTER)) {
                    if (value != JsonToken.VALUE_NUMBER_INT || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                        return OptionalLong.empty();
                    }
                    long counter = p.getLongValue();
                    return counter < 0 ? OptionalLong.empty() : OptionalLong.of(counter);
                }
                p.skipChildren();
            }
        } catch (IOException e) {
            return OptionalLong.empty();
        }
        return OptionalLong.empty();
    }

    /**
     * Parses and validates a state.
     *
     * @throws InvalidInputException with field paths such as {@code sheet.abilities.str}
     */
    public static GameState fromJson(String json) {
        return Json.read(Objects.requireNonNull(json, "json"), GameState.class, "state");
    }
}
