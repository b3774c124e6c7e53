package dev.dmengine.core.rules;

import dev.dmengine.spi.InvalidInputException;
import java.util.EnumSet;
import java.util.Set;

/**
 * Pure SRD rules that change a sheet without dice: damage, healing, temporary HP, conditions and XP.
 * Each returns a new sheet inside a result; HP never leaves {@code [0, max]}. Requests that make no
 * sense (healing the dead, a negative amount) throw {@link InvalidInputException}.
 */
public final class Vitals {

    private Vitals() {
    }

    /**
     * Applies damage: resistance halves it (rounded down), temporary HP absorbs first, then HP.
     * Dropping to 0: unconscious and dying, unless the damage left over after reaching 0 is at least
     * the HP maximum (massive damage: instant death). Damage at 0 HP: a death-save failure (two if
     * {@code critical}), or death if it is at least the HP maximum; a stable character starts dying again.
     *
     * @param type the damage type, or {@code null} when untyped
     */
    public static DamageResult damage(CharacterSheet sheet, int amount, DamageType type, boolean critical) {
        requireAlive(sheet);
        nonNegative("amount", amount);
        int taken = type != null && sheet.resistances().contains(type) ? amount / 2 : amount;
        HitPoints hp = sheet.hp();
        int absorbed = Math.min(hp.temp(), taken);
        int rest = taken - absorbed;
        int temp = hp.temp() - absorbed;
        Set<Condition> conditions = EnumSet.noneOf(Condition.class);
        conditions.addAll(sheet.conditions());
        if (hp.current() > 0) {
            if (rest < hp.current()) {
                CharacterSheet after = sheet.withHp(new HitPoints(hp.max(), hp.current() - rest, temp));
                return new DamageResult(after, amount, taken, absorbed, rest, false, 0, false);
            }
            int overflow = rest - hp.current();
            boolean massive = overflow >= hp.max();
            conditions.add(Condition.UNCONSCIOUS);
            CharacterSheet after = sheet.withVitals(new HitPoints(hp.max(), 0, temp),
                    massive ? new DeathSaves(0, 3) : DeathSaves.NONE, conditions);
            return new DamageResult(after, amount, taken, absorbed, hp.current(), true, 0, massive);
        }
        if (rest == 0) {
            CharacterSheet after = sheet.withHp(new HitPoints(hp.max(), 0, temp));
            return new DamageResult(after, amount, taken, absorbed, 0, false, 0, false);
        }
        DeathSaves saves = sheet.deathSaves();
        int added;
        DeathSaves next;
        if (rest >= hp.max()) {
            added = 3 - saves.failures();
            next = new DeathSaves(0, 3);
        } else {
            added = Math.min(critical ? 2 : 1, 3 - saves.failures());
            int successes = sheet.stable() ? 0 : saves.successes();
            next = new DeathSaves(successes, saves.failures() + added);
        }
        conditions.add(Condition.UNCONSCIOUS);
        CharacterSheet after = sheet.withVitals(new HitPoints(hp.max(), 0, temp), next, conditions);
        return new DamageResult(after, amount, taken, absorbed, 0, false, added, next.dead());
    }

    /** Heals up to the maximum; healing a character at 0 HP wakes them and clears their death saves. */
    public static HealResult heal(CharacterSheet sheet, int amount) {
        requireAlive(sheet);
        nonNegative("amount", amount);
        HitPoints hp = sheet.hp();
        int current = Math.min(hp.max(), hp.current() + amount);
        int healed = current - hp.current();
        boolean wokeUp = hp.current() == 0 && current > 0;
        if (!wokeUp) {
            return new HealResult(sheet.withHp(new HitPoints(hp.max(), current, hp.temp())), healed, false);
        }
        Set<Condition> conditions = EnumSet.noneOf(Condition.class);
        conditions.addAll(sheet.conditions());
        conditions.remove(Condition.UNCONSCIOUS);
        return new HealResult(sheet.withVitals(new HitPoints(hp.max(), current, hp.temp()), DeathSaves.NONE,
                conditions), healed, true);
    }

    /** Grants temporary HP; they do not stack, the higher value is kept. */
    public static CharacterSheet grantTemporaryHp(CharacterSheet sheet, int amount) {
        requireAlive(sheet);
        if (amount < 0 || amount > CharacterSheet.MAX_HP) {
            throw new InvalidInputException("amount", "must be 0 to " + CharacterSheet.MAX_HP + ", was " + amount);
        }
        HitPoints hp = sheet.hp();
        return sheet.withHp(new HitPoints(hp.max(), hp.current(), Math.max(hp.temp(), amount)));
    }

    /** Adds a condition the character does not have yet. */
    public static CharacterSheet addCondition(CharacterSheet sheet, Condition condition) {
        requireAlive(sheet);
        if (sheet.has(condition)) {
            throw new InvalidInputException("condition", "the character is already " + condition.id());
        }
        Set<Condition> next = EnumSet.noneOf(Condition.class);
        next.addAll(sheet.conditions());
        next.add(condition);
        return sheet.withConditions(next);
    }

    /** Removes a condition the character has; unconscious at 0 HP only ends through healing. */
    public static CharacterSheet removeCondition(CharacterSheet sheet, Condition condition) {
        requireAlive(sheet);
        if (!sheet.has(condition)) {
            throw new InvalidInputException("condition", "the character is not " + condition.id());
        }
        if (condition == Condition.UNCONSCIOUS && sheet.hp().current() == 0) {
            throw new InvalidInputException("condition", "the character is at 0 HP; only healing wakes them");
        }
        Set<Condition> next = EnumSet.noneOf(Condition.class);
        next.addAll(sheet.conditions());
        next.remove(condition);
        return sheet.withConditions(next);
    }

    /** Adds XP (capped at {@link CharacterSheet#MAX_XP}) and reports whether a level-up is available. */
    public static XpAward awardXp(CharacterSheet sheet, int amount) {
        if (amount < 1 || amount > 1_000_000) {
            throw new InvalidInputException("amount", "must be 1 to 1000000, was " + amount);
        }
        int xp = (int) Math.min((long) sheet.xp() + amount, CharacterSheet.MAX_XP);
        CharacterSheet after = sheet.withXp(xp);
        int levelForXp = Progression.levelForXp(xp);
        return new XpAward(after, amount, sheet.xp(), xp, levelForXp, levelForXp > sheet.level());
    }

    static void requireAlive(CharacterSheet sheet) {
        if (sheet.dead()) {
            throw new InvalidInputException("character", sheet.name() + " is dead");
        }
    }

    private static void nonNegative(String field, int amount) {
        if (amount < 0) {
            throw new InvalidInputException(field, "must not be negative, was " + amount);
        }
        if (amount > 10_000) {
            throw new InvalidInputException(field, "must be at most 10000, was " + amount);
        }
    }
}
