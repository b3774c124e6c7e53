package dev.dmengine.spi.game;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Characters with optimistic locking. */
public interface CharacterStore {

    /** Stores a new character at version 1 and returns it as stored. */
    GameCharacter create(GameCharacter character);

    Optional<GameCharacter> get(UUID id);

    /** The owner's characters, oldest first. */
    List<GameCharacter> listByOwner(UUID ownerId);

    /**
     * Replaces the character if its stored version equals {@code character.version()} and
     * returns it with the version incremented; otherwise a
     * {@link dev.dmengine.spi.ConflictException} (never a lost write), or not found.
     */
    GameCharacter update(GameCharacter character);

    /** Deletes the character; {@code false} if there was none. */
    boolean delete(UUID id);
}
