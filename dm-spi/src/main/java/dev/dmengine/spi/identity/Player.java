package dev.dmengine.spi.identity;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * A player account.
 *
 * @param email         normalised (trimmed, lower case); unique
 * @param passwordHash  encoded hash (e.g. PHC string of Argon2id); never the password
 * @param tokensNotBefore access tokens issued before this instant are no longer accepted
 *                      (log out everywhere, disabled account); {@code null} when unset
 */
public record Player(UUID id, String email, String displayName, String passwordHash, boolean disabled,
                     Instant tokensNotBefore, Instant createdAt, Instant updatedAt) {

    public Player {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(email, "email");
        Objects.requireNonNull(displayName, "displayName");
        Objects.requireNonNull(passwordHash, "passwordHash");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(updatedAt, "updatedAt");
    }

    @Override
    public String toString() { // never print the hash
        return "Player[id=" + id + ", email=" + email + ", disabled=" + disabled + "]";
    }
}
