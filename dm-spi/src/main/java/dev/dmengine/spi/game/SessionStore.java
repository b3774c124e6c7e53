package dev.dmengine.spi.game;

import dev.dmengine.spi.NotFoundException;

import java.time.Instant;
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

    /**
     * Marks the session active at {@code updatedAt}, leaving every other field as it is now in
     * the store: a turn's commit calls it, and a title renamed while the turn ran must stay. The
     * default reads the session and writes it back (a rename between the two is lost); a store
     * that can set the one field in place should.
     *
     * @return the session as stored
     * @throws NotFoundException there is no session with this id
     */
    default GameSession touch(UUID id, Instant updatedAt) {
        java.util.Objects.requireNonNull(updatedAt, "updatedAt must not be null");
        GameSession s = get(id).orElseThrow(() -> new NotFoundException("session", id));
        return update(new GameSession(s.id(), s.ownerId(), s.characterId(), s.title(), s.seed(), s.createdAt(),
                updatedAt));
    }

    /** Deletes the session; {@code false} if there was none. */
    boolean delete(UUID id);
}
