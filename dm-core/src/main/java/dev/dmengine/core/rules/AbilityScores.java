package dev.dmengine.core.rules;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The six ability scores. JSON: {@code {"str":15,"dex":14,"con":13,"int":12,"wis":10,"cha":8}}.
 * Ranges (1 to 30) are checked by {@link CharacterSheet}, which reports them as {@code abilities.str} etc.
 */
public record AbilityScores(int str, int dex, int con, @JsonProperty("int") int intelligence, int wis, int cha) {

    /** The score of one ability. */
    public int score(Ability ability) {
        return switch (ability) {
            case STR -> str;
            case DEX -> dex;
            case CON -> con;
            case INT -> intelligence;
            case WIS -> wis;
            case CHA -> cha;
        };
    }

    /** The SRD modifier of one ability. */
    public int modifier(Ability ability) {
        return Ability.modifier(score(ability));
    }
}
