package dev.dmengine.core.rules;

import dev.dmengine.core.rules.DiceExpression.Constant;
import dev.dmengine.core.rules.DiceExpression.Dice;
import dev.dmengine.core.rules.DiceExpression.Term;
import dev.dmengine.spi.InvalidInputException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * SRD rules that roll dice: checks, saving throws, attacks and death saves. An instance is a roll
 * context for one turn: it draws counters from {@code firstCounter} upward and remembers every
 * {@link RollRecord} it made ({@link #rolls()}). Not thread-safe; use one per turn.
 */
public final class Rules {

    /** Lowest and highest DC accepted. */
    public static final int MIN_DC = 1;
    public static final int MAX_DC = 30;

    private final DiceRoller roller;
    private final UUID turnId;
    private long counter;
    private final List<RollRecord> rolls = new ArrayList<>();

    public Rules(long sessionSeed, long firstCounter, UUID turnId) {
        this.roller = new DiceRoller(sessionSeed);
        this.counter = firstCounter;
        this.turnId = turnId;
    }

    /** The counter the next roll will use. */
    public long nextCounter() {
        return counter;
    }

    /** Every roll made so far, in order. */
    public List<RollRecord> rolls() {
        return List.copyOf(rolls);
    }

    /** Rolls an expression. */
    public RollRecord roll(DiceExpression expression, String purpose) {
        RollRecord r = roller.roll(counter++, expression, purpose, turnId);
        rolls.add(r);
        return r;
    }

    /** Parses and rolls an expression. */
    public RollRecord roll(String expression, String purpose) {
        return roll(DiceExpression.parse(expression), purpose);
    }

    /** d20 + ability modifier vs DC. */
    public CheckResult abilityCheck(CharacterSheet sheet, Ability ability, int dc, RollMode mode, String purpose) {
        return d20(CheckResult.Kind.ABILITY_CHECK, ability, null, sheet.modifier(ability), dc, mode, purpose);
    }

    /** d20 + ability modifier + proficiency (doubled with expertise) vs DC. */
    public CheckResult skillCheck(CharacterSheet sheet, Skill skill, int dc, RollMode mode, String purpose) {
        return d20(CheckResult.Kind.SKILL_CHECK, skill.ability(), skill, sheet.skillBonus(skill), dc, mode, purpose);
    }

    /** d20 + ability modifier + proficiency when proficient in that save vs DC. */
    public CheckResult savingThrow(CharacterSheet sheet, Ability ability, int dc, RollMode mode, String purpose) {
        return d20(CheckResult.Kind.SAVING_THROW, ability, null, sheet.savingThrowBonus(ability), dc, mode, purpose);
    }

    /**
     * An attack roll vs {@code targetAc}; on a hit rolls {@code damage} (dice doubled on a natural 20).
     * Damage below 0 counts as 0.
     */
    public AttackResult attack(int attackBonus, int targetAc, DiceExpression damage, RollMode mode, String purpose) {
        checkDc("targetAc", targetAc);
        RollRecord attack = roll(DiceExpression.parse(RollMode.ofNullable(mode).d20() + signed(attackBonus)),
                purpose);
        int natural = attack.natural();
        boolean critical = natural == 20;
        boolean hit = critical || (natural != 1 && attack.total() >= targetAc);
        if (!hit) {
            return new AttackResult(attack, natural, attackBonus, targetAc, attack.total(), false, false, null, 0);
        }
        DiceExpression dmg = critical ? doubleDice(damage) : damage;
        RollRecord damageRoll = roll(dmg, (purpose == null ? "attack" : purpose) + (critical ? " damage (critical)"
                : " damage"));
        return new AttackResult(attack, natural, attackBonus, targetAc, attack.total(), true, critical, damageRoll,
                Math.max(0, damageRoll.total()));
    }

    /** A death saving throw for a dying character (0 HP, not stable, not dead). */
    public DeathSaveResult deathSave(CharacterSheet sheet, String purpose) {
        if (!sheet.dying()) {
            throw new InvalidInputException("character", sheet.dead() ? sheet.name() + " is dead"
                    : sheet.name() + " is not dying (death saves are rolled only at 0 HP, when not stable)");
        }
        RollRecord r = roll(DiceExpression.parse("1d20"), purpose == null ? "death saving throw" : purpose);
        int natural = r.natural();
        DeathSaves saves = sheet.deathSaves();
        HitPoints hp = sheet.hp();
        if (natural == 20) {
            Set<Condition> conditions = EnumSet.noneOf(Condition.class);
            conditions.addAll(sheet.conditions());
            conditions.remove(Condition.UNCONSCIOUS);
            CharacterSheet after = sheet.withVitals(new HitPoints(hp.max(), 1, hp.temp()), DeathSaves.NONE,
                    conditions);
            return new DeathSaveResult(r, natural, DeathSaveResult.Outcome.NATURAL_20_REGAINS_1_HP, after);
        }
        DeathSaveResult.Outcome outcome;
        DeathSaves next;
        if (natural == 1) {
            outcome = DeathSaveResult.Outcome.NATURAL_1_TWO_FAILURES;
            next = new DeathSaves(saves.successes(), Math.min(3, saves.failures() + 2));
        } else if (natural >= 10) {
            outcome = DeathSaveResult.Outcome.SUCCESS;
            next = saves.successes() + 1 >= 3 ? new DeathSaves(3, 0) : new DeathSaves(saves.successes() + 1,
                    saves.failures());
        } else {
            outcome = DeathSaveResult.Outcome.FAILURE;
            next = new DeathSaves(saves.successes(), saves.failures() + 1);
        }
        return new DeathSaveResult(r, natural, outcome, sheet.withDeathSaves(next));
    }

    /** The same expression with every dice count doubled (critical-hit damage). */
    public static DiceExpression doubleDice(DiceExpression e) {
        List<Term> terms = new ArrayList<>();
        for (Term t : e.terms()) {
            terms.add(switch (t) {
                case Dice d when d.mode() == RollMode.NORMAL -> new Dice(d.negative(), d.count() * 2, d.sides(),
                        d.keep(), d.keep() == DiceExpression.Keep.ALL ? d.count() * 2 : d.keepCount() * 2,
                        RollMode.NORMAL);
                case Dice d -> new Dice(d.negative(), 2, d.sides(), d.keep(), 1, RollMode.NORMAL);
                case Constant c -> c;
            });
        }
        DiceExpression shell = new DiceExpression("", terms);
        return new DiceExpression(shell.canonical(), terms);
    }

    static void checkDc(String field, int dc) {
        if (dc < MIN_DC || dc > MAX_DC) {
            throw new InvalidInputException(field, "must be " + MIN_DC + " to " + MAX_DC + ", was " + dc);
        }
    }

    private CheckResult d20(CheckResult.Kind kind, Ability ability, Skill skill, int bonus, int dc, RollMode mode,
                            String purpose) {
        checkDc("dc", dc);
        RollMode m = RollMode.ofNullable(mode);
        RollRecord r = roll(DiceExpression.parse(m.d20() + signed(bonus)), purpose);
        return new CheckResult(kind, ability, skill, dc, bonus, m, r, r.natural(), r.total(), r.total() >= dc);
    }

    private static String signed(int n) {
        return n == 0 ? "" : n > 0 ? "+" + n : Integer.toString(n);
    }
}
