package dev.dmengine.auth;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * What a verified access token says.
 *
 * @param playerId  {@code sub}
 * @param sessionId {@code sid}: the refresh-token family the token was issued for, so that a
 *                  logout of that session ends its access tokens too
 * @param tokenId   {@code jti}
 * @param keyId     {@code kid} of the key that signed it
 */
public record AccessClaims(UUID playerId, UUID sessionId, String tokenId, String keyId, Instant issuedAt,
                           Instant expiresAt) {

    public AccessClaims {
        Objects.requireNonNull(playerId, "playerId");
        Objects.requireNonNull(sessionId, "sessionId");
        Objects.requireNonNull(tokenId, "tokenId");
        Objects.requireNonNull(keyId, "keyId");
        Objects.requireNonNull(issuedAt, "issuedAt");
        Objects.requireNonNull(expiresAt, "expiresAt");
    }
}
