package dev.dmengine.core.rules;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.dmengine.core.internal.Names;
import dev.dmengine.spi.InvalidInputException;
import java.util.Arrays;
import java.util.stream.Collectors;

/** The 18 SRD skills, each tied to its ability. JSON form is the snake_case id, e.g. {@code "sleight_of_hand"}. */
public enum Skill {
    ACROBATICS(Ability.DEX),
    ANIMAL_HANDLING(Ability.WIS),
    ARCANA(Ability.INT),
    ATHLETICS(Ability.STR),
    DECEPTION(Ability.CHA),
    HISTORY(Ability.INT),
    INSIGHT(Ability.WIS),
    INTIMIDATION(Ability.CHA),
    INVESTIGATION(Ability.INT),
    MEDICINE(Ability.WIS),
    NATURE(Ability.INT),
    PERCEPTION(Ability.WIS),
    PERFORMANCE(Ability.CHA),
    PERSUASION(Ability.CHA),
    RELIGION(Ability.INT),
    SLEIGHT_OF_HAND(Ability.DEX),
    STEALTH(Ability.DEX),
    SURVIVAL(Ability.WIS);

    private final Ability ability;

    Skill(Ability ability) {
        this.ability = ability;
    }

    /** The ability whose modifier this skill uses. */
    public Ability ability() {
        return ability;
    }

    /** The snake_case id used in JSON. */
    @JsonValue
    public String id() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * Parses a skill name leniently ({@code "Sleight of Hand"}, {@code "sleight-of-hand"}, …).
     *
     * @throws InvalidInputException on field {@code skill} when no such skill exists
     */
    public static Skill fromId(String name) {
        Skill s = lookup(name);
        if (s == null) {
            throw new InvalidInputException("skill", unknownMessage(name));
        }
        return s;
    }

    @JsonCreator
    static Skill fromJson(String name) {
        Skill s = lookup(name);
        if (s == null) {
            throw new IllegalArgumentException(unknownMessage(name));
        }
        return s;
    }

    static Skill lookup(String name) {
        String n = Names.normalize(name);
        for (Skill s : values()) {
            if (Names.normalize(s.name()).equals(n)) {
                return s;
            }
        }
        return null;
    }

    static String unknownMessage(String name) {
        return "unknown skill '" + Names.clip(name) + "'; known: "
                + Arrays.stream(values()).map(Skill::id).collect(Collectors.joining(", "));
    }
}
