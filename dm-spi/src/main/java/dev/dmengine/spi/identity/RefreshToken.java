package dev.dmengine.spi.identity;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/** A refresh token as stored: only its hash, never the value handed to the client. */
public record RefreshToken(String tokenHash, UUID familyId, UUID playerId, Instant issuedAt, Instant usedAt) {

    public RefreshToken {
        Objects.requireNonNull(tokenHash, "tokenHash");
        Objects.requireNonNull(familyId, "familyId");
        Objects.requireNonNull(playerId, "playerId");
        Objects.requireNonNull(issuedAt, "issuedAt");
    }

    @Override
    public String toString() {
        return "RefreshToken[familyId=" + familyId + ", playerId=" + playerId + ", usedAt=" + usedAt + "]";
    }
}
