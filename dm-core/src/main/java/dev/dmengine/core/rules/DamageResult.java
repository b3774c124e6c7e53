package dev.dmengine.core.rules;

/**
 * What damage did to a character.
 *
 * @param amount            damage before resistance
 * @param taken             damage after resistance (halved, rounded down, when resistant)
 * @param absorbedByTemp    how much temporary HP soaked up
 * @param hpLost            how much real HP was lost
 * @param droppedToZero     the character went from above 0 HP to 0 (now unconscious and dying)
 * @param deathSaveFailures failures added because the character took damage at 0 HP (2 on a critical)
 * @param killed            the character died from this damage (massive damage or a third failure)
 */
public record DamageResult(CharacterSheet after, int amount, int taken, int absorbedByTemp, int hpLost,
                           boolean droppedToZero, int deathSaveFailures, boolean killed) {
}
