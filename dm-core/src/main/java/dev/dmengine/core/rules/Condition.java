package dev.dmengine.core.rules;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.dmengine.core.internal.Names;
import dev.dmengine.spi.InvalidInputException;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The SRD conditions. JSON form is the lower-case name. */
public enum Condition {
    BLINDED, CHARMED, DEAFENED, EXHAUSTION, FRIGHTENED, GRAPPLED, INCAPACITATED, INVISIBLE, PARALYZED,
    PETRIFIED, POISONED, PRONE, RESTRAINED, STUNNED, UNCONSCIOUS;

    @JsonValue
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @throws InvalidInputException on field {@code condition} when the name is not an SRD condition */
    public static Condition fromId(String name) {
        Condition c = lookup(name);
        if (c == null) {
            throw new InvalidInputException("condition", unknownMessage(name));
        }
        return c;
    }

    @JsonCreator
    static Condition fromJson(String name) {
        Condition c = lookup(name);
        if (c == null) {
            throw new IllegalArgumentException(unknownMessage(name));
        }
        return c;
    }

    static Condition lookup(String name) {
        String n = Names.normalize(name);
        for (Condition c : values()) {
            if (Names.normalize(c.name()).equals(n)) {
                return c;
            }
        }
        return null;
    }

    private static String unknownMessage(String name) {
        return "unknown condition '" + Names.clip(name) + "'; known: "
                + Arrays.stream(values()).map(Condition::id).collect(Collectors.joining(", "));
    }
}
