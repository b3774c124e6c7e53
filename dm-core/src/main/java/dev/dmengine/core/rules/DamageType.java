package dev.dmengine.core.rules;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.dmengine.core.internal.Names;
import dev.dmengine.spi.InvalidInputException;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The SRD damage types; a sheet may list some as resistances (damage of that type is halved, rounded down). */
public enum DamageType {
    ACID, BLUDGEONING, COLD, FIRE, FORCE, LIGHTNING, NECROTIC, PIERCING, POISON, PSYCHIC, RADIANT, SLASHING,
    THUNDER;

    @JsonValue
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @throws InvalidInputException on field {@code damageType} when unknown */
    public static DamageType fromId(String name) {
        DamageType t = lookup(name);
        if (t == null) {
            throw new InvalidInputException("damageType", unknownMessage(name));
        }
        return t;
    }

    @JsonCreator
    static DamageType fromJson(String name) {
        DamageType t = lookup(name);
        if (t == null) {
            throw new IllegalArgumentException(unknownMessage(name));
        }
        return t;
    }

    static DamageType lookup(String name) {
        String n = Names.normalize(name);
        for (DamageType t : values()) {
            if (Names.normalize(t.name()).equals(n)) {
                return t;
            }
        }
        return null;
    }

    private static String unknownMessage(String name) {
        return "unknown damage type '" + Names.clip(name) + "'; known: "
                + Arrays.stream(values()).map(DamageType::id).collect(Collectors.joining(", "));
    }
}
