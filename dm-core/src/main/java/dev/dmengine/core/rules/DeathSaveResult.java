package dev.dmengine.core.rules;

/**
 * A death saving throw: 10 or more succeeds; a natural 1 counts two failures; a natural 20
 * regains 1 HP. Three successes: stable; three failures: dead.
 */
public record DeathSaveResult(RollRecord roll, int natural, Outcome outcome, CharacterSheet after) {

    /** How the save went. */
    public enum Outcome { SUCCESS, FAILURE, NATURAL_20_REGAINS_1_HP, NATURAL_1_TWO_FAILURES }

    public boolean stable() {
        return after.stable();
    }

    public boolean dead() {
        return after.dead();
    }
}
