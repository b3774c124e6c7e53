package dev.dmengine.core.rules;

/** Normal, advantage (roll two d20, keep the higher) or disadvantage (keep the lower). */
public enum RollMode {
    NORMAL, ADVANTAGE, DISADVANTAGE;

    /** SRD: advantage and disadvantage together cancel out to a normal roll. */
    public static RollMode of(boolean advantage, boolean disadvantage) {
        if (advantage == disadvantage) {
            return NORMAL;
        }
        return advantage ? ADVANTAGE : DISADVANTAGE;
    }

    /** {@code NORMAL} for {@code null}. */
    public static RollMode ofNullable(RollMode mode) {
        return mode == null ? NORMAL : mode;
    }

    /** The d20 term for this mode: {@code 1d20}, {@code 1d20adv} or {@code 1d20dis}. */
    public String d20() {
        return switch (this) {
            case NORMAL -> "1d20";
            case ADVANTAGE -> "1d20adv";
            case DISADVANTAGE -> "1d20dis";
        };
    }
}
