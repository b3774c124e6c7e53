package dev.dmengine.core.rules;

/**
 * The outcome of an ability check, skill check or saving throw. A failure is a result, not an
 * exception. SRD: a natural 20 or 1 is reported but does not decide a check or save by itself.
 *
 * @param skill   the skill, or {@code null} for a plain ability check or a save
 * @param bonus   the modifier added to the d20 (ability + proficiency/expertise where applicable)
 * @param natural the kept d20 face
 */
public record CheckResult(Kind kind, Ability ability, Skill skill, int dc, int bonus, RollMode mode,
                          RollRecord roll, int natural, int total, boolean success) {

    /** What was rolled. */
    public enum Kind { ABILITY_CHECK, SKILL_CHECK, SAVING_THROW }

    public boolean natural20() {
        return natural == 20;
    }

    public boolean natural1() {
        return natural == 1;
    }
}
