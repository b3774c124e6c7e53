package dev.dmengine.spi.game;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * One message of a session's transcript. Ids are version 7 UUIDs, so ordering by id is
 * ordering by creation.
 *
 * @param turnId     the turn the message belongs to; {@code null} for messages outside turns
 * @param attributes small string facts about the message (model id, prediction id…)
 */
public record Message(UUID id, UUID sessionId, UUID turnId, MessageRole role, String content, Instant createdAt,
                      Map<String, String> attributes) {

    public Message {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(sessionId, "sessionId");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(content, "content");
        Objects.requireNonNull(createdAt, "createdAt");
        attributes = Map.copyOf(Objects.requireNonNull(attributes, "attributes"));
    }
}
