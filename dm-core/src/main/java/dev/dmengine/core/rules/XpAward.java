package dev.dmengine.core.rules;

/**
 * An XP award. The engine reports a level-up but never levels a character by itself.
 *
 * @param levelForXp           the level the new XP total qualifies for
 * @param levelUpAvailable     {@code levelForXp > after.level()}
 */
public record XpAward(CharacterSheet after, int amount, int xpBefore, int xpAfter, int levelForXp,
                      boolean levelUpAvailable) {
}
