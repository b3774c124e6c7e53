package dev.dmengine.core.rules;

import dev.dmengine.spi.InvalidInputException;
import dev.dmengine.spi.InvalidInputException.FieldError;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * A 5e-SRD-style character sheet: the JSON stored in {@code GameCharacter.sheet}. Inventory is not
 * part of it (it is {@code GameCharacter.inventory}).
 *
 * <p>Immutable and always valid: the constructor checks every bound and throws an
 * {@link InvalidInputException} listing each offending field ({@code abilities.str},
 * {@code hp.current}, …). Sets are kept in enum order so the JSON is deterministic.
 *
 * @param savingThrows saving-throw proficiencies
 * @param skills       skill proficiencies
 * @param expertise    skills whose proficiency bonus is doubled; a subset of {@code skills}
 * @param resistances  damage types this character takes half damage from
 * @param deathSaves   tallies while at 0 HP
 */
public record CharacterSheet(String name, CharacterClass characterClass, int level, int xp, AbilityScores abilities,
                             HitPoints hp, int armorClass, int speed, Set<Ability> savingThrows, Set<Skill> skills,
                             Set<Skill> expertise, Set<Condition> conditions, Set<DamageType> resistances,
                             DeathSaves deathSaves) {

    public static final int MAX_HP = 999;
    public static final int MAX_XP = 10_000_000;

    public CharacterSheet {
        savingThrows = enumSet(Ability.class, savingThrows);
        skills = enumSet(Skill.class, skills);
        expertise = enumSet(Skill.class, expertise);
        conditions = enumSet(Condition.class, conditions);
        resistances = enumSet(DamageType.class, resistances);
        if (deathSaves == null) {
            deathSaves = DeathSaves.NONE;
        }
        List<FieldError> errors = new ArrayList<>();
        if (name == null || name.isBlank()) {
            errors.add(new FieldError("name", "must not be blank"));
        } else if (name.length() > 100) {
            errors.add(new FieldError("name", "must be at most 100 characters, was " + name.length()));
        }
        if (characterClass == null) {
            errors.add(new FieldError("characterClass", "is required; one of the 12 SRD classes"));
        }
        range(errors, "level", level, 1, 20);
        range(errors, "xp", xp, 0, MAX_XP);
        if (abilities == null) {
            errors.add(new FieldError("abilities", "is required"));
        } else {
            for (Ability a : Ability.values()) {
                range(errors, "abilities." + a.id(), abilities.score(a), 1, 30);
            }
        }
        if (hp == null) {
            errors.add(new FieldError("hp", "is required"));
        } else {
            range(errors, "hp.max", hp.max(), 1, MAX_HP);
            range(errors, "hp.current", hp.current(), 0, Math.max(0, hp.max()));
            range(errors, "hp.temp", hp.temp(), 0, MAX_HP);
            if (hp.current() > 0 && !deathSaves.equals(DeathSaves.NONE)) {
                errors.add(new FieldError("deathSaves", "must be 0 successes and 0 failures while hp.current > 0"));
            }
        }
        range(errors, "armorClass", armorClass, 1, 30);
        range(errors, "speed", speed, 0, 120);
        if (!skills.containsAll(expertise)) {
            Set<Skill> extra = EnumSet.copyOf(expertise);
            extra.removeAll(skills);
            errors.add(new FieldError("expertise", "needs proficiency in the same skills; not proficient in "
                    + extra.stream().map(Skill::id).toList()));
        }
        range(errors, "deathSaves.successes", deathSaves.successes(), 0, 3);
        range(errors, "deathSaves.failures", deathSaves.failures(), 0, 3);
        if (!errors.isEmpty()) {
            throw new InvalidInputException(errors);
        }
    }

    private static void range(List<FieldError> errors, String field, int value, int min, int max) {
        if (value < min || value > max) {
            errors.add(new FieldError(field, "must be " + min + " to " + max + ", was " + value));
        }
    }

    private static <E extends Enum<E>> Set<E> enumSet(Class<E> type, Collection<E> values) {
        EnumSet<E> set = EnumSet.noneOf(type);
        if (values != null) {
            for (E e : values) {
                if (e != null) {
                    set.add(e);
                }
            }
        }
        return Collections.unmodifiableSet(set);
    }

    /** Proficiency bonus for this level. */
    public int proficiencyBonus() {
        return Progression.proficiencyBonus(level);
    }

    /** The modifier of one ability. */
    public int modifier(Ability ability) {
        return abilities.modifier(ability);
    }

    /** Ability modifier plus proficiency bonus when proficient (twice it with expertise). */
    public int skillBonus(Skill skill) {
        int bonus = modifier(skill.ability());
        if (expertise.contains(skill)) {
            bonus += 2 * proficiencyBonus();
        } else if (skills.contains(skill)) {
            bonus += proficiencyBonus();
        }
        return bonus;
    }

    /** Ability modifier plus proficiency bonus when proficient in that saving throw. */
    public int savingThrowBonus(Ability ability) {
        return modifier(ability) + (savingThrows.contains(ability) ? proficiencyBonus() : 0);
    }

    /** Carrying capacity in pounds: Strength score × 15. */
    public int carryingCapacity() {
        return abilities.str() * 15;
    }

    /** Three failed death saves (or massive damage). */
    public boolean dead() {
        return deathSaves.dead();
    }

    /** At 0 HP with three successful death saves: unconscious but no longer rolling. */
    public boolean stable() {
        return hp.current() == 0 && deathSaves.stable();
    }

    /** At 0 HP, neither stable nor dead: must make death saving throws. */
    public boolean dying() {
        return hp.current() == 0 && !dead() && !stable();
    }

    public boolean has(Condition condition) {
        return conditions.contains(condition);
    }

    public CharacterSheet withHp(HitPoints newHp) {
        return new CharacterSheet(name, characterClass, level, xp, abilities, newHp, armorClass, speed, savingThrows,
                skills, expertise, conditions, resistances, deathSaves);
    }

    public CharacterSheet withConditions(Set<Condition> newConditions) {
        return new CharacterSheet(name, characterClass, level, xp, abilities, hp, armorClass, speed, savingThrows,
                skills, expertise, newConditions, resistances, deathSaves);
    }

    public CharacterSheet withDeathSaves(DeathSaves newDeathSaves) {
        return new CharacterSheet(name, characterClass, level, xp, abilities, hp, armorClass, speed, savingThrows,
                skills, expertise, conditions, resistances, newDeathSaves);
    }

    public CharacterSheet withXp(int newXp) {
        return new CharacterSheet(name, characterClass, level, newXp, abilities, hp, armorClass, speed, savingThrows,
                skills, expertise, conditions, resistances, deathSaves);
    }

    public CharacterSheet withLevel(int newLevel) {
        return new CharacterSheet(name, characterClass, newLevel, xp, abilities, hp, armorClass, speed, savingThrows,
                skills, expertise, conditions, resistances, deathSaves);
    }

    /** HP, death saves and conditions at once (what damage and healing change). */
    CharacterSheet withVitals(HitPoints newHp, DeathSaves newDeathSaves, Set<Condition> newConditions) {
        return new CharacterSheet(name, characterClass, level, xp, abilities, newHp, armorClass, speed, savingThrows,
                skills, expertise, newConditions, resistances, newDeathSaves);
    }
}
