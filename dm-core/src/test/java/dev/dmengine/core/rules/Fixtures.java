package dev.dmengine.core.rules;

import dev.dmengine.spi.game.InventoryItem;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/** Shared test data. */
final class Fixtures {

    static final UUID TURN = UUID.fromString("00000000-0000-7000-8000-000000000001");

    private Fixtures() {
    }

    /** STR 16 DEX 14 CON 14 INT 10 WIS 12 CHA 8 fighter: HP 12, AC 12, athletics + perception. */
    static CharacterSheet fighter() {
        return CharacterSheets.levelOne("Brienne", CharacterClass.FIGHTER, new AbilityScores(16, 14, 14, 10, 12, 8),
                Set.of(Skill.ATHLETICS, Skill.PERCEPTION));
    }

    static InventoryItem potion(int quantity) {
        return new InventoryItem("healing-potion", "Potion of Healing", quantity, 0.5, false,
                Set.of("consumable", "heal:2d4+2"));
    }

    static InventoryItem longsword(boolean equipped) {
        return new InventoryItem("longsword", "Longsword", 1, 3, equipped,
                Set.of("weapon", "damage:1d8", "damage-type:slashing"));
    }

    static InventoryItem rope() {
        return new InventoryItem("rope", "Hempen rope (50 ft)", 1, 10, false, Set.of("gear"));
    }

    static GameState state() {
        return GameState.start(fighter(), List.of(longsword(true), potion(2), rope()));
    }

    /** The first counter at or after {@code from} whose 1d20 shows {@code face} under {@code seed}. */
    static long counterForD20(long seed, int face, long from) {
        DiceRoller roller = new DiceRoller(seed);
        for (long c = from; c < from + 100_000; c++) {
            if (roller.roll(c, "1d20", null, null).total() == face) {
                return c;
            }
        }
        throw new AssertionError("no counter gives " + face);
    }

    /** The first counter whose 1d20 shows a face in [lo, hi]. */
    static long counterForD20Between(long seed, int lo, int hi, long from) {
        DiceRoller roller = new DiceRoller(seed);
        for (long c = from; c < from + 100_000; c++) {
            int t = roller.roll(c, "1d20", null, null).total();
            if (t >= lo && t <= hi) {
                return c;
            }
        }
        throw new AssertionError("no counter in range");
    }
}
