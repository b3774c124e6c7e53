package dev.dmengine.core.prompt;

import dev.dmengine.spi.game.Message;

import java.util.List;
import java.util.Objects;

/**
 * What a DM prompt is made of.
 *
 * @param persona     who the DM is and how it speaks
 * @param rulesGuide  how to ask the rules engine for rolls and changes (may be empty)
 * @param state       the character sheet and inventory, as text
 * @param memories    messages retrieved by similarity, any order
 * @param recent      the recent window, oldest first, without the player's new message
 * @param playerText  the player's new message
 */
public record PromptInput(String persona, String rulesGuide, String state, List<RetrievedMessage> memories,
                          List<Message> recent, String playerText) {

    public PromptInput {
        Objects.requireNonNull(persona, "persona");
        Objects.requireNonNull(rulesGuide, "rulesGuide");
        Objects.requireNonNull(state, "state");
        memories = List.copyOf(memories);
        recent = List.copyOf(recent);
        Objects.requireNonNull(playerText, "playerText");
    }
}
