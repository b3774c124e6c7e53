package dev.dmengine.core.rules;

/**
 * Death-saving-throw tallies of a character at 0 HP, each 0 to 3. Three successes: stable.
 * Three failures: dead (massive damage also sets three failures).
 */
public record DeathSaves(int successes, int failures) {

    public static final DeathSaves NONE = new DeathSaves(0, 0);

    public boolean dead() {
        return failures >= 3;
    }

    public boolean stable() {
        return successes >= 3 && failures < 3;
    }
}
