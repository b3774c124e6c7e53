package dev.dmengine.core.rules;

import static dev.dmengine.core.rules.Ability.*;
import static dev.dmengine.core.rules.Skill.*;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.dmengine.core.internal.Names;
import dev.dmengine.spi.InvalidInputException;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The 12 SRD classes as a data table: hit die, saving-throw proficiencies, and the skills a
 * level-1 character of the class chooses from (and how many). JSON form is the lower-case name.
 */
public enum CharacterClass {
    BARBARIAN(12, EnumSet.of(STR, CON), 2,
            List.of(ANIMAL_HANDLING, ATHLETICS, INTIMIDATION, NATURE, PERCEPTION, SURVIVAL)),
    BARD(8, EnumSet.of(DEX, CHA), 3, List.of(Skill.values())),
    CLERIC(8, EnumSet.of(WIS, CHA), 2, List.of(HISTORY, INSIGHT, MEDICINE, PERSUASION, RELIGION)),
    DRUID(8, EnumSet.of(INT, WIS), 2,
            List.of(ARCANA, ANIMAL_HANDLING, INSIGHT, MEDICINE, NATURE, PERCEPTION, RELIGION, SURVIVAL)),
    FIGHTER(10, EnumSet.of(STR, CON), 2,
            List.of(ACROBATICS, ANIMAL_HANDLING, ATHLETICS, HISTORY, INSIGHT, INTIMIDATION, PERCEPTION, SURVIVAL)),
    MONK(8, EnumSet.of(STR, DEX), 2, List.of(ACROBATICS, ATHLETICS, HISTORY, INSIGHT, RELIGION, STEALTH)),
    PALADIN(10, EnumSet.of(WIS, CHA), 2, List.of(ATHLETICS, INSIGHT, INTIMIDATION, MEDICINE, PERSUASION, RELIGION)),
    RANGER(10, EnumSet.of(STR, DEX), 3,
            List.of(ANIMAL_HANDLING, ATHLETICS, INSIGHT, INVESTIGATION, NATURE, PERCEPTION, STEALTH, SURVIVAL)),
    ROGUE(8, EnumSet.of(DEX, INT), 4, List.of(ACROBATICS, ATHLETICS, DECEPTION, INSIGHT, INTIMIDATION, INVESTIGATION,
            PERCEPTION, PERFORMANCE, PERSUASION, SLEIGHT_OF_HAND, STEALTH)),
    SORCERER(6, EnumSet.of(CON, CHA), 2, List.of(ARCANA, DECEPTION, INSIGHT, INTIMIDATION, PERSUASION, RELIGION)),
    WARLOCK(8, EnumSet.of(WIS, CHA), 2,
            List.of(ARCANA, DECEPTION, HISTORY, INTIMIDATION, INVESTIGATION, NATURE, RELIGION)),
    WIZARD(6, EnumSet.of(INT, WIS), 2, List.of(ARCANA, HISTORY, INSIGHT, INVESTIGATION, MEDICINE, RELIGION));

    private final int hitDie;
    private final Set<Ability> savingThrows;
    private final int skillChoices;
    private final List<Skill> skillOptions;

    CharacterClass(int hitDie, EnumSet<Ability> savingThrows, int skillChoices, List<Skill> skillOptions) {
        this.hitDie = hitDie;
        this.savingThrows = Collections.unmodifiableSet(savingThrows);
        this.skillChoices = skillChoices;
        this.skillOptions = skillOptions;
    }

    /** Sides of the class hit die (6, 8, 10 or 12). */
    public int hitDie() {
        return hitDie;
    }

    /** The two saving throws the class is proficient in. */
    public Set<Ability> savingThrows() {
        return savingThrows;
    }

    /** How many skills a level-1 character picks from {@link #skillOptions()}. */
    public int skillChoices() {
        return skillChoices;
    }

    public List<Skill> skillOptions() {
        return skillOptions;
    }

    @JsonValue
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @throws InvalidInputException on field {@code characterClass} when not one of the 12 SRD classes */
    public static CharacterClass fromId(String name) {
        CharacterClass c = lookup(name);
        if (c == null) {
            throw new InvalidInputException("characterClass", unknownMessage(name));
        }
        return c;
    }

    @JsonCreator
    static CharacterClass fromJson(String name) {
        CharacterClass c = lookup(name);
        if (c == null) {
            throw new IllegalArgumentException(unknownMessage(name));
        }
        return c;
    }

    static CharacterClass lookup(String name) {
        String n = Names.normalize(name);
        for (CharacterClass c : values()) {
            if (Names.normalize(c.name()).equals(n)) {
                return c;
            }
        }
        return null;
    }

    private static String unknownMessage(String name) {
        return "unknown class '" + Names.clip(name) + "'; known: "
                + Arrays.stream(values()).map(CharacterClass::id).collect(Collectors.joining(", "));
    }
}
