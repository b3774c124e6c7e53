package dev.dmengine.auth;

import java.time.Instant;
import java.util.Objects;

/**
 * What a client keeps after login or refresh. {@link #toString()} hides both tokens.
 *
 * @param accessToken           compact JWS for {@code Authorization: Bearer} or the access cookie
 * @param refreshToken          opaque; send it only to the refresh and logout endpoints
 * @param refreshTokenExpiresAt when the refresh token dies if unused (idle lifetime, capped by
 *                              the session's absolute lifetime): the refresh cookie's expiry
 */
public record AuthTokens(String accessToken, Instant accessTokenExpiresAt, String refreshToken,
                         Instant refreshTokenExpiresAt) {

    public AuthTokens {
        Objects.requireNonNull(accessToken, "accessToken");
        Objects.requireNonNull(accessTokenExpiresAt, "accessTokenExpiresAt");
        Objects.requireNonNull(refreshToken, "refreshToken");
        Objects.requireNonNull(refreshTokenExpiresAt, "refreshTokenExpiresAt");
    }

    @Override
    public String toString() {
        return "AuthTokens[accessTokenExpiresAt=" + accessTokenExpiresAt + ", refreshTokenExpiresAt="
                + refreshTokenExpiresAt + "]";
    }
}
