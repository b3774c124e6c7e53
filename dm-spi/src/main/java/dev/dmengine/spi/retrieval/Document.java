package dev.dmengine.spi.retrieval;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * A text another service indexed for retrieval, not a game message: the player it belongs to,
 * the player's session it is filed under ({@code null}: the player as a whole), the text its
 * vectors are made from (kept so that a new embedding space can be built from it) and when it
 * was last written.
 */
public record Document(UUID id, UUID playerId, UUID sessionId, String text, Instant updatedAt) {

    public Document {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(playerId, "playerId");
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(updatedAt, "updatedAt");
    }
}
