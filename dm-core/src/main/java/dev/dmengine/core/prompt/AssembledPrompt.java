package dev.dmengine.core.prompt;

import dev.dmengine.spi.generation.ChatMessage;

import java.util.List;
import java.util.UUID;

/**
 * A prompt ready for the model and an account of what the budget kept and dropped.
 *
 * @param tokens           the estimated prompt size
 * @param memoriesUsed     ids of the retrieved messages that made it in, in story order
 * @param memoriesDropped  retrieved messages left out for lack of budget
 * @param recentUsed       recent-window messages kept (always the newest ones)
 * @param recentDropped    older recent-window messages left out
 * @param stateTruncated   whether the state description was cut to its budget
 */
public record AssembledPrompt(List<ChatMessage> messages, int tokens, List<UUID> memoriesUsed, int memoriesDropped,
                              int recentUsed, int recentDropped, boolean stateTruncated) {

    public AssembledPrompt {
        messages = List.copyOf(messages);
        memoriesUsed = List.copyOf(memoriesUsed);
    }
}
