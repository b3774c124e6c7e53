package dev.dmengine.core.cache;

import dev.dmengine.spi.game.GameSession;
import dev.dmengine.spi.game.SessionStore;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;

/** {@link SessionStore#get} from the cache; every write goes through {@link HotEntries}. */
final class CachingSessionStore implements SessionStore {

    static final HotEntries.Kind<GameSession> KIND =
            new HotEntries.Kind<>("s", "session", Codec::session, Codec::session);

    private final SessionStore inner;
    private final HotEntries entries;

    CachingSessionStore(SessionStore inner, HotEntries entries) {
        this.inner = Objects.requireNonNull(inner, "inner");
        this.entries = entries;
    }

    @Override
    public GameSession create(GameSession session) {
        return write(session.id(), () -> inner.create(session));
    }

    @Override
    public Optional<GameSession> get(UUID id) {
        Objects.requireNonNull(id, "id");
        return entries.read(KIND, id, () -> inner.get(id), s -> true);
    }

    @Override
    public List<GameSession> listByOwner(UUID ownerId) {
        return inner.listByOwner(ownerId);
    }

    @Override
    public GameSession update(GameSession session) {
        return write(session.id(), () -> inner.update(session));
    }

    @Override
    public GameSession touch(UUID id, Instant updatedAt) {
        return write(id, () -> inner.touch(id, updatedAt));
    }

    @Override
    public boolean delete(UUID id) {
        return entries.remove(KIND, id, () -> inner.delete(id));
    }

    private GameSession write(UUID id, Supplier<GameSession> storeWrite) {
        return entries.replace(KIND, id, storeWrite);
    }
}
