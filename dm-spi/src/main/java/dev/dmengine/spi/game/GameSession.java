package dev.dmengine.spi.game;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * One game: a player, their character, and the transcript.
 *
 * @param seed the dice seed of this session; every roll derives from it and a counter
 */
public record GameSession(UUID id, UUID ownerId, UUID characterId, String title, long seed, Instant createdAt,
                          Instant updatedAt) {

    public GameSession {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(ownerId, "ownerId");
        Objects.requireNonNull(characterId, "characterId");
        Objects.requireNonNull(title, "title");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(updatedAt, "updatedAt");
    }
}
