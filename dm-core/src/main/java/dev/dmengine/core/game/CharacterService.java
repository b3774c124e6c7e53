package dev.dmengine.core.game;

import dev.dmengine.spi.Ids;
import dev.dmengine.spi.NotFoundException;
import dev.dmengine.spi.game.CharacterStore;
import dev.dmengine.spi.game.GameCharacter;

import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/** A player's characters. Every call is checked against the owner: another player's id is not found. */
public final class CharacterService {

    public static final int MAX_CHARACTERS_PER_PLAYER = 100;

    private final CharacterStore characters;
    private final CharacterRules rules;
    private final Clock clock;

    public CharacterService(CharacterStore characters, CharacterRules rules, Clock clock) {
        this.characters = Objects.requireNonNull(characters, "characters");
        this.rules = Objects.requireNonNull(rules, "rules");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public GameCharacter create(UUID ownerId, NewCharacter input) {
        CharacterRules.Prepared p = rules.prepare(input);
        if (characters.listByOwner(ownerId).size() >= MAX_CHARACTERS_PER_PLAYER) {
            throw new dev.dmengine.spi.ConflictException("a player may have at most " + MAX_CHARACTERS_PER_PLAYER
                    + " characters");
        }
        var now = clock.instant();
        return characters.create(new GameCharacter(Ids.newId(), ownerId, p.name(), p.characterClass(), p.level(),
                p.sheet(), p.inventory(), 1, now, now));
    }

    public GameCharacter get(UUID ownerId, UUID id) {
        return characters.get(id).filter(c -> c.ownerId().equals(ownerId))
                .orElseThrow(() -> new NotFoundException("character", id));
    }

    public List<GameCharacter> list(UUID ownerId) {
        return characters.listByOwner(ownerId);
    }

    /**
     * Replaces the character's fields if {@code expectedVersion} is current; a
     * {@link dev.dmengine.spi.ConflictException} otherwise.
     */
    public GameCharacter update(UUID ownerId, UUID id, long expectedVersion, NewCharacter input) {
        GameCharacter current = get(ownerId, id);
        CharacterRules.Prepared p = rules.prepare(input);
        return characters.update(new GameCharacter(id, ownerId, p.name(), p.characterClass(), p.level(), p.sheet(),
                p.inventory(), expectedVersion, current.createdAt(), clock.instant()));
    }

    public void delete(UUID ownerId, UUID id) {
        get(ownerId, id);
        characters.delete(id);
    }
}
