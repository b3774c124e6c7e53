package dev.dmengine.core.rules;

/**
 * An attack roll against an armour class. A natural 20 always hits and is a critical hit (damage
 * dice doubled); a natural 1 always misses.
 *
 * @param damageRoll the damage roll on a hit, {@code null} on a miss
 * @param damage     damage dealt (0 on a miss; never negative)
 */
public record AttackResult(RollRecord attackRoll, int natural, int attackBonus, int targetAc, int total,
                           boolean hit, boolean critical, RollRecord damageRoll, int damage) {
}
