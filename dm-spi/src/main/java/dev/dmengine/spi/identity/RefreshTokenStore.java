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

    /**
     * Exchanges a token for its successor, atomically: marks {@code usedHash} used at the
     * successor's {@code issuedAt}, records the successor's hash and {@code sealedSuccessor}
     * on it (see {@link RefreshToken}) and adds the successor — all or nothing, whatever
     * transaction the caller is in.
     *
     * <p>{@code true} for the one caller that rotated the token; {@code false}, with nothing
     * changed, if it is unknown, already used, or not of the successor's family. A caller that
     * gets {@code false} for a token it found unused lost a race: {@link #findToken} then shows
     * the winner's successor.
     *
     * @param successor       an unused token of the same family and player
     * @param sealedSuccessor opaque to the store, at most 512 characters; may be {@code null}
     */
    boolean rotate(String usedHash, RefreshToken successor, String sealedSuccessor);

    /** Revokes one family; {@code false} if it was already revoked or is unknown. */
    boolean revokeFamily(UUID familyId, Instant at);

    /** Revokes every active family of the player; returns how many. */
    int revokeAll(UUID playerId, Instant at);

    /** The player's families, newest first. */
    List<RefreshFamily> families(UUID playerId);
}
