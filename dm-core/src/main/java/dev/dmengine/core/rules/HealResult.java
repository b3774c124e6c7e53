package dev.dmengine.core.rules;

/**
 * What healing did.
 *
 * @param healed HP actually regained (never above max)
 * @param wokeUp the character was at 0 HP and is conscious again
 */
public record HealResult(CharacterSheet after, int healed, boolean wokeUp) {
}
