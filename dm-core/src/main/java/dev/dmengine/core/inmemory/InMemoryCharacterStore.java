package dev.dmengine.core.inmemory;

import dev.dmengine.spi.game.InventoryItem;
import dev.dmengine.core.game.Validation;
import dev.dmengine.spi.ConflictException;
import dev.dmengine.spi.Ids;
import dev.dmengine.spi.NotFoundException;
import dev.dmengine.spi.game.CharacterStore;
import dev.dmengine.spi.game.GameCharacter;

import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** Characters in a map with optimistic locking on {@link GameCharacter#version()}. */
public final class InMemoryCharacterStore implements CharacterStore {

    private static final Comparator<GameCharacter> OLDEST_FIRST = Comparator.comparing(GameCharacter::createdAt)
            .thenComparing(GameCharacter::id, Ids::compare);

    private final Map<UUID, GameCharacter> byId = new HashMap<>();

    @Override
    public synchronized GameCharacter create(GameCharacter character) {
        storable(character);
        if (byId.containsKey(character.id())) {
            throw new ConflictException("character " + character.id() + " already exists");
        }
        GameCharacter stored = withVersion(character, 1);
        byId.put(stored.id(), stored);
        return stored;
    }

    @Override
    public synchronized Optional<GameCharacter> get(UUID id) {
        return Optional.ofNullable(byId.get(Checks.notNull(id, "id")));
    }

    @Override
    public synchronized List<GameCharacter> listByOwner(UUID ownerId) {
        Checks.notNull(ownerId, "ownerId");
        return byId.values().stream().filter(c -> c.ownerId().equals(ownerId)).sorted(OLDEST_FIRST).toList();
    }

    @Override
    public synchronized GameCharacter update(GameCharacter character) {
        storable(character);
        GameCharacter current = byId.get(character.id());
        if (current == null) {
            throw new NotFoundException("character", character.id());
        }
        if (current.version() != character.version()) {
            throw new ConflictException("character " + character.id() + " was changed by someone else (version "
                    + current.version() + ", update based on " + character.version() + ")");
        }
        GameCharacter stored = withVersion(character, current.version() + 1);
        byId.put(stored.id(), stored);
        return stored;
    }

    @Override
    public synchronized boolean delete(UUID id) {
        return byId.remove(Checks.notNull(id, "id")) != null;
    }

    private static void storable(GameCharacter c) {
        Checks.notNull(c, "character");
        Validation.storable("name", c.name());
        Validation.storable("characterClass", c.characterClass());
        Validation.storableJson("sheet", c.sheet());
        for (int i = 0; i < c.inventory().size(); i++) {
            InventoryItem item = c.inventory().get(i);
            Validation.storable("inventory[" + i + "].itemId", item.itemId());
            Validation.storable("inventory[" + i + "].name", item.name());
            for (String tag : item.tags()) {
                Validation.storable("inventory[" + i + "].tags", tag);
            }
        }
    }

    private static GameCharacter withVersion(GameCharacter c, long version) {
        return new GameCharacter(c.id(), c.ownerId(), c.name(), c.characterClass(), c.level(), c.sheet(),
                c.inventory(), version, c.createdAt(), c.updatedAt());
    }
}
