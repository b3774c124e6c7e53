package dev.dmengine.core.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dmengine.spi.InvalidInputException;
import dev.dmengine.spi.InvalidInputException.FieldError;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CharacterSheetTest {

    @Test
    void ability_modifiers_follow_the_srd_table() {
        assertThat(Ability.modifier(1)).isEqualTo(-5);
        assertThat(Ability.modifier(8)).isEqualTo(-1);
        assertThat(Ability.modifier(9)).isEqualTo(-1);
        assertThat(Ability.modifier(10)).isEqualTo(0);
        assertThat(Ability.modifier(11)).isEqualTo(0);
        assertThat(Ability.modifier(15)).isEqualTo(2);
        assertThat(Ability.modifier(30)).isEqualTo(10);
    }

    @Test
    void proficiency_bonus_and_xp_thresholds_follow_the_srd() {
        assertThat(Progression.proficiencyBonus(1)).isEqualTo(2);
        assertThat(Progression.proficiencyBonus(4)).isEqualTo(2);
        assertThat(Progression.proficiencyBonus(5)).isEqualTo(3);
        assertThat(Progression.proficiencyBonus(17)).isEqualTo(6);
        assertThat(Progression.proficiencyBonus(20)).isEqualTo(6);
        assertThat(Progression.xpForLevel(2)).isEqualTo(300);
        assertThat(Progression.xpForLevel(20)).isEqualTo(355_000);
        assertThat(Progression.levelForXp(0)).isEqualTo(1);
        assertThat(Progression.levelForXp(299)).isEqualTo(1);
        assertThat(Progression.levelForXp(300)).isEqualTo(2);
        assertThat(Progression.levelForXp(6_499)).isEqualTo(4);
        assertThat(Progression.levelForXp(1_000_000)).isEqualTo(20);
        assertThatThrownBy(() -> Progression.proficiencyBonus(21)).hasMessageContaining("1 to 20, was 21");
    }

    @Test
    void class_table_has_the_twelve_srd_classes_with_hit_dice_and_two_saves() {
        assertThat(CharacterClass.values()).hasSize(12);
        assertThat(CharacterClass.BARBARIAN.hitDie()).isEqualTo(12);
        assertThat(CharacterClass.WIZARD.hitDie()).isEqualTo(6);
        assertThat(CharacterClass.ROGUE.savingThrows()).containsExactlyInAnyOrder(Ability.DEX, Ability.INT);
        assertThat(CharacterClass.ROGUE.skillChoices()).isEqualTo(4);
        for (CharacterClass c : CharacterClass.values()) {
            assertThat(c.savingThrows()).as(c.id()).hasSize(2);
            assertThat(c.skillOptions().size()).as(c.id()).isGreaterThanOrEqualTo(c.skillChoices());
        }
        assertThat(Skill.values()).hasSize(18);
        assertThat(Skill.SLEIGHT_OF_HAND.ability()).isEqualTo(Ability.DEX);
        assertThat(Skill.fromId("Sleight of Hand")).isEqualTo(Skill.SLEIGHT_OF_HAND);
        assertThat(CharacterClass.fromId("Paladin")).isEqualTo(CharacterClass.PALADIN);
    }

    @Test
    void level_one_factory_uses_hit_die_max_plus_con_and_class_saves() {
        CharacterSheet s = Fixtures.fighter();
        assertThat(s.hp()).isEqualTo(new HitPoints(12, 12, 0)); // d10 + CON 14 (+2)
        assertThat(s.armorClass()).isEqualTo(12);
        assertThat(s.level()).isEqualTo(1);
        assertThat(s.savingThrows()).containsExactly(Ability.STR, Ability.CON);
        assertThat(s.skillBonus(Skill.ATHLETICS)).isEqualTo(5); // +3 STR +2 prof
        assertThat(s.skillBonus(Skill.STEALTH)).isEqualTo(2); // DEX only
        assertThat(s.savingThrowBonus(Ability.CON)).isEqualTo(4);
        assertThat(s.savingThrowBonus(Ability.WIS)).isEqualTo(1);
        assertThat(s.carryingCapacity()).isEqualTo(240);

        CharacterSheet wizard = CharacterSheets.levelOne("Elminster", CharacterClass.WIZARD,
                new AbilityScores(8, 14, 6, 17, 12, 10), null);
        assertThat(wizard.hp().max()).isEqualTo(4); // 6 - 2
        assertThat(wizard.skills()).hasSize(2).isSubsetOf(CharacterClass.WIZARD.skillOptions());
    }

    @Test
    void expertise_doubles_the_proficiency_bonus() {
        CharacterSheet rogue = CharacterSheets.levelOne("Vex", CharacterClass.ROGUE,
                new AbilityScores(10, 16, 12, 12, 10, 14), Set.of(Skill.STEALTH, Skill.PERCEPTION));
        CharacterSheet expert = new CharacterSheet(rogue.name(), rogue.characterClass(), 1, 0, rogue.abilities(),
                rogue.hp(), 13, 30, rogue.savingThrows(), rogue.skills(), Set.of(Skill.STEALTH), Set.of(), Set.of(),
                null);
        assertThat(rogue.skillBonus(Skill.STEALTH)).isEqualTo(5);
        assertThat(expert.skillBonus(Skill.STEALTH)).isEqualTo(7);
    }

    @Test
    void factory_rejects_a_skill_the_class_cannot_choose() {
        assertThatThrownBy(() -> CharacterSheets.levelOne("X", CharacterClass.FIGHTER,
                new AbilityScores(10, 10, 10, 10, 10, 10), Set.of(Skill.STEALTH)))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.errors()).singleElement()
                        .satisfies(fe -> {
                            assertThat(fe.field()).isEqualTo("skills");
                            assertThat(fe.message()).contains("fighter chooses at most 2", "stealth");
                        }));
    }

    @Test
    void validation_reports_every_bad_field_with_its_limit() {
        InvalidInputException e = org.junit.jupiter.api.Assertions.assertThrows(InvalidInputException.class,
                () -> new CharacterSheet("Bad", CharacterClass.BARD, 21, -1, new AbilityScores(31, 0, 10, 10, 10, 10),
                        new HitPoints(10, 11, -1), 12, 30, Set.of(), Set.of(), Set.of(Skill.ARCANA), Set.of(),
                        Set.of(), DeathSaves.NONE));
        assertThat(e.errors()).extracting(FieldError::field).containsExactlyInAnyOrder("level", "xp",
                "abilities.str", "abilities.dex", "hp.current", "hp.temp", "expertise");
        assertThat(e.errors()).contains(new FieldError("abilities.str", "must be 1 to 30, was 31"),
                new FieldError("level", "must be 1 to 20, was 21"),
                new FieldError("hp.current", "must be 0 to 10, was 11"),
                new FieldError("hp.temp", "must be 0 to 999, was -1"));
    }

    @Test
    void json_round_trip_preserves_the_sheet() {
        CharacterSheet s = new CharacterSheet("Brienne", CharacterClass.FIGHTER, 3, 1000,
                new AbilityScores(16, 14, 14, 10, 12, 8), new HitPoints(28, 0, 3), 16, 30,
                Set.of(Ability.CON, Ability.STR), Set.of(Skill.PERCEPTION, Skill.ATHLETICS), Set.of(Skill.ATHLETICS),
                Set.of(Condition.UNCONSCIOUS, Condition.POISONED), Set.of(DamageType.FIRE), new DeathSaves(1, 2));
        String json = CharacterSheets.toJson(s);
        assertThat(json).contains("\"int\":10", "\"characterClass\":\"fighter\"",
                "\"skills\":[\"athletics\",\"perception\"]", "\"conditions\":[\"poisoned\",\"unconscious\"]");
        CharacterSheet back = CharacterSheets.fromJson(json);
        assertThat(back).isEqualTo(s);
        assertThat(CharacterSheets.toJson(back)).isEqualTo(json);
    }

    @Test
    void json_validation_reports_field_paths() {
        String json = CharacterSheets.toJson(Fixtures.fighter());
        assertThat(CharacterSheets.validate(json.replace("\"str\":16", "\"str\":31")))
                .containsExactly(new FieldError("abilities.str", "must be 1 to 30, was 31"));
        assertThat(CharacterSheets.validate(json.replace("\"fighter\"", "\"necromancer\"")))
                .singleElement().satisfies(fe -> {
                    assertThat(fe.field()).isEqualTo("characterClass");
                    assertThat(fe.message()).contains("unknown class 'necromancer'", "wizard");
                });
        assertThat(CharacterSheets.validate(json.replace("\"perception\"", "\"basket_weaving\"")))
                .singleElement().satisfies(fe -> {
                    assertThat(fe.field()).isEqualTo("skills[1]");
                    assertThat(fe.message()).contains("unknown skill 'basket_weaving'");
                });
        assertThat(CharacterSheets.validate(json.replace("\"level\":1", "\"level\":0")))
                .containsExactly(new FieldError("level", "must be 1 to 20, was 0"));
        assertThat(CharacterSheets.validate("{not json")).singleElement()
                .satisfies(fe -> assertThat(fe.field()).isEqualTo("sheet"));
        assertThat(CharacterSheets.validate(json.replace("\"speed\":30", "\"speed\":30,\"sped\":30")))
                .containsExactly(new FieldError("sped", "unknown field 'sped'"));
        assertThat(CharacterSheets.validate(json)).isEmpty();
    }

    @Test
    void unknown_names_throw_field_errors() {
        assertThatThrownBy(() -> Skill.fromId("flying")).isInstanceOfSatisfying(InvalidInputException.class,
                e -> assertThat(e.errors()).extracting(FieldError::field).containsExactly("skill"));
        assertThatThrownBy(() -> Condition.fromId("sleepy")).hasMessageContaining("unknown condition 'sleepy'");
        assertThat(Condition.values()).hasSize(15);
        assertThat(List.of(Ability.fromId("Wisdom"), Ability.fromId("CHA"))).containsExactly(Ability.WIS,
                Ability.CHA);
    }
}
