package dev.dmengine.spi.game;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * A player's character.
 *
 * @param sheet    the character sheet as a JSON object (abilities, HP, skills…); the rules
 *                 engine in dm-core owns its schema
 * @param version  optimistic-lock version: 1 when created, +1 on every update
 */
public record GameCharacter(UUID id, UUID ownerId, String name, String characterClass, int level, String sheet,
                            List<InventoryItem> inventory, long version, Instant createdAt, Instant updatedAt) {

    public GameCharacter {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(ownerId, "ownerId");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(characterClass, "characterClass");
        Objects.requireNonNull(sheet, "sheet");
        inventory = List.copyOf(Objects.requireNonNull(inventory, "inventory"));
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(updatedAt, "updatedAt");
    }

    public GameCharacter withSheet(String newSheet, List<InventoryItem> newInventory, int newLevel) {
        return new GameCharacter(id, ownerId, name, characterClass, newLevel, newSheet, newInventory, version,
                createdAt, updatedAt);
    }
}
