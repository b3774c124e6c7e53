package dev.dmengine.core.prompt;

import dev.dmengine.spi.Ids;
import dev.dmengine.spi.InvalidInputException;
import dev.dmengine.spi.game.Message;
import dev.dmengine.spi.game.MessageRole;
import dev.dmengine.spi.generation.ChatMessage;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PromptAssemblerTest {

    private static final UUID SESSION = Ids.newId();
    private final ConservativeTokenCounter counter = ConservativeTokenCounter.INSTANCE;

    private static Message msg(MessageRole role, String text) {
        return new Message(Ids.newId(), SESSION, null, role, text, Instant.EPOCH, Map.of());
    }

    private static int tokens(AssembledPrompt p, ConservativeTokenCounter c) {
        return p.messages().stream().mapToInt(m -> c.count(m.content()) + PromptAssembler.PER_MESSAGE_OVERHEAD).sum();
    }

    @Test
    void lays_out_system_memories_in_story_order_recent_window_and_player_message_last() {
        Message old1 = msg(MessageRole.PLAYER, "I bought a silver key.");
        Message old2 = msg(MessageRole.DM, "The smith winks.");
        Message recent1 = msg(MessageRole.PLAYER, "I leave the forge.");
        Message recent2 = msg(MessageRole.DM, "Snow falls.");
        var in = new PromptInput("You are the DM.", "Use dm-actions.", "Aria, level 1 wizard",
                List.of(new RetrievedMessage(old2, 0.9), new RetrievedMessage(old1, 0.5)),
                List.of(recent1, recent2), "I use the key.");

        AssembledPrompt p = new PromptAssembler(counter, PromptBudget.DEFAULT).assemble(in);

        assertThat(p.messages()).extracting(ChatMessage::role).containsExactly(ChatMessage.Role.SYSTEM,
                ChatMessage.Role.USER, ChatMessage.Role.ASSISTANT, ChatMessage.Role.USER);
        String system = p.messages().getFirst().content();
        assertThat(system).containsSubsequence("You are the DM.", "Use dm-actions.", "## The player's character",
                "Aria, level 1 wizard", "## Memories from earlier in this story",
                "- Player: I bought a silver key.", "- DM: The smith winks.");
        assertThat(p.messages().getLast().content()).isEqualTo("I use the key.");
        assertThat(p.memoriesUsed()).containsExactly(old1.id(), old2.id());
        assertThat(p.recentUsed()).isEqualTo(2);
        assertThat(p.tokens()).isEqualTo(tokens(p, counter));
    }

    @Test
    void the_same_input_gives_the_same_prompt() {
        var in = randomInput(new Random(7), 40, 20);
        var a = new PromptAssembler(counter, new PromptBudget(600, 100, 35)).assemble(in);
        var b = new PromptAssembler(counter, new PromptBudget(600, 100, 35)).assemble(in);
        assertThat(a).isEqualTo(b);
    }

    @Test
    void trims_memories_by_score_and_the_recent_window_from_the_oldest() {
        List<Message> recent = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            recent.add(msg(i % 2 == 0 ? MessageRole.PLAYER : MessageRole.DM, "recent message number " + i + " " + "z".repeat(60)));
        }
        Message best = msg(MessageRole.DM, "best memory " + "b".repeat(100));
        Message worst = msg(MessageRole.DM, "worst memory " + "w".repeat(100));
        var in = new PromptInput("DM.", "", "", List.of(new RetrievedMessage(worst, 0.1), new RetrievedMessage(best, 0.8)),
                recent, "go");
        PromptBudget budget = new PromptBudget(400, 64, 20); // room for one memory of the two

        AssembledPrompt p = new PromptAssembler(counter, budget).assemble(in);

        assertThat(p.memoriesUsed()).containsExactly(best.id());
        assertThat(p.memoriesDropped()).isEqualTo(1);
        assertThat(p.recentDropped()).isPositive();
        assertThat(p.recentUsed() + p.recentDropped()).isEqualTo(30);
        // the kept window is the newest, contiguous
        List<ChatMessage> window = p.messages().subList(1, p.messages().size() - 1);
        assertThat(window.getLast().content()).startsWith("recent message number 29 ");
        assertThat(window.getFirst().content()).startsWith("recent message number " + (30 - p.recentUsed()) + " ");
        assertThat(p.tokens()).isLessThanOrEqualTo(400);
    }

    @Test
    void a_long_state_is_cut_at_a_line_boundary_and_marked() {
        StringBuilder state = new StringBuilder();
        for (int i = 0; i < 200; i++) {
            state.append("line ").append(i).append(" of the character sheet\n");
        }
        var in = new PromptInput("DM.", "", state.toString(), List.of(), List.of(), "hi");

        AssembledPrompt p = new PromptAssembler(counter, new PromptBudget(1000, 100, 35)).assemble(in);

        assertThat(p.stateTruncated()).isTrue();
        String system = p.messages().getFirst().content();
        assertThat(system).contains("line 0 of the character sheet").endsWith("of the character sheet\n[…]");
        assertThat(system).doesNotContain("line 199");
    }

    @Test
    void refuses_a_player_message_that_cannot_fit_the_budget() {
        var in = new PromptInput("DM.", "", "", List.of(), List.of(), "word ".repeat(400));

        assertThatThrownBy(() -> new PromptAssembler(counter, new PromptBudget(256, 64, 35)).assemble(in))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("prompt budget of 256 tokens");
    }

    @Test
    void never_exceeds_the_budget_on_random_inputs() {
        Random random = new Random(42);
        for (int round = 0; round < 300; round++) {
            var in = randomInput(random, random.nextInt(30), random.nextInt(30));
            int max = 300 + random.nextInt(2_000);
            var budget = new PromptBudget(max, Math.max(32, Math.min(max / 2, 50 + random.nextInt(300))), random.nextInt(101));
            AssembledPrompt p;
            try {
                p = new PromptAssembler(counter, budget).assemble(in);
            } catch (InvalidInputException tooBig) {
                continue;
            }
            assertThat(p.tokens()).isLessThanOrEqualTo(max).isEqualTo(tokens(p, counter));
            assertThat(p.messages().getLast().content()).isEqualTo(in.playerText());
        }
    }

    private static PromptInput randomInput(Random random, int memories, int recent) {
        List<RetrievedMessage> mem = new ArrayList<>();
        for (int i = 0; i < memories; i++) {
            mem.add(new RetrievedMessage(msg(MessageRole.values()[random.nextInt(3)], words(random, 5 + random.nextInt(80))),
                    random.nextInt(5) / 5.0));
        }
        List<Message> rec = new ArrayList<>();
        for (int i = 0; i < recent; i++) {
            rec.add(msg(MessageRole.values()[random.nextInt(3)], words(random, 3 + random.nextInt(120))));
        }
        return new PromptInput("You are the DM. " + words(random, 20), random.nextBoolean() ? "" : words(random, 30),
                words(random, random.nextInt(200)), mem, rec, words(random, 1 + random.nextInt(60)));
    }

    private static String words(Random random, int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append(i == 0 ? "" : random.nextInt(12) == 0 ? "\n" : " ").append("wörd").append(random.nextInt(1000));
        }
        return sb.toString();
    }
}
