package dev.dmengine.core.prompt;

import dev.dmengine.spi.game.Message;

import java.util.Objects;

/** A message found by similarity search, with its cosine score. */
public record RetrievedMessage(Message message, double score) {

    public RetrievedMessage {
        Objects.requireNonNull(message, "message");
    }
}
