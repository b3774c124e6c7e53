package dev.dmengine.spi.game;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Game sessions. */
public interface SessionStore {

    GameSession create(GameSession session);

    Optional<GameSession> get(UUID id);

    /** The owner's sessions, most recently updated first. */
    List<GameSession> listByOwner(UUID ownerId);

    /** Replaces the stored session with the same id; not found if there is none. */
    GameSession update(GameSession session);

    /** Deletes the session; {@code false} if there was none. */
    boolean delete(UUID id);
}
