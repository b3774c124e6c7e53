package dev.dmengine.core.game;

import dev.dmengine.spi.game.InventoryItem;

import java.util.List;

/**
 * How characters are checked and completed: the rules engine's side of character
 * creation. Implementations throw {@link dev.dmengine.spi.InvalidInputException} with one
 * field error per problem.
 */
public interface CharacterRules {

    /** A complete, valid character made from the player's input. */
    Prepared prepare(NewCharacter input);

    record Prepared(String name, String characterClass, int level, String sheet, List<InventoryItem> inventory) {
    }
}
