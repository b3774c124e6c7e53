package dev.dmengine.spi.identity;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * A refresh token as stored: only its hash, never the value handed to the client.
 *
 * @param usedAt          when it was exchanged for its successor; {@code null} while unused
 * @param successorHash   the hash of the token it was exchanged for ({@link RefreshTokenStore#rotate});
 *                        {@code null} while unused or when marked used without a successor
 * @param sealedSuccessor the successor's value sealed by the caller (opaque to the store, at
 *                        most 512 characters), kept so that a concurrent use of this token
 *                        shortly after the rotation can be given the same successor;
 *                        {@code null} when none was given
 */
public record RefreshToken(String tokenHash, UUID familyId, UUID playerId, Instant issuedAt, Instant usedAt,
                           String successorHash, String sealedSuccessor) {

    public RefreshToken {
        Objects.requireNonNull(tokenHash, "tokenHash");
        Objects.requireNonNull(familyId, "familyId");
        Objects.requireNonNull(playerId, "playerId");
        Objects.requireNonNull(issuedAt, "issuedAt");
    }

    /** A token without a successor. */
    public RefreshToken(String tokenHash, UUID familyId, UUID playerId, Instant issuedAt, Instant usedAt) {
        this(tokenHash, familyId, playerId, issuedAt, usedAt, null, null);
    }

    @Override
    public String toString() { // no hash, no sealed value
        return "RefreshToken[familyId=" + familyId + ", playerId=" + playerId + ", usedAt=" + usedAt
                + ", hasSuccessor=" + (successorHash != null) + "]";
    }
}
