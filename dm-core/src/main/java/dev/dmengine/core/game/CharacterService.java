package dev.dmengine.core.game;

import dev.dmengine.spi.Ids;
import dev.dmengine.spi.InvalidInputException;
import dev.dmengine.spi.NotFoundException;
import dev.dmengine.spi.game.CharacterStore;
import dev.dmengine.spi.game.GameCharacter;

import java.time.Clock;
import java.util.ArrayList;
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
        CharacterRules.Prepared p = rules.prepare(checkText(input));
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
        CharacterRules.Prepared p = rules.prepare(checkText(input));
        return characters.update(new GameCharacter(id, ownerId, p.name(), p.characterClass(), p.level(), p.sheet(),
                p.inventory(), expectedVersion, current.createdAt(), clock.instant()));
    }

    public void delete(UUID ownerId, UUID id) {
        get(ownerId, id);
        characters.delete(id);
    }

    /**
     * Every text of the input, before the rules see it: the name, the class, the inventory's
     * strings and every string of the sheet (they all reach the list views). Lengths and
     * meaning are the rules' to check.
     */
    private static NewCharacter checkText(NewCharacter in) {
        List<InvalidInputException.FieldError> errors = new ArrayList<>();
        collect(errors, () -> Validation.wellFormed("name", in.name(), false));
        collect(errors, () -> Validation.wellFormed("characterClass", in.characterClass(), false));
        collect(errors, () -> Validation.inventory("inventory", in.inventory()));
        if (in.sheet() != null && !in.sheet().isBlank()) {
            collect(errors, () -> Validation.jsonDocument("sheet", in.sheet()));
        }
        if (!errors.isEmpty()) {
            throw new InvalidInputException(errors);
        }
        return in;
    }

    private static void collect(List<InvalidInputException.FieldError> errors, Runnable check) {
        try {
            check.run();
        } catch (InvalidInputException e) {
            errors.addAll(e.errors());
        }
    }
}
