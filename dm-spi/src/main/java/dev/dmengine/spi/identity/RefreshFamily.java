package dev.dmengine.spi.identity;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * A chain of refresh tokens, each issued in exchange for the one before. The family dies
 * at {@code expiresAt} whatever happens, and at once when revoked.
 */
public record RefreshFamily(UUID id, UUID playerId, Instant createdAt, Instant expiresAt, Instant revokedAt) {

    public RefreshFamily {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(playerId, "playerId");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(expiresAt, "expiresAt");
    }

    public boolean isActive(Instant now) {
        return revokedAt == null && now.isBefore(expiresAt);
    }
}
