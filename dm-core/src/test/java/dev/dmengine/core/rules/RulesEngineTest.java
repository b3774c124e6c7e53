package dev.dmengine.core.rules;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dmengine.spi.game.InventoryItem;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RulesEngineTest {

    private static final long SEED = 4242;
    private final RulesEngine engine = new RulesEngine();

    private Resolution resolve(GameState state, String actionsJson) {
        return engine.resolve(state, ActionProtocol.extract("Narration.\n```dm-actions\n" + actionsJson + "\n```"),
                SEED, Fixtures.TURN);
    }

    private static GameState unconscious() {
        GameState s = Fixtures.state();
        return s.withSheet(Vitals.damage(s.sheet(), 12, null, false).after());
    }

    private static GameState dead() {
        GameState s = Fixtures.state();
        return s.withSheet(Vitals.damage(s.sheet(), 100, null, false).after());
    }

    private static GameState withEquippedRope() {
        GameState s = Fixtures.state();
        return s.withInventory(Inventory.equip(s.inventory(), "rope"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "{\"type\":\"check\",\"skill\":\"stealth\",\"dc\":31}                 | dc: must be 1 to 30, was 31",
        "{\"type\":\"check\",\"skill\":\"stealth\",\"dc\":0}                  | dc: must be 1 to 30, was 0",
        "{\"type\":\"check\",\"skill\":\"stealth\"}                           | dc: is required",
        "{\"type\":\"check\",\"skill\":\"basket weaving\",\"dc\":10}          | unknown skill 'basket weaving'",
        "{\"type\":\"check\",\"skill\":\"stealth\",\"ability\":\"dex\",\"dc\":10} | exactly one of 'skill'",
        "{\"type\":\"check\",\"dc\":10}                                       | exactly one of 'skill'",
        "{\"type\":\"check\",\"ability\":\"luck\",\"dc\":10}                  | unknown ability 'luck'",
        "{\"type\":\"save\",\"ability\":\"dex\",\"dc\":40}                    | dc: must be 1 to 30, was 40",
        "{\"type\":\"save\",\"dc\":10}                                        | ability: is required",
        "{\"type\":\"roll\",\"expression\":\"1d20x\"}                         | expression: at position 5",
        "{\"type\":\"roll\",\"expression\":\"200d6\"}                         | at most 100 dice",
        "{\"type\":\"roll\"}                                                  | expression: is required",
        "{\"type\":\"attack\",\"weapon\":\"greataxe\",\"targetAc\":12}        | no item 'greataxe' in the inventory; carried: longsword, healing-potion, rope",
        "{\"type\":\"attack\",\"weapon\":\"longsword\"}                       | targetAc: is required",
        "{\"type\":\"attack\",\"weapon\":\"longsword\",\"targetAc\":35}       | targetAc: must be 1 to 30, was 35",
        "{\"type\":\"attack\",\"weapon\":\"longsword\",\"targetAc\":12,\"bonus\":3} | either 'weapon'",
        "{\"type\":\"attack\",\"weapon\":\"healing-potion\",\"targetAc\":12}  | is not equipped",
        "{\"type\":\"attack\",\"attacker\":\"goblin\",\"damage\":\"1d6\"}     | bonus: is required",
        "{\"type\":\"attack\",\"bonus\":31,\"damage\":\"1d6\"}                | bonus: must be -10 to 30, was 31",
        "{\"type\":\"attack\",\"bonus\":4}                                    | damage: is required",
        "{\"type\":\"attack\",\"bonus\":4,\"damage\":\"1d6+\"}                | damage: at position",
        "{\"type\":\"attack\",\"bonus\":4,\"damage\":\"51d6\"}                | at most 50 dice",
        "{\"type\":\"attack\",\"bonus\":4,\"damage\":\"1d6\",\"damageType\":\"sonic\"} | unknown damage type 'sonic'",
        "{\"type\":\"attack\",\"bonus\":4,\"damage\":\"1d6\",\"targetAc\":12} | uses the character's AC",
        "{\"type\":\"damage\",\"amount\":-3}                                  | amount: must be 0 to 1000, was -3",
        "{\"type\":\"damage\",\"amount\":1001}                                | amount: must be 0 to 1000, was 1001",
        "{\"type\":\"damage\",\"amount\":3,\"expression\":\"1d6\"}            | exactly one of 'amount'",
        "{\"type\":\"damage\"}                                                | exactly one of 'amount'",
        "{\"type\":\"damage\",\"amount\":3,\"damageType\":\"banana\"}         | unknown damage type 'banana'",
        "{\"type\":\"heal\",\"amount\":-1}                                    | amount: must be 0 to 1000, was -1",
        "{\"type\":\"heal\",\"expression\":\"d\"}                             | expression: at position",
        "{\"type\":\"add_item\",\"itemId\":\"Big Sword\"}                     | itemId: must be a lower-case slug",
        "{\"type\":\"add_item\",\"name\":\"Sword\"}                           | itemId: is required",
        "{\"type\":\"add_item\",\"itemId\":\"arrow\",\"quantity\":0}          | quantity: must be 1 to 10000, was 0",
        "{\"type\":\"add_item\",\"itemId\":\"arrow\",\"quantity\":-5}         | quantity: must be 1 to 10000, was -5",
        "{\"type\":\"add_item\",\"itemId\":\"anvil\",\"weight\":-1}           | weight: must be 0 to 1000",
        "{\"type\":\"add_item\",\"itemId\":\"anvil\",\"weight\":500}          | over the carrying capacity of 240 lb",
        "{\"type\":\"add_item\",\"itemId\":\"elixir\",\"tags\":[\"heal:2x4\"]} | expression: at position",
        "{\"type\":\"add_item\",\"itemId\":\"x\",\"tags\":[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\",\"h\",\"i\",\"j\",\"k\"]} | at most 10 tags",
        "{\"type\":\"remove_item\",\"itemId\":\"shield\"}                     | no item 'shield'",
        "{\"type\":\"remove_item\",\"itemId\":\"healing-potion\",\"quantity\":3} | cannot remove 3 Potion of Healing, only 2 carried",
        "{\"type\":\"remove_item\",\"itemId\":\"healing-potion\",\"quantity\":-1} | quantity: must be 1 to 10000, was -1",
        "{\"type\":\"use_item\",\"itemId\":\"elixir\"}                        | no item 'elixir'",
        "{\"type\":\"use_item\",\"itemId\":\"rope\"}                          | Hempen rope (50 ft) is not consumable",
        "{\"type\":\"equip\",\"itemId\":\"longsword\"}                        | Longsword is already equipped",
        "{\"type\":\"equip\",\"itemId\":\"shield\"}                           | no item 'shield'",
        "{\"type\":\"unequip\",\"itemId\":\"rope\"}                           | is not equipped",
        "{\"type\":\"add_condition\",\"condition\":\"sleepy\"}                | unknown condition 'sleepy'",
        "{\"type\":\"remove_condition\",\"condition\":\"prone\"}              | the character is not prone",
        "{\"type\":\"award_xp\"}                                              | amount: is required",
        "{\"type\":\"award_xp\",\"amount\":0}                                 | amount: must be 1 to 1000000, was 0",
        "{\"type\":\"award_xp\",\"amount\":-50}                               | amount: must be 1 to 1000000, was -50",
        "{\"type\":\"death_save\"}                                            | is not dying"})
    void rejects_invalid_actions_with_a_reason_and_changes_nothing(String action, String reason) {
        GameState before = Fixtures.state();
        Resolution r = resolve(before, "[" + action + "]");
        assertThat(r.rejected()).singleElement().satisfies(rej -> {
            assertThat(rej.index()).isZero();
            assertThat(rej.reason()).contains(reason);
        });
        assertThat(r.after()).isEqualTo(before);
        assertThat(r.rolls()).isEmpty();
        assertThat(r.changes()).isEmpty();
        assertThat(r.needsNarration()).isTrue();
        assertThat(r.resultsForModel()).contains("REJECTED").contains("this did not happen");
    }

    @Test
    void equipped_item_without_damage_tag_is_not_a_weapon() {
        Resolution r = resolve(withEquippedRope(), "[{\"type\":\"attack\",\"weapon\":\"rope\",\"targetAc\":10}]");
        assertThat(r.rejected()).singleElement().extracting(Rejection::reason).asString()
                .contains("is not a weapon (no 'damage:<dice>' tag)");
    }

    @Test
    void a_dead_character_accepts_only_free_rolls() {
        GameState before = dead();
        Resolution r = resolve(before, """
                [{"type":"heal","amount":5},{"type":"check","skill":"stealth","dc":10},
                 {"type":"add_item","itemId":"torch"},{"type":"death_save"},{"type":"roll","expression":"1d6"}]""");
        assertThat(r.rejected()).hasSize(4).allSatisfy(rej -> assertThat(rej.reason())
                .isEqualTo("character: Brienne is dead; only 'roll' actions are possible"));
        assertThat(r.outcomes()).singleElement().extracting(ActionOutcome::type).isEqualTo("roll");
        assertThat(r.after().sheet()).isEqualTo(before.sheet());
        assertThat(r.after().inventory()).isEqualTo(before.inventory());
    }

    @Test
    void an_unconscious_character_cannot_act_or_use_items() {
        Resolution r = resolve(unconscious(), """
                [{"type":"check","skill":"stealth","dc":10},{"type":"attack","weapon":"longsword","targetAc":10},
                 {"type":"use_item","itemId":"healing-potion"},{"type":"remove_condition","condition":"unconscious"}]""");
        assertThat(r.rejected()).extracting(Rejection::reason).satisfiesExactly(
                x -> assertThat(x).contains("is unconscious and cannot act"),
                x -> assertThat(x).contains("is unconscious and cannot act"),
                x -> assertThat(x).contains("cannot use items"),
                x -> assertThat(x).contains("only healing wakes them"));
    }

    @Test
    void rejected_actions_do_not_consume_dice_and_valid_ones_still_apply_in_order() {
        GameState before = Fixtures.state();
        Resolution r = resolve(before, """
                [{"type":"check","skill":"stealth","dc":99},
                 {"type":"roll","expression":"1d20","purpose":"first"},
                 {"type":"remove_item","itemId":"rope"},
                 {"type":"remove_item","itemId":"rope"},
                 {"type":"roll","expression":"1d20","purpose":"second"}]""");
        assertThat(r.rejected()).extracting(Rejection::index).containsExactly(0, 3);
        assertThat(r.rolls()).extracting(RollRecord::counter).containsExactly(0L, 1L);
        assertThat(r.rolls()).extracting(RollRecord::purpose).containsExactly("first", "second");
        assertThat(r.after().rollCounter()).isEqualTo(2);
        assertThat(Inventory.find(r.after().inventory(), "rope")).isEmpty();
        assertThat(r.outcomes()).extracting(ActionOutcome::index).containsExactly(1, 2, 4);
    }

    @Test
    void more_than_20_actions_given_directly_are_rejected() {
        List<ProposedAction> actions = new ArrayList<>();
        for (int i = 0; i < 22; i++) {
            actions.add(new ProposedAction.Roll("1d4", null));
        }
        Resolution r = engine.resolve(Fixtures.state(), actions, SEED, Fixtures.TURN);
        assertThat(r.rolls()).hasSize(20);
        assertThat(r.rejected()).extracting(Rejection::index).containsExactly(20, 21);
    }

    @Test
    void extraction_rejections_are_part_of_the_resolution() {
        Resolution r = resolve(Fixtures.state(), "[{\"type\":\"teleport\"},{\"type\":\"award_xp\",\"amount\":10}]");
        assertThat(r.rejected()).singleElement().satisfies(rej -> {
            assertThat(rej.index()).isZero();
            assertThat(rej.type()).isEqualTo("teleport");
        });
        assertThat(r.after().sheet().xp()).isEqualTo(10);
    }

    @Test
    void needs_narration_only_for_rolled_or_rejected_outcomes() {
        Resolution quiet = resolve(Fixtures.state(), "[{\"type\":\"add_item\",\"itemId\":\"torch\"},"
                + "{\"type\":\"damage\",\"amount\":2}]");
        assertThat(quiet.needsNarration()).isFalse();
        assertThat(quiet.resultsForModel()).isEmpty();
        assertThat(quiet.rolls()).isEmpty();

        Resolution check = resolve(Fixtures.state(), "[{\"type\":\"check\",\"skill\":\"stealth\",\"dc\":13,"
                + "\"purpose\":\"sneak past the guard\"}]");
        assertThat(check.needsNarration()).isTrue();
        RollRecord roll = check.rolls().getFirst();
        assertThat(roll.purpose()).isEqualTo("sneak past the guard");
        assertThat(roll.turnId()).isEqualTo(Fixtures.TURN);
        assertThat(check.resultsForModel())
                .startsWith("[dm-results]")
                .contains("1. check stealth [sneak past the guard] (DC 13): " + roll.describe() + " → "
                        + (roll.total() >= 13 ? "SUCCESS" : "FAILURE"))
                .contains("State: Brienne HP 12/12, AC 12; conditions: none; XP 0 (level 1)");
        assertThat(check.resultsForModel().length()).isLessThan(600);
    }

    @Test
    void advantage_and_disadvantage_flags_cancel_in_a_check() {
        Resolution both = resolve(Fixtures.state(), "[{\"type\":\"check\",\"skill\":\"stealth\",\"dc\":10,"
                + "\"advantage\":true,\"disadvantage\":true}]");
        assertThat(both.rolls().getFirst().expression()).isEqualTo("1d20+2");
        Resolution adv = resolve(Fixtures.state(), "[{\"type\":\"save\",\"ability\":\"wis\",\"dc\":10,"
                + "\"advantage\":true}]");
        assertThat(adv.rolls().getFirst().expression()).isEqualTo("1d20adv+1");
        assertThat(adv.rolls().getFirst().dice()).hasSize(2);
    }

    @Test
    void character_attack_uses_the_equipped_weapon_and_str_plus_proficiency() {
        for (long c = 0; c < 40; c++) {
            GameState s = Fixtures.state().withRollCounter(c);
            Resolution r = resolve(s, "[{\"type\":\"attack\",\"weapon\":\"longsword\",\"targetAc\":14,"
                    + "\"target\":\"goblin\"}]");
            RollRecord attack = r.rolls().getFirst();
            assertThat(attack.expression()).isEqualTo("1d20+5");
            boolean hit = attack.natural() == 20 || (attack.natural() != 1 && attack.total() >= 14);
            assertThat(r.rolls()).hasSize(hit ? 2 : 1);
            if (hit) {
                assertThat(r.rolls().get(1).expression()).isEqualTo(attack.natural() == 20 ? "2d8+3" : "1d8+3");
            }
            assertThat(r.after().sheet()).isEqualTo(s.sheet()); // enemy HP is not engine state
            assertThat(r.after().rollCounter()).isEqualTo(c + r.rolls().size());
        }
    }

    @Test
    void enemy_hit_applies_damage_to_the_character_and_crit_doubles_dice() {
        long c = Fixtures.counterForD20(SEED, 20, 0);
        Resolution r = resolve(Fixtures.state().withRollCounter(c), "[{\"type\":\"attack\",\"attacker\":\"ogre\","
                + "\"bonus\":6,\"damage\":\"2d8+4\",\"damageType\":\"bludgeoning\"}]");
        RollRecord damage = r.rolls().get(1);
        assertThat(damage.expression()).isEqualTo("4d8+4");
        int expectedHp = Math.max(0, 12 - damage.total());
        assertThat(r.after().sheet().hp().current()).isEqualTo(expectedHp);
        assertThat(r.outcomes().getFirst().summary()).contains("CRITICAL HIT");
        assertThat(r.changes()).extracting(StateChange::path).contains("sheet.hp.current", "rollCounter");
    }

    @Test
    void healing_potion_rolls_and_heals_up_to_max() {
        GameState hurt = Fixtures.state().withSheet(Vitals.damage(Fixtures.fighter(), 10, null, false).after());
        Resolution r = resolve(hurt, "[{\"type\":\"use_item\",\"itemId\":\"healing-potion\"}]");
        RollRecord heal = r.rolls().getFirst();
        assertThat(heal.expression()).isEqualTo("2d4+2");
        assertThat(r.after().sheet().hp().current()).isEqualTo(Math.min(12, 2 + heal.total()));
        assertThat(Inventory.find(r.after().inventory(), "healing-potion")).get()
                .extracting(InventoryItem::quantity).isEqualTo(1);
    }

    @Test
    void same_inputs_give_the_same_resolution_so_a_regenerated_turn_never_rerolls() {
        String actions = """
                [{"type":"attack","attacker":"goblin","bonus":4,"damage":"1d6+2"},
                 {"type":"check","skill":"athletics","dc":12},{"type":"roll","expression":"4d6kh3"}]""";
        Resolution a = resolve(Fixtures.state(), actions);
        Resolution b = resolve(GameState.fromJson(Fixtures.state().toJson()), actions);
        assertThat(b).isEqualTo(a);
        assertThat(b.mechanicsJson()).isEqualTo(a.mechanicsJson());
        DiceRoller roller = new DiceRoller(SEED);
        assertThat(a.rolls()).allSatisfy(roll -> assertThat(roller.verify(roll)).isTrue());
    }

    @Test
    void mechanics_json_contains_rolls_changes_and_rejections() {
        Resolution r = resolve(Fixtures.state(), "[{\"type\":\"roll\",\"expression\":\"1d6\"},"
                + "{\"type\":\"equip\",\"itemId\":\"nothing\"}]");
        assertThat(r.mechanicsJson()).contains("\"rolls\":[{\"counter\":0,\"expression\":\"1d6\"",
                "\"changes\":[{\"path\":\"rollCounter\",\"kind\":\"SET\",\"before\":0,\"after\":1",
                "\"rejected\":[{\"index\":1,\"type\":\"equip\"");
    }

    /** Four scripted turns; each turn starts from the JSON the previous one stored, like TurnRecord does. */
    @Test
    void scripted_game_ends_with_exactly_the_expected_hp_inventory_and_xp() {
        GameState initial = Fixtures.state();
        List<StateChange> log = new ArrayList<>();
        List<RollRecord> allRolls = new ArrayList<>();
        String stored = initial.toJson();

        // Turn 1: loot and a perception check.
        Resolution t1 = play(stored, """
                You pry open the chest and find torches. Something moves in the dark.
                ```dm-actions
                [{"type":"add_item","itemId":"torch","name":"Torch","quantity":3,"weight":1,"tags":["light"]},
                 {"type":"award_xp","amount":50,"purpose":"opened the chest"},
                 {"type":"check","skill":"perception","dc":12,"purpose":"spot the goblin"}]
                ```""", 1);
        assertThat(t1.rejected()).isEmpty();
        assertThat(t1.needsNarration()).isTrue();
        assertThat(t1.after().sheet().xp()).isEqualTo(50);
        assertThat(t1.after().rollCounter()).isEqualTo(1);
        log.addAll(t1.changes());
        allRolls.addAll(t1.rolls());
        stored = t1.after().toJson();

        // Turn 2: a trap, a goblin attack, a potion.
        Resolution t2 = play(stored, """
                An arrow flies from the wall, and the goblin lunges.
                ```dm-actions
                [{"type":"damage","amount":4,"damageType":"piercing","purpose":"arrow trap"},
                 {"type":"attack","attacker":"goblin","bonus":4,"damage":"1d6+2","damageType":"slashing"},
                 {"type":"use_item","itemId":"healing-potion"}]
                ```""", 2);
        assertThat(t2.rejected()).isEmpty();
        RollRecord goblin = t2.rolls().getFirst();
        boolean goblinHit = goblin.natural() == 20 || (goblin.natural() != 1 && goblin.total() >= 12);
        int goblinDamage = goblinHit ? t2.rolls().get(1).total() : 0;
        RollRecord potion = t2.rolls().getLast();
        assertThat(potion.expression()).isEqualTo("2d4+2");
        int hpAfterT2 = Math.min(12, 12 - 4 - goblinDamage + potion.total());
        assertThat(t2.after().sheet().hp().current()).isEqualTo(hpAfterT2);
        log.addAll(t2.changes());
        allRolls.addAll(t2.rolls());
        stored = t2.after().toJson();

        // Turn 3: the character strikes back, drops the rope, tries to use it, is patched up, earns XP.
        Resolution t3 = play(stored, """
                You swing your longsword.
                ```dm-actions
                [{"type":"attack","weapon":"longsword","targetAc":13,"target":"goblin"},
                 {"type":"remove_item","itemId":"rope"},
                 {"type":"use_item","itemId":"rope"},
                 {"type":"heal","amount":100,"purpose":"short rest"},
                 {"type":"award_xp","amount":275,"purpose":"defeated the goblin"}]
                ```""", 3);
        assertThat(t3.rejected()).singleElement().satisfies(rej -> {
            assertThat(rej.index()).isEqualTo(2);
            assertThat(rej.reason()).contains("no item 'rope'");
        });
        assertThat(t3.after().sheet().hp().current()).isEqualTo(12);
        assertThat(t3.after().sheet().xp()).isEqualTo(325);
        assertThat(t3.outcomes().getLast().summary()).contains("LEVEL UP available: level 2");
        assertThat(t3.after().sheet().level()).isEqualTo(1);
        log.addAll(t3.changes());
        allRolls.addAll(t3.rolls());
        stored = t3.after().toJson();

        // Turn 4: a heavy blow drops the character; a death save; a friend's healing word.
        Resolution t4 = play(stored, """
                The ceiling gives way.
                ```dm-actions
                [{"type":"damage","amount":14,"damageType":"bludgeoning"},
                 {"type":"check","skill":"athletics","dc":10},
                 {"type":"death_save"},
                 {"type":"heal","amount":3,"purpose":"healing word"}]
                ```""", 4);
        assertThat(t4.rejected()).singleElement().extracting(Rejection::reason).asString()
                .contains("unconscious and cannot act");
        RollRecord deathSave = t4.rolls().getFirst();
        int finalHp = deathSave.natural() == 20 ? 4 : 3;
        CharacterSheet end = t4.after().sheet();
        assertThat(end.hp()).isEqualTo(new HitPoints(12, finalHp, 0));
        assertThat(end.has(Condition.UNCONSCIOUS)).isFalse();
        assertThat(end.deathSaves()).isEqualTo(DeathSaves.NONE);
        assertThat(end.xp()).isEqualTo(325);
        assertThat(t4.after().inventory()).extracting(InventoryItem::itemId, InventoryItem::quantity,
                InventoryItem::equipped).containsExactly(
                org.assertj.core.groups.Tuple.tuple("longsword", 1, true),
                org.assertj.core.groups.Tuple.tuple("healing-potion", 1, false),
                org.assertj.core.groups.Tuple.tuple("torch", 3, false));
        log.addAll(t4.changes());
        allRolls.addAll(t4.rolls());

        // Golden values of this seed (the dice are part of the replay contract).
        assertThat(allRolls).extracting(RollRecord::counter)
                .containsExactly(java.util.stream.LongStream.range(0, allRolls.size()).boxed().toArray(Long[]::new));
        assertThat(t4.after().rollCounter()).isEqualTo(allRolls.size());
        assertThat(List.of(goblinHit, hpAfterT2, finalHp, allRolls.size())).isEqualTo(GOLDEN);

        // The change log reproduces the final state from the start.
        assertThat(StateChanges.replay(initial, log)).isEqualTo(t4.after());
        // Every roll replays from its record.
        DiceRoller roller = new DiceRoller(SEED);
        assertThat(allRolls).allSatisfy(roll -> assertThat(roller.verify(roll)).isTrue());
    }

    private static final List<Object> GOLDEN = List.of(true, 12, 4, 7);

    private Resolution play(String storedState, String modelText, int turn) {
        Extraction x = ActionProtocol.extract(modelText);
        assertThat(x.narration()).doesNotContain("dm-actions").isNotBlank();
        java.util.UUID turnId = new java.util.UUID(0x0000000000007000L, turn);
        Resolution r = engine.resolve(GameState.fromJson(storedState), x, SEED, turnId);
        assertThat(r.rolls()).allSatisfy(roll -> assertThat(roll.turnId()).isEqualTo(turnId));
        assertThat(StateChanges.replay(GameState.fromJson(storedState), r.changes())).isEqualTo(r.after());
        return r;
    }

    @Test
    void temporary_hp_action_and_conditions_round_trip_through_the_engine() {
        Resolution r = resolve(Fixtures.state(), """
                [{"type":"heal","amount":6,"temporary":true},
                 {"type":"damage","amount":8},
                 {"type":"add_condition","condition":"Poisoned"},
                 {"type":"remove_condition","condition":"poisoned"},
                 {"type":"add_condition","condition":"prone"}]""");
        assertThat(r.rejected()).isEmpty();
        assertThat(r.after().sheet().hp()).isEqualTo(new HitPoints(12, 10, 0));
        assertThat(r.after().sheet().conditions()).containsExactly(Condition.PRONE);
        assertThat(r.outcomes().get(1).summary()).contains("6 absorbed by temp HP");
        assertThat(Set.copyOf(r.changes().stream().map(StateChange::path).toList()))
                .contains("sheet.hp.temp", "sheet.hp.current", "sheet.conditions");
    }

    @Test
    void results_for_the_model_list_outcomes_and_rejections_in_block_order() {
        Resolution r = resolve(Fixtures.state(), """
                [{"type":"roll","expression":"1d6","purpose":"first"},
                 {"type":"equip","itemId":"shield"},
                 {"type":"roll","expression":"1d6","purpose":"third"}]""");
        String text = r.resultsForModel();
        assertThat(text.indexOf("1. roll [first]")).isPositive()
                .isLessThan(text.indexOf("2. REJECTED equip"));
        assertThat(text.indexOf("2. REJECTED equip")).isLessThan(text.indexOf("3. roll [third]"));
        assertThat(r.changes()).extracting(StateChange::reason).containsExactly("roll: first", "roll: third");
    }

    private static GameState with(Condition... conditions) {
        GameState s = Fixtures.state();
        return s.withSheet(s.sheet().withConditions(Set.of(conditions)));
    }

    @Test
    void conditions_impose_disadvantage_on_checks_and_requested_advantage_cancels_it() {
        Resolution poisoned = resolve(with(Condition.POISONED), "[{\"type\":\"check\",\"skill\":\"stealth\",\"dc\":10}]");
        assertThat(poisoned.rolls().getFirst().expression()).isEqualTo("1d20dis+2");
        assertThat(poisoned.outcomes().getFirst().summary()).contains("disadvantage [disadvantage: poisoned]");
        Resolution cancelled = resolve(with(Condition.POISONED, Condition.FRIGHTENED),
                "[{\"type\":\"check\",\"ability\":\"str\",\"dc\":10,\"advantage\":true}]");
        assertThat(cancelled.rolls().getFirst().expression()).isEqualTo("1d20+3");
        Resolution healthy = resolve(Fixtures.state(), "[{\"type\":\"check\",\"skill\":\"stealth\",\"dc\":10}]");
        assertThat(healthy.rolls().getFirst().expression()).isEqualTo("1d20+2");
    }

    @Test
    void attacks_against_an_unconscious_character_have_advantage_and_its_own_attacks_suffer_from_prone() {
        Resolution down = resolve(unconscious(), "[{\"type\":\"attack\",\"attacker\":\"wolf\",\"bonus\":4,"
                + "\"damage\":\"2d4+2\"}]");
        assertThat(down.rolls().getFirst().expression()).isEqualTo("1d20adv+4");
        Resolution invisible = resolve(with(Condition.INVISIBLE), "[{\"type\":\"attack\",\"attacker\":\"wolf\","
                + "\"bonus\":4,\"damage\":\"2d4+2\"}]");
        assertThat(invisible.rolls().getFirst().expression()).isEqualTo("1d20dis+4");
        Resolution prone = resolve(with(Condition.PRONE), "[{\"type\":\"attack\",\"weapon\":\"longsword\","
                + "\"targetAc\":10}]");
        assertThat(prone.rolls().getFirst().expression()).isEqualTo("1d20dis+5");
    }

    @Test
    void paralyzed_character_fails_dex_saves_automatically_and_restrained_has_disadvantage() {
        long nat20 = Fixtures.counterForD20(SEED, 20, 0);
        Resolution r = resolve(with(Condition.PARALYZED).withRollCounter(nat20),
                "[{\"type\":\"save\",\"ability\":\"dex\",\"dc\":5}]");
        assertThat(r.rolls().getFirst().natural()).isEqualTo(20);
        assertThat(r.outcomes().getFirst().summary()).endsWith("FAILURE (automatic: paralyzed)");
        Resolution wis = resolve(with(Condition.PARALYZED).withRollCounter(nat20),
                "[{\"type\":\"save\",\"ability\":\"wis\",\"dc\":5}]");
        assertThat(wis.outcomes().getFirst().summary()).contains("SUCCESS");
        Resolution restrained = resolve(with(Condition.RESTRAINED), "[{\"type\":\"save\",\"ability\":\"dex\","
                + "\"dc\":10}]");
        assertThat(restrained.rolls().getFirst().expression()).isEqualTo("1d20dis+2");
    }
}
