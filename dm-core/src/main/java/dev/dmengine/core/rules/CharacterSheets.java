package dev.dmengine.core.rules;

import dev.dmengine.core.internal.Json;
import dev.dmengine.spi.InvalidInputException;
import dev.dmengine.spi.InvalidInputException.FieldError;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/** Building, reading and writing {@link CharacterSheet}s. */
public final class CharacterSheets {

    private CharacterSheets() {
    }

    /**
     * A sensible level-1 sheet: HP = hit die maximum + CON modifier (at least 1), unarmoured AC
     * 10 + DEX modifier, speed 30, the class's saving throws, and the chosen skills.
     *
     * @param skills skills chosen from the class's options; {@code null} or empty picks the first
     *               {@link CharacterClass#skillChoices()} options
     * @throws InvalidInputException for out-of-range scores ({@code abilities.str} …) or skills the
     *                               class cannot choose ({@code skills})
     */
    public static CharacterSheet levelOne(String name, CharacterClass characterClass, AbilityScores abilities,
                                          Set<Skill> skills) {
        if (characterClass == null) {
            throw new InvalidInputException("characterClass", "is required; one of the 12 SRD classes");
        }
        if (abilities == null) {
            throw new InvalidInputException("abilities", "is required");
        }
        Set<Skill> chosen;
        if (skills == null || skills.isEmpty()) {
            chosen = EnumSet.copyOf(characterClass.skillOptions().subList(0, characterClass.skillChoices()));
        } else {
            chosen = EnumSet.copyOf(skills);
            if (!characterClass.skillOptions().containsAll(chosen) || chosen.size() > characterClass.skillChoices()) {
                throw new InvalidInputException("skills", "a " + characterClass.id() + " chooses at most "
                        + characterClass.skillChoices() + " of " + characterClass.skillOptions().stream()
                        .map(Skill::id).toList() + ", got " + chosen.stream().map(Skill::id).toList());
            }
        }
        int maxHp = Math.max(1, characterClass.hitDie() + Ability.modifier(abilities.con()));
        int ac = Math.max(1, 10 + Ability.modifier(abilities.dex()));
        return new CharacterSheet(name, characterClass, 1, 0, abilities, HitPoints.full(maxHp), ac, 30,
                characterClass.savingThrows(), chosen, Set.of(), Set.of(), Set.of(), DeathSaves.NONE);
    }

    /** The sheet as JSON (deterministic field and set order). */
    public static String toJson(CharacterSheet sheet) {
        return Json.write(sheet);
    }

    /**
     * Parses and validates a sheet.
     *
     * @throws InvalidInputException listing each invalid field ({@code abilities.str: must be 1 to 30, was 31})
     */
    public static CharacterSheet fromJson(String json) {
        return Json.read(json, CharacterSheet.class, "sheet");
    }

    /** The field errors of a sheet JSON document; empty when it is valid. */
    public static List<FieldError> validate(String json) {
        try {
            fromJson(json);
            return List.of();
        } catch (InvalidInputException e) {
            return e.errors();
        }
    }
}
