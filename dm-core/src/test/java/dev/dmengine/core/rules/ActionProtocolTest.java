package dev.dmengine.core.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ActionProtocolTest {

    private static final String REPLY = """
            The guard yawns and turns toward the brazier. You see your chance.

            ```dm-actions
            [{"type":"check","skill":"stealth","dc":13,"purpose":"sneak past the guard"},
             {"type":"add_item","itemId":"torch","name":"Torch","quantity":2,"weight":1,"tags":["light"]}]
            ```
            """;

    @Test
    void extract_strips_the_block_and_parses_the_actions() {
        Extraction x = ActionProtocol.extract(REPLY);
        assertThat(x.narration()).isEqualTo("The guard yawns and turns toward the brazier. You see your chance.");
        assertThat(x.hadBlock()).isTrue();
        assertThat(x.rejected()).isEmpty();
        assertThat(x.actions()).containsExactly(
                new ProposedAction.Check(null, "stealth", 13, null, null, "sneak past the guard"),
                new ProposedAction.AddItem("torch", "Torch", 2, 1.0, List.of("light"), null));
        assertThat(x.positions()).containsExactly(0, 1);
        assertThat(ProposedAction.typeName(x.actions().get(1))).isEqualTo("add_item");
    }

    @Test
    void text_without_a_block_is_all_narration() {
        Extraction x = ActionProtocol.extract("  Just talk.\n```python\nprint(1)\n```\n");
        assertThat(x.hadBlock()).isFalse();
        assertThat(x.actions()).isEmpty();
        assertThat(x.narration()).isEqualTo("Just talk.\n```python\nprint(1)\n```");
    }

    @Test
    void malformed_json_is_a_rejection_and_the_narration_survives() {
        Extraction x = ActionProtocol.extract("You swing.\n```dm-actions\n[{\"type\":\"roll\",\"expression\":]\n```");
        assertThat(x.narration()).isEqualTo("You swing.");
        assertThat(x.actions()).isEmpty();
        assertThat(x.rejected()).singleElement().satisfies(r -> {
            assertThat(r.index()).isEqualTo(-1);
            assertThat(r.reason()).startsWith("malformed JSON").contains("line");
        });
    }

    @Test
    void unknown_types_fields_and_bad_values_reject_only_that_action() {
        Extraction x = ActionProtocol.extract("""
                ```dm-actions
                [{"type":"fly","height":3},
                 {"type":"check","skill":"stealth","dc":13,"advantge":true},
                 {"skill":"stealth"},
                 {"type":"check","skill":"stealth","dc":"thirteen"},
                 {"type":"check","skill":"stealth","dc":12.5},
                 42,
                 {"type":"roll","expression":"1d6"}]
                ```""");
        assertThat(x.actions()).containsExactly(new ProposedAction.Roll("1d6", null));
        assertThat(x.positions()).containsExactly(6);
        assertThat(x.rejected()).extracting(Rejection::index).containsExactly(0, 1, 2, 3, 4, 5);
        assertThat(x.rejected().get(0).reason()).contains("unknown type 'fly'", "known types: roll, check");
        assertThat(x.rejected().get(1).reason()).contains("unknown field 'advantge'");
        assertThat(x.rejected().get(2).reason()).contains("missing \"type\"");
        assertThat(x.rejected().get(3).reason()).contains("dc");
        assertThat(x.rejected().get(4).reason()).contains("dc");
        assertThat(x.rejected().get(5).reason()).contains("must be a JSON object");
    }

    @Test
    void at_most_20_actions_are_accepted() {
        StringBuilder b = new StringBuilder("```dm-actions\n[");
        for (int i = 0; i < 23; i++) {
            b.append(i > 0 ? "," : "").append("{\"type\":\"roll\",\"expression\":\"1d4\"}");
        }
        b.append("]\n```");
        Extraction x = ActionProtocol.extract(b.toString());
        assertThat(x.actions()).hasSize(20);
        assertThat(x.rejected()).extracting(Rejection::index).containsExactly(20, 21, 22);
        assertThat(x.rejected()).allSatisfy(r -> assertThat(r.reason()).contains("at most 20"));
    }

    @Test
    void a_single_object_an_unclosed_block_and_several_blocks_are_handled() {
        Extraction single = ActionProtocol.extract("Hi\n```dm-actions\n{\"type\":\"death_save\"}");
        assertThat(single.narration()).isEqualTo("Hi");
        assertThat(single.actions()).containsExactly(new ProposedAction.DeathSave(null));

        Extraction two = ActionProtocol.extract("A\n```dm-actions\n[{\"type\":\"award_xp\",\"amount\":50}]\n```\nB\n"
                + "```dm-actions\n[{\"type\":\"equip\",\"itemId\":\"shield\"}]\n```");
        assertThat(two.narration()).isEqualTo("A\n\nB");
        assertThat(two.actions()).hasSize(2);
        assertThat(two.positions()).containsExactly(0, 1);
    }

    @Test
    void prompt_guide_fits_the_budget_and_names_every_action() {
        assertThat(ActionProtocol.PROMPT_GUIDE.length()).isLessThanOrEqualTo(1_200);
        for (String type : List.of("roll", "check", "save", "attack", "damage", "heal", "add_item", "remove_item",
                "use_item", "equip", "unequip", "add_condition", "remove_condition", "award_xp", "death_save")) {
            assertThat(ActionProtocol.PROMPT_GUIDE).contains(type + "{");
        }
        assertThat(ActionProtocol.PROMPT_GUIDE).contains("```dm-actions");
    }

    @Test
    void streaming_filter_withholds_the_block_even_when_the_fence_is_split() {
        StreamingActionFilter f = new StreamingActionFilter();
        StringBuilder shown = new StringBuilder();
        for (String chunk : List.of("You sneak ", "forward.\n`", "``dm-", "act", "ions\n[{\"type\":", "\"roll\"}]\n```",
                "\nmore")) {
            shown.append(f.accept(chunk));
        }
        shown.append(f.finish());
        assertThat(shown.toString()).isEqualTo("You sneak forward.\n");
        assertThat(f.blockStarted()).isTrue();
        assertThat(f.fullText()).contains("```dm-actions");
    }

    @Test
    void streaming_filter_releases_held_back_text_that_was_not_a_fence() {
        StreamingActionFilter f = new StreamingActionFilter();
        StringBuilder shown = new StringBuilder();
        shown.append(f.accept("Code: ``"));
        assertThat(shown.toString()).isEqualTo("Code: ");
        shown.append(f.accept("`java\nx\n```"));
        shown.append(f.accept(" end `"));
        shown.append(f.finish());
        assertThat(shown.toString()).isEqualTo("Code: ```java\nx\n``` end `");
        assertThat(f.blockStarted()).isFalse();
    }

    @Test
    void streaming_filter_shows_exactly_the_narration_for_any_chunking() {
        Random random = new Random(11);
        for (int trial = 0; trial < 500; trial++) {
            String text = REPLY;
            List<String> chunks = new ArrayList<>();
            int at = 0;
            while (at < text.length()) {
                int len = 1 + random.nextInt(8);
                chunks.add(text.substring(at, Math.min(text.length(), at + len)));
                at += len;
            }
            StreamingActionFilter f = new StreamingActionFilter();
            StringBuilder shown = new StringBuilder();
            for (String c : chunks) {
                String out = f.accept(c);
                assertThat(out).doesNotContain("dm-actions").doesNotContain("\"type\"");
                shown.append(out);
            }
            shown.append(f.finish());
            assertThat(shown.toString()).isEqualTo(text.substring(0, text.indexOf("```dm-actions")));
            assertThat(f.fullText()).isEqualTo(text);
            assertThat(ActionProtocol.extract(f.fullText()).actions()).hasSize(2);
        }
    }

    @Test
    void every_action_type_renders_to_a_block_and_reads_back_equal() {
        List<ProposedAction> all = List.of(
                new ProposedAction.Roll("2d6+1", "encounter"),
                new ProposedAction.Check("str", null, 12, true, null, "shove"),
                new ProposedAction.Save("dex", 14, null, true, "fireball"),
                new ProposedAction.Attack("goblin", "Brienne", 4, "1d6+2", "slashing", null, null, null, null, null),
                new ProposedAction.Attack(null, "goblin", null, null, null, "longsword", 13, true, null, null),
                new ProposedAction.Damage(null, "2d6", "fire", true, "trap"),
                new ProposedAction.Heal(5, null, true, "inspiration"),
                new ProposedAction.AddItem("gold-coin", "Gold coin", 25, 0.02, List.of("currency"), null),
                new ProposedAction.RemoveItem("gold-coin", 5, "bribe"),
                new ProposedAction.UseItem("healing-potion", null),
                new ProposedAction.Equip("shield", null),
                new ProposedAction.Unequip("shield", null),
                new ProposedAction.AddCondition("prone", null),
                new ProposedAction.RemoveCondition("prone", null),
                new ProposedAction.AwardXp(100, "quest"),
                new ProposedAction.DeathSave(null));
        String block = ActionProtocol.block(all);
        assertThat(block).startsWith("```dm-actions\n[{\"type\":\"roll\"").endsWith("]\n```")
                .doesNotContain("null");
        Extraction x = ActionProtocol.extract("Story.\n" + block);
        assertThat(x.rejected()).isEmpty();
        assertThat(x.actions()).isEqualTo(all);
        assertThat(x.actions()).extracting(ProposedAction::typeName).containsExactly("roll", "check", "save",
                "attack", "attack", "damage", "heal", "add_item", "remove_item", "use_item", "equip", "unequip",
                "add_condition", "remove_condition", "award_xp", "death_save");
    }
}
