package dev.dmengine.core.rules;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.dmengine.core.internal.Names;
import dev.dmengine.spi.InvalidInputException;
import java.util.Arrays;
import java.util.stream.Collectors;

/** The six ability scores. JSON form is the three-letter id ({@code "str"}, {@code "dex"}, …). */
public enum Ability {
    STR("str", "Strength"),
    DEX("dex", "Dexterity"),
    CON("con", "Constitution"),
    INT("int", "Intelligence"),
    WIS("wis", "Wisdom"),
    CHA("cha", "Charisma");

    private final String id;
    private final String displayName;

    Ability(String id, String displayName) {
        this.id = id;
        this.displayName = displayName;
    }

    /** The three-letter lower-case id used in JSON and field paths. */
    @JsonValue
    public String id() {
        return id;
    }

    public String displayName() {
        return displayName;
    }

    /** The SRD modifier of a score: {@code floor((score - 10) / 2)}. */
    public static int modifier(int score) {
        return Math.floorDiv(score - 10, 2);
    }

    /**
     * Parses {@code "str"} or {@code "Strength"} (any case).
     *
     * @throws InvalidInputException on field {@code ability} when the name is unknown
     */
    public static Ability fromId(String name) {
        Ability a = lookup(name);
        if (a == null) {
            throw new InvalidInputException("ability", unknownMessage(name));
        }
        return a;
    }

    @JsonCreator
    static Ability fromJson(String name) {
        Ability a = lookup(name);
        if (a == null) {
            throw new IllegalArgumentException(unknownMessage(name));
        }
        return a;
    }

    static Ability lookup(String name) {
        String n = Names.normalize(name);
        for (Ability a : values()) {
            if (a.id.equals(n) || Names.normalize(a.displayName).equals(n)) {
                return a;
            }
        }
        return null;
    }

    private static String unknownMessage(String name) {
        return "unknown ability '" + Names.clip(name) + "'; known: "
                + Arrays.stream(values()).map(Ability::id).collect(Collectors.joining(", "));
    }
}
