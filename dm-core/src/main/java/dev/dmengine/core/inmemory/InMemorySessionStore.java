package dev.dmengine.core.inmemory;

import dev.dmengine.core.game.Validation;
import dev.dmengine.spi.ConflictException;
import dev.dmengine.spi.Ids;
import dev.dmengine.spi.NotFoundException;
import dev.dmengine.spi.game.GameSession;
import dev.dmengine.spi.game.SessionStore;

import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** Game sessions in a map. */
public final class InMemorySessionStore implements SessionStore {

    private static final Comparator<GameSession> RECENTLY_UPDATED_FIRST = Comparator
            .comparing(GameSession::updatedAt).reversed()
            .thenComparing(GameSession::id, (a, b) -> Ids.compare(b, a));

    private final Map<UUID, GameSession> byId = new HashMap<>();

    @Override
    public synchronized GameSession create(GameSession session) {
        Checks.notNull(session, "session");
        Validation.storable("title", session.title());
        if (byId.putIfAbsent(session.id(), session) != null) {
            throw new ConflictException("session " + session.id() + " already exists");
        }
        return session;
    }

    @Override
    public synchronized Optional<GameSession> get(UUID id) {
        return Optional.ofNullable(byId.get(Checks.notNull(id, "id")));
    }

    @Override
    public synchronized List<GameSession> listByOwner(UUID ownerId) {
        Checks.notNull(ownerId, "ownerId");
        return byId.values().stream().filter(s -> s.ownerId().equals(ownerId)).sorted(RECENTLY_UPDATED_FIRST)
                .toList();
    }

    @Override
    public synchronized GameSession update(GameSession session) {
        Checks.notNull(session, "session");
        Validation.storable("title", session.title());
        if (!byId.containsKey(session.id())) {
            throw new NotFoundException("session", session.id());
        }
        byId.put(session.id(), session);
        return session;
    }

    @Override
    public synchronized GameSession touch(UUID id, Instant updatedAt) {
        Checks.notNull(id, "id");
        Checks.notNull(updatedAt, "updatedAt");
        GameSession s = byId.get(id);
        if (s == null) {
            throw new NotFoundException("session", id);
        }
        GameSession touched = new GameSession(s.id(), s.ownerId(), s.characterId(), s.title(), s.seed(),
                s.createdAt(), updatedAt);
        byId.put(id, touched);
        return touched;
    }

    @Override
    public synchronized boolean delete(UUID id) {
        return byId.remove(Checks.notNull(id, "id")) != null;
    }
}
