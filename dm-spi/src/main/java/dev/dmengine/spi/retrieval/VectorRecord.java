package dev.dmengine.spi.retrieval;

import java.util.Objects;
import java.util.UUID;

/** The vector of one message, with the keys retrieval filters on. */
public record VectorRecord(UUID messageId, UUID sessionId, UUID playerId, float[] vector) {

    public VectorRecord {
        Objects.requireNonNull(messageId, "messageId");
        Objects.requireNonNull(sessionId, "sessionId");
        Objects.requireNonNull(playerId, "playerId");
        Objects.requireNonNull(vector, "vector");
    }
}
