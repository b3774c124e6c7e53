package dev.dmengine.auth;

import dev.dmengine.spi.identity.Player;

import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * A successful login or refresh: the player and their new tokens.
 *
 * @param sessionId the login session (refresh-token family) the tokens belong to
 * @param device    the fresh device token of a login ({@code null} for a refresh): the client
 *                  keeps it and presents it at its next login (see {@link AuthService})
 */
public record AuthResult(Player player, UUID sessionId, AuthTokens tokens, DeviceToken device) {

    public AuthResult {
        Objects.requireNonNull(player, "player");
        Objects.requireNonNull(sessionId, "sessionId");
        Objects.requireNonNull(tokens, "tokens");
    }

    /** A result without a device token (a refresh). */
    public AuthResult(Player player, UUID sessionId, AuthTokens tokens) {
        this(player, sessionId, tokens, null);
    }

    /** The device token of a login; empty for a refresh. */
    public Optional<DeviceToken> deviceToken() {
        return Optional.ofNullable(device);
    }
}
