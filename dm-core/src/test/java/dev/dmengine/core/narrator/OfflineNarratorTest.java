package dev.dmengine.core.narrator;

import dev.dmengine.spi.generation.ChatMessage;
import dev.dmengine.spi.generation.GenerationRequest;
import dev.dmengine.spi.generation.LanguageModel;
import dev.dmengine.testkit.LanguageModelContract;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class OfflineNarratorTest extends LanguageModelContract {

    @Override
    protected LanguageModel newModel() {
        return new OfflineNarrator();
    }

    private static final String SYSTEM = """
            You are the DM.

            ## The player's character
            Aria, level 3 wizard
            Sheet: {}

            ## Memories from earlier in this story
            - Player: I hid the silver key under the third stone of the well.
            - DM: The well is cold.""";

    @Test
    void says_it_is_offline_and_uses_the_player_message_the_character_and_a_memory() {
        String reply = new OfflineNarrator().compose(List.of(ChatMessage.system(SYSTEM),
                ChatMessage.user("I return to the well.")));

        assertThat(reply).startsWith("(The offline narrator speaks.) Aria, you return to the well.")
                .contains("You remember this from earlier: \"I hid the silver key under the third stone of the well.\"")
                .endsWith("What do you do next?");
    }

    @Test
    void is_deterministic_and_streams_chunks_that_rebuild_the_reply() {
        var prompt = List.of(ChatMessage.system(SYSTEM), ChatMessage.user("I whistle a tune"));
        String a = new OfflineNarrator().compose(prompt);
        String b = new OfflineNarrator().compose(prompt);

        assertThat(a).isEqualTo(b);
        List<String> chunks = OfflineNarrator.chunks(a);
        assertThat(chunks).hasSizeGreaterThan(10);
        assertThat(String.join("", chunks)).isEqualTo(a);
    }

    @Test
    void quotes_what_is_not_a_first_person_action() {
        assertThat(OfflineNarrator.echo("Who goes there? Show yourself!")).isEqualTo("you decide: \"Who goes there?\".");
    }

    @Test
    void asks_for_a_check_in_the_action_protocol_when_the_rules_are_on() {
        String reply = new OfflineNarrator().compose(List.of(ChatMessage.system(SYSTEM + "\nEnd with a ```dm-actions block."),
                ChatMessage.user("I sneak past the sleeping guard")));

        assertThat(reply).contains("```dm-actions\n[{\"type\":\"check\",\"skill\":\"stealth\",\"dc\":13");
    }

    @Test
    void drinks_a_carried_potion_and_attacks_with_the_equipped_weapon() {
        String kit = SYSTEM + "\nEnd with a ```dm-actions block.\nInventory (itemId: quantity name):\n"
                + "- longsword: 1 Longsword (equipped)\n- healing-potion: 2 Potion of Healing";
        assertThat(new OfflineNarrator().compose(List.of(ChatMessage.system(kit), ChatMessage.user("I drink a potion"))))
                .contains("{\"type\":\"use_item\",\"itemId\":\"healing-potion\"");
        assertThat(new OfflineNarrator().compose(List.of(ChatMessage.system(kit), ChatMessage.user("I attack the orc"))))
                .contains("{\"type\":\"attack\",\"weapon\":\"longsword\",\"targetAc\":13");
    }

    @Test
    void narrates_the_results_the_engine_sends_back() {
        String reply = new OfflineNarrator().compose(List.of(ChatMessage.system(SYSTEM),
                ChatMessage.user("I sneak"), ChatMessage.assistant("You try."),
                ChatMessage.user("[dm-results] The engine resolved your actions. Narrate these outcomes exactly.\n"
                        + "1. check stealth (DC 13): 1d20+2 = [15] +2 = 17 → SUCCESS\nState: Aria HP 8/8")));

        assertThat(reply).contains("The dice have spoken: check stealth (DC 13): 1d20+2 = [15] +2 = 17 → SUCCESS.");
    }

    @Test
    void stops_at_max_tokens_with_reason_length() {
        var collected = new StringBuilder();
        var result = new java.util.concurrent.atomic.AtomicReference<dev.dmengine.spi.generation.GenerationResult>();
        new OfflineNarrator().generate(GenerationRequest.builder().message(ChatMessage.user("I wait")).maxTokens(3).build(),
                new dev.dmengine.spi.generation.GenerationHandler() {
                    @Override
                    public void onToken(String token) {
                        collected.append(token);
                    }

                    @Override
                    public void onComplete(dev.dmengine.spi.generation.GenerationResult r) {
                        result.set(r);
                    }

                    @Override
                    public void onError(Throwable error) {
                        throw new AssertionError(error);
                    }
                });
        assertThat(result.get().finishReason()).isEqualTo("length");
        assertThat(result.get().text()).isEqualTo(collected.toString());
        assertThat(OfflineNarrator.chunks(collected.toString())).hasSize(3);
    }
}
