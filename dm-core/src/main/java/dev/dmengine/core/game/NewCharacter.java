package dev.dmengine.core.game;

import dev.dmengine.spi.game.InventoryItem;

import java.util.List;

/**
 * What a player gives to create or edit a character.
 *
 * @param sheet the character sheet as a JSON object; {@code null} or empty asks the rules
 *              for a starting sheet of the class
 */
public record NewCharacter(String name, String characterClass, int level, String sheet, List<InventoryItem> inventory) {

    public NewCharacter {
        inventory = inventory == null ? List.of() : List.copyOf(inventory);
    }

    public static NewCharacter of(String name, String characterClass) {
        return new NewCharacter(name, characterClass, 1, null, List.of());
    }
}
