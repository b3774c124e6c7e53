package dev.dmengine.core.rules;

import static dev.dmengine.core.rules.Fixtures.counterForD20;
import static dev.dmengine.core.rules.Fixtures.counterForD20Between;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dmengine.spi.InvalidInputException;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RulesTest {

    private static final long SEED = 777;
    private final CharacterSheet fighter = Fixtures.fighter();

    private static Rules rulesAt(long counter) {
        return new Rules(SEED, counter, Fixtures.TURN);
    }

    @Test
    void skill_check_adds_ability_and_proficiency_and_compares_with_dc() {
        for (long c = 0; c < 200; c++) {
            CheckResult r = rulesAt(c).skillCheck(fighter, Skill.ATHLETICS, 15, RollMode.NORMAL, "climb");
            assertThat(r.bonus()).isEqualTo(5);
            assertThat(r.total()).isEqualTo(r.natural() + 5);
            assertThat(r.success()).isEqualTo(r.total() >= 15);
            assertThat(r.roll().expression()).isEqualTo("1d20+5");
            assertThat(r.kind()).isEqualTo(CheckResult.Kind.SKILL_CHECK);
        }
    }

    @Test
    void unproficient_skill_and_plain_ability_checks_use_only_the_modifier() {
        CheckResult stealth = rulesAt(0).skillCheck(fighter, Skill.STEALTH, 10, RollMode.NORMAL, null);
        assertThat(stealth.bonus()).isEqualTo(2);
        CheckResult cha = rulesAt(0).abilityCheck(fighter, Ability.CHA, 10, RollMode.NORMAL, null);
        assertThat(cha.bonus()).isEqualTo(-1);
        assertThat(cha.roll().expression()).isEqualTo("1d20-1");
        assertThat(cha.total()).isEqualTo(cha.natural() - 1);
    }

    @Test
    void saving_throw_uses_save_proficiency() {
        CheckResult con = rulesAt(3).savingThrow(fighter, Ability.CON, 12, RollMode.NORMAL, null);
        CheckResult dex = rulesAt(3).savingThrow(fighter, Ability.DEX, 12, RollMode.NORMAL, null);
        assertThat(con.bonus()).isEqualTo(4);
        assertThat(dex.bonus()).isEqualTo(2);
        assertThat(con.natural()).isEqualTo(dex.natural()); // same counter, same die
    }

    @Test
    void natural_20_and_1_are_reported_but_do_not_decide_checks() {
        long c20 = counterForD20(SEED, 20, 0);
        CheckResult high = rulesAt(c20).abilityCheck(fighter, Ability.CHA, 30, RollMode.NORMAL, null);
        assertThat(high.natural20()).isTrue();
        assertThat(high.success()).isFalse(); // 20 - 1 = 19 < 30
        long c1 = counterForD20(SEED, 1, 0);
        CheckResult low = rulesAt(c1).skillCheck(fighter, Skill.ATHLETICS, 5, RollMode.NORMAL, null);
        assertThat(low.natural1()).isTrue();
        assertThat(low.success()).isTrue(); // 1 + 5 = 6 >= 5
    }

    @Test
    void advantage_keeps_the_higher_die_and_both_cancel() {
        assertThat(RollMode.of(true, true)).isEqualTo(RollMode.NORMAL);
        assertThat(RollMode.of(true, false)).isEqualTo(RollMode.ADVANTAGE);
        assertThat(RollMode.of(false, true)).isEqualTo(RollMode.DISADVANTAGE);
        for (long c = 0; c < 100; c++) {
            CheckResult adv = rulesAt(c).skillCheck(fighter, Skill.PERCEPTION, 10, RollMode.ADVANTAGE, null);
            assertThat(adv.roll().dice()).hasSize(2);
            int hi = Math.max(adv.roll().dice().get(0).value(), adv.roll().dice().get(1).value());
            assertThat(adv.natural()).isEqualTo(hi);
            CheckResult dis = rulesAt(c).skillCheck(fighter, Skill.PERCEPTION, 10, RollMode.DISADVANTAGE, null);
            int lo = Math.min(dis.roll().dice().get(0).value(), dis.roll().dice().get(1).value());
            assertThat(dis.natural()).isEqualTo(lo);
        }
    }

    @Test
    void dc_outside_1_to_30_is_rejected() {
        assertThatThrownBy(() -> rulesAt(0).skillCheck(fighter, Skill.STEALTH, 31, RollMode.NORMAL, null))
                .isInstanceOf(InvalidInputException.class).hasMessage("dc: must be 1 to 30, was 31");
        assertThatThrownBy(() -> rulesAt(0).savingThrow(fighter, Ability.DEX, 0, RollMode.NORMAL, null))
                .hasMessage("dc: must be 1 to 30, was 0");
    }

    @Test
    void rules_instance_advances_the_counter_per_roll() {
        Rules rules = rulesAt(10);
        rules.roll("1d6", "a");
        rules.skillCheck(fighter, Skill.STEALTH, 10, RollMode.NORMAL, "b");
        assertThat(rules.nextCounter()).isEqualTo(12);
        assertThat(rules.rolls()).extracting(RollRecord::counter).containsExactly(10L, 11L);
        assertThat(rules.rolls()).extracting(RollRecord::turnId).containsOnly(Fixtures.TURN);
    }

    @Test
    void natural_20_attack_is_a_critical_hit_that_doubles_damage_dice() {
        long c = counterForD20(SEED, 20, 0);
        AttackResult r = rulesAt(c).attack(-5, 30, DiceExpression.parse("2d6+3"), RollMode.NORMAL, "crit");
        assertThat(r.hit()).isTrue();
        assertThat(r.critical()).isTrue();
        assertThat(r.damageRoll().expression()).isEqualTo("4d6+3");
        assertThat(r.damageRoll().dice()).hasSize(4);
        assertThat(r.damage()).isEqualTo(r.damageRoll().total()).isBetween(7, 27);
        assertThat(r.damageRoll().counter()).isEqualTo(c + 1);
    }

    @Test
    void natural_1_always_misses_and_other_rolls_compare_with_ac() {
        long c = counterForD20(SEED, 1, 0);
        AttackResult miss = rulesAt(c).attack(30, 2, DiceExpression.parse("1d4"), RollMode.NORMAL, null);
        assertThat(miss.hit()).isFalse();
        assertThat(miss.damageRoll()).isNull();
        assertThat(miss.damage()).isZero();
        for (long k = 0; k < 100; k++) {
            AttackResult r = rulesAt(k).attack(4, 15, DiceExpression.parse("1d6+2"), RollMode.NORMAL, null);
            if (r.natural() != 20 && r.natural() != 1) {
                assertThat(r.hit()).isEqualTo(r.total() >= 15);
                assertThat(r.critical()).isFalse();
            }
        }
    }

    @Test
    void damage_is_absorbed_by_temporary_hp_first_and_resistance_halves_it() {
        CharacterSheet tough = Vitals.grantTemporaryHp(fighter, 5);
        DamageResult r = Vitals.damage(tough, 8, DamageType.SLASHING, false);
        assertThat(r.absorbedByTemp()).isEqualTo(5);
        assertThat(r.hpLost()).isEqualTo(3);
        assertThat(r.after().hp()).isEqualTo(new HitPoints(12, 9, 0));

        CharacterSheet resistant = new CharacterSheet("R", CharacterClass.BARBARIAN, 1, 0, fighter.abilities(),
                HitPoints.full(20), 13, 30, Set.of(), Set.of(), Set.of(), Set.of(), Set.of(DamageType.FIRE), null);
        DamageResult fire = Vitals.damage(resistant, 9, DamageType.FIRE, false);
        assertThat(fire.taken()).isEqualTo(4);
        assertThat(fire.after().hp().current()).isEqualTo(16);
        assertThat(Vitals.damage(resistant, 9, DamageType.COLD, false).after().hp().current()).isEqualTo(11);
        assertThat(Vitals.damage(resistant, 9, null, false).after().hp().current()).isEqualTo(11);
    }

    @Test
    void temporary_hp_do_not_stack() {
        CharacterSheet s = Vitals.grantTemporaryHp(Vitals.grantTemporaryHp(fighter, 5), 3);
        assertThat(s.hp().temp()).isEqualTo(5);
        assertThat(Vitals.grantTemporaryHp(s, 8).hp().temp()).isEqualTo(8);
    }

    @Test
    void dropping_to_zero_makes_the_character_unconscious_and_dying() {
        DamageResult r = Vitals.damage(fighter, 15, null, false);
        assertThat(r.droppedToZero()).isTrue();
        assertThat(r.killed()).isFalse();
        assertThat(r.after().hp().current()).isZero();
        assertThat(r.after().has(Condition.UNCONSCIOUS)).isTrue();
        assertThat(r.after().dying()).isTrue();
        assertThat(r.after().deathSaves()).isEqualTo(DeathSaves.NONE);
    }

    @Test
    void massive_damage_kills_outright() {
        // 12 HP, max 12: 24 damage leaves 12 over after reaching 0 -> dead
        DamageResult r = Vitals.damage(fighter, 24, null, false);
        assertThat(r.killed()).isTrue();
        assertThat(r.after().dead()).isTrue();
        assertThat(Vitals.damage(fighter, 23, null, false).killed()).isFalse();
    }

    @Test
    void damage_at_zero_hp_is_a_death_save_failure_and_a_critical_is_two() {
        CharacterSheet down = Vitals.damage(fighter, 12, null, false).after();
        DamageResult one = Vitals.damage(down, 3, null, false);
        assertThat(one.deathSaveFailures()).isEqualTo(1);
        assertThat(one.after().deathSaves()).isEqualTo(new DeathSaves(0, 1));
        DamageResult crit = Vitals.damage(one.after(), 3, null, true);
        assertThat(crit.deathSaveFailures()).isEqualTo(2);
        assertThat(crit.killed()).isTrue();
        assertThat(crit.after().dead()).isTrue();
        assertThat(Vitals.damage(down, 12, null, false).killed()).as("massive damage at 0 HP").isTrue();
    }

    @Test
    void healing_never_exceeds_max_and_wakes_a_character_at_zero() {
        CharacterSheet hurt = Vitals.damage(fighter, 5, null, false).after();
        HealResult capped = Vitals.heal(hurt, 50);
        assertThat(capped.healed()).isEqualTo(5);
        assertThat(capped.after().hp().current()).isEqualTo(12);

        CharacterSheet down = Vitals.damage(Vitals.damage(fighter, 12, null, false).after(), 1, null, false).after();
        HealResult wake = Vitals.heal(down, 4);
        assertThat(wake.wokeUp()).isTrue();
        assertThat(wake.after().hp().current()).isEqualTo(4);
        assertThat(wake.after().has(Condition.UNCONSCIOUS)).isFalse();
        assertThat(wake.after().deathSaves()).isEqualTo(DeathSaves.NONE);
        assertThatThrownBy(() -> Vitals.heal(hurt, -1)).hasMessage("amount: must not be negative, was -1");
    }

    @Test
    void the_dead_cannot_be_damaged_or_healed() {
        CharacterSheet dead = Vitals.damage(fighter, 100, null, false).after();
        assertThatThrownBy(() -> Vitals.heal(dead, 5)).hasMessageContaining("Brienne is dead");
        assertThatThrownBy(() -> Vitals.damage(dead, 5, null, false)).hasMessageContaining("is dead");
    }

    @Test
    void death_saves_three_successes_stabilise() {
        CharacterSheet s = Vitals.damage(fighter, 12, null, false).after();
        long c = 0;
        for (int i = 0; i < 3; i++) {
            c = counterForD20Between(SEED, 10, 19, c);
            DeathSaveResult r = rulesAt(c).deathSave(s, null);
            assertThat(r.outcome()).isEqualTo(DeathSaveResult.Outcome.SUCCESS);
            s = r.after();
            c++;
        }
        assertThat(s.stable()).isTrue();
        assertThat(s.dying()).isFalse();
        assertThat(s.has(Condition.UNCONSCIOUS)).isTrue();
        CharacterSheet stable = s;
        assertThatThrownBy(() -> rulesAt(0).deathSave(stable, null)).hasMessageContaining("is not dying");
        // damage to a stable character starts the dying again
        DamageResult hit = Vitals.damage(stable, 1, null, false);
        assertThat(hit.after().dying()).isTrue();
        assertThat(hit.after().deathSaves()).isEqualTo(new DeathSaves(0, 1));
    }

    @Test
    void death_saves_three_failures_kill_and_natural_1_counts_two() {
        CharacterSheet s = Vitals.damage(fighter, 12, null, false).after();
        long c1 = counterForD20(SEED, 1, 0);
        DeathSaveResult nat1 = rulesAt(c1).deathSave(s, null);
        assertThat(nat1.outcome()).isEqualTo(DeathSaveResult.Outcome.NATURAL_1_TWO_FAILURES);
        assertThat(nat1.after().deathSaves().failures()).isEqualTo(2);
        long c = counterForD20Between(SEED, 2, 9, 0);
        DeathSaveResult fail = rulesAt(c).deathSave(nat1.after(), null);
        assertThat(fail.outcome()).isEqualTo(DeathSaveResult.Outcome.FAILURE);
        assertThat(fail.dead()).isTrue();
        assertThatThrownBy(() -> rulesAt(0).deathSave(fail.after(), null)).hasMessageContaining("is dead");
    }

    @Test
    void death_save_natural_20_regains_one_hp() {
        CharacterSheet s = Vitals.damage(Vitals.damage(fighter, 12, null, false).after(), 1, null, false).after();
        long c = counterForD20(SEED, 20, 0);
        DeathSaveResult r = rulesAt(c).deathSave(s, null);
        assertThat(r.outcome()).isEqualTo(DeathSaveResult.Outcome.NATURAL_20_REGAINS_1_HP);
        assertThat(r.after().hp().current()).isEqualTo(1);
        assertThat(r.after().has(Condition.UNCONSCIOUS)).isFalse();
        assertThat(r.after().deathSaves()).isEqualTo(DeathSaves.NONE);
    }

    @Test
    void death_saves_only_while_dying() {
        assertThatThrownBy(() -> rulesAt(0).deathSave(fighter, null)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("not dying");
    }

    @Test
    void conditions_are_applied_and_removed_once() {
        CharacterSheet p = Vitals.addCondition(fighter, Condition.POISONED);
        assertThat(p.conditions()).containsExactly(Condition.POISONED);
        assertThatThrownBy(() -> Vitals.addCondition(p, Condition.POISONED)).hasMessageContaining("already poisoned");
        assertThat(Vitals.removeCondition(p, Condition.POISONED).conditions()).isEmpty();
        assertThatThrownBy(() -> Vitals.removeCondition(fighter, Condition.PRONE)).hasMessageContaining("not prone");
        CharacterSheet down = Vitals.damage(fighter, 12, null, false).after();
        assertThatThrownBy(() -> Vitals.removeCondition(down, Condition.UNCONSCIOUS))
                .hasMessageContaining("only healing wakes them");
    }

    @Test
    void xp_awards_report_level_up_without_applying_it() {
        XpAward small = Vitals.awardXp(fighter, 100);
        assertThat(small.after().xp()).isEqualTo(100);
        assertThat(small.levelUpAvailable()).isFalse();
        XpAward big = Vitals.awardXp(small.after(), 850);
        assertThat(big.xpAfter()).isEqualTo(950);
        assertThat(big.levelForXp()).isEqualTo(3);
        assertThat(big.levelUpAvailable()).isTrue();
        assertThat(big.after().level()).isEqualTo(1);
        assertThatThrownBy(() -> Vitals.awardXp(fighter, 0)).hasMessage("amount: must be 1 to 1000000, was 0");
    }

    @Test
    void double_dice_keeps_keep_rules_and_constants() {
        assertThat(Rules.doubleDice(DiceExpression.parse("1d8+2d6-1")).canonical()).isEqualTo("2d8+4d6-1");
        assertThat(Rules.doubleDice(DiceExpression.parse("4d6kh3")).canonical()).isEqualTo("8d6kh6");
    }
}
