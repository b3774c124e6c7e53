package dev.dmengine.core.rules;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * What the character's SRD conditions do to d20 rolls, so the engine applies advantage and
 * disadvantage itself instead of trusting the model to remember. Advantage and disadvantage from
 * any number of sources cancel out ({@link RollMode#of}).
 *
 * <p>Covered: poisoned, frightened (assumed in sight of its fear), exhaustion (any level) →
 * disadvantage on ability checks; poisoned, frightened, blinded, prone, restrained → disadvantage
 * on the character's attacks; invisible → advantage on them; attacks against a blinded, paralyzed,
 * petrified, restrained, stunned or unconscious character have advantage, against an invisible one
 * disadvantage; restrained → disadvantage on DEX saves; paralyzed, petrified, stunned or
 * unconscious → STR and DEX saves fail automatically. Not covered (the engine does not know
 * distances): prone targets and automatic critical hits within 5 feet.
 */
public final class ConditionEffects {

    private ConditionEffects() {
    }

    /**
     * Advantage/disadvantage a roll gets from conditions.
     *
     * @param reasons e.g. {@code ["disadvantage: poisoned"]}
     */
    public record Edge(boolean advantage, boolean disadvantage, List<String> reasons) {

        public static final Edge NONE = new Edge(false, false, List.of());

        public Edge {
            reasons = List.copyOf(reasons);
        }

        /** The mode after adding requested advantage/disadvantage (everything cancels per the SRD). */
        public RollMode combine(boolean requestedAdvantage, boolean requestedDisadvantage) {
            return RollMode.of(advantage || requestedAdvantage, disadvantage || requestedDisadvantage);
        }
    }

    /** Ability and skill checks made by the character. */
    public static Edge abilityCheck(CharacterSheet sheet) {
        return edge(sheet.conditions(), Set.of(), Set.of(Condition.POISONED, Condition.FRIGHTENED,
                Condition.EXHAUSTION));
    }

    /** Attack rolls made by the character. */
    public static Edge attackBy(CharacterSheet attacker) {
        return edge(attacker.conditions(), Set.of(Condition.INVISIBLE), Set.of(Condition.POISONED,
                Condition.FRIGHTENED, Condition.BLINDED, Condition.PRONE, Condition.RESTRAINED));
    }

    /** Attack rolls made against the character. */
    public static Edge attackAgainst(CharacterSheet target) {
        return edge(target.conditions(), Set.of(Condition.BLINDED, Condition.PARALYZED, Condition.PETRIFIED,
                Condition.RESTRAINED, Condition.STUNNED, Condition.UNCONSCIOUS), Set.of(Condition.INVISIBLE));
    }

    /** Saving throws made by the character. */
    public static Edge savingThrow(CharacterSheet sheet, Ability ability) {
        return ability == Ability.DEX ? edge(sheet.conditions(), Set.of(), Set.of(Condition.RESTRAINED)) : Edge.NONE;
    }

    /** The condition that makes a STR or DEX save fail automatically, or {@code null}. */
    public static Condition automaticSaveFailure(CharacterSheet sheet, Ability ability) {
        if (ability != Ability.STR && ability != Ability.DEX) {
            return null;
        }
        for (Condition c : List.of(Condition.PARALYZED, Condition.PETRIFIED, Condition.STUNNED,
                Condition.UNCONSCIOUS)) {
            if (sheet.has(c)) {
                return c;
            }
        }
        return null;
    }

    private static Edge edge(Set<Condition> have, Set<Condition> giveAdvantage, Set<Condition> giveDisadvantage) {
        List<String> reasons = new ArrayList<>();
        boolean adv = false;
        boolean dis = false;
        for (Condition c : have) {
            if (giveAdvantage.contains(c)) {
                adv = true;
                reasons.add("advantage: " + c.id());
            }
            if (giveDisadvantage.contains(c)) {
                dis = true;
                reasons.add("disadvantage: " + c.id());
            }
        }
        return reasons.isEmpty() ? Edge.NONE : new Edge(adv, dis, reasons);
    }
}
