package dev.dmengine.spi.identity;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Refresh-token families and the hashes of their tokens. */
public interface RefreshTokenStore {

    RefreshFamily createFamily(RefreshFamily family);

    Optional<RefreshFamily> getFamily(UUID familyId);

    /** Adds a token to an existing family; not found if the family is unknown. */
    RefreshToken addToken(RefreshToken token);

    Optional<RefreshToken> findToken(String tokenHash);

    /**
     * Marks a token used, atomically: {@code true} for the one caller that marked it,
     * {@code false} if it was already used (a reuse, which should revoke the family).
     */
    boolean markUsed(String tokenHash, Instant at);

    /** Revokes one family; {@code false} if it was already revoked or is unknown. */
    boolean revokeFamily(UUID familyId, Instant at);

    /** Revokes every active family of the player; returns how many. */
    int revokeAll(UUID playerId, Instant at);

    /** The player's families, newest first. */
    List<RefreshFamily> families(UUID playerId);
}
