package dev.dmengine.spi.identity;

import java.util.Optional;
import java.util.UUID;

/** Player accounts. Emails are unique, compared as stored (callers normalise them). */
public interface PlayerStore {

    /** Stores a new player; a {@link dev.dmengine.spi.ConflictException} if the email is taken. */
    Player create(Player player);

    Optional<Player> get(UUID id);

    Optional<Player> findByEmail(String email);

    /** Replaces the stored player with the same id; not found if there is none. */
    Player update(Player player);
}
