package dev.dmengine.core.rules;

/** SRD level and XP tables. */
public final class Progression {

    /** XP needed to reach levels 1 to 20 (index 0 is level 1). */
    private static final int[] THRESHOLDS = {0, 300, 900, 2_700, 6_500, 14_000, 23_000, 34_000, 48_000, 64_000,
        85_000, 100_000, 120_000, 140_000, 165_000, 195_000, 225_000, 265_000, 305_000, 355_000};

    public static final int MIN_LEVEL = 1;
    public static final int MAX_LEVEL = 20;

    private Progression() {
    }

    /** Proficiency bonus of a level: +2 at 1–4, +3 at 5–8, … +6 at 17–20. */
    public static int proficiencyBonus(int level) {
        checkLevel(level);
        return 2 + (level - 1) / 4;
    }

    /** The XP a character needs to reach {@code level}. */
    public static int xpForLevel(int level) {
        checkLevel(level);
        return THRESHOLDS[level - 1];
    }

    /** The highest level whose threshold {@code xp} reaches. */
    public static int levelForXp(int xp) {
        int level = 1;
        while (level < MAX_LEVEL && xp >= THRESHOLDS[level]) {
            level++;
        }
        return level;
    }

    private static void checkLevel(int level) {
        if (level < MIN_LEVEL || level > MAX_LEVEL) {
            throw new IllegalArgumentException("level must be 1 to 20, was " + level);
        }
    }
}
