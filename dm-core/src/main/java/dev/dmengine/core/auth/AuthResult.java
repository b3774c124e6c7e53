package dev.dmengine.core.auth;

import dev.dmengine.spi.identity.Player;

import java.util.Objects;
import java.util.UUID;

/**
 * A successful login or refresh: the player and their new tokens.
 *
 * @param sessionId the login session (refresh-token family) the tokens belong to
 */
public record AuthResult(Player player, UUID sessionId, AuthTokens tokens) {

    public AuthResult {
        Objects.requireNonNull(player, "player");
        Objects.requireNonNull(sessionId, "sessionId");
        Objects.requireNonNull(tokens, "tokens");
    }
}
