package dev.dmengine.core.cache;

import dev.dmengine.spi.Page;
import dev.dmengine.spi.game.Message;
import dev.dmengine.spi.game.MessageStore;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * {@link MessageStore#recent} from the cache: each session's last {@code capacity} messages as
 * one entry, updated by the appends and deletes that change it (a window is written through from
 * this instance's current copy, otherwise invalidated). A request for more than {@code capacity}
 * goes to the store. Everything else is the store's.
 */
final class CachingMessageStore implements MessageStore {

    static final HotEntries.Kind<RecentWindow> KIND =
            new HotEntries.Kind<>("w", "recent messages", Codec::window, Codec::window);

    private final MessageStore inner;
    private final HotEntries entries;
    private final int capacity;

    CachingMessageStore(MessageStore inner, HotEntries entries, int capacity) {
        this.inner = Objects.requireNonNull(inner, "inner");
        this.entries = entries;
        this.capacity = capacity;
    }

    @Override
    public Message append(Message message) {
        return appendAll(List.of(Objects.requireNonNull(message, "message"))).getFirst();
    }

    /** One store call; the window updated as by each append (messages of several sessions: one by one). */
    @Override
    public List<Message> appendAll(List<Message> messages) {
        MessageStore.requireBatchSize(messages); // before the window is marked
        if (messages.isEmpty()) {
            return inner.appendAll(messages);
        }
        UUID session = messages.getFirst().sessionId();
        if (!messages.stream().allMatch(m -> session.equals(m.sessionId()))) {
            return MessageStore.super.appendAll(messages);
        }
        return entries.update(KIND, session, () -> inner.appendAll(messages), (window, stored) -> {
            RecentWindow next = window;
            for (Message m : stored) {
                next = next.plus(m, capacity);
            }
            return next;
        });
    }

    @Override
    public Optional<Message> get(UUID id) {
        return inner.get(id);
    }

    @Override
    public List<Message> getAll(List<UUID> ids) {
        return inner.getAll(ids);
    }

    @Override
    public Page<Message> list(UUID sessionId, String cursor, int limit) {
        return inner.list(sessionId, cursor, limit);
    }

    @Override
    public List<Message> recent(UUID sessionId, int limit) {
        if (sessionId == null || limit < 1 || limit > capacity) {
            return inner.recent(sessionId, limit);
        }
        RecentWindow window = entries.read(KIND, sessionId,
                () -> Optional.of(RecentWindow.of(inner.recent(sessionId, capacity), capacity)),
                cached -> cached.serves(limit)).orElseThrow();
        return window.last(limit);
    }

    @Override
    public long count(UUID sessionId) {
        return inner.count(sessionId);
    }

    /** Reads the message first, for its session: deletes are rare (a regenerated reply, an undo). */
    @Override
    public boolean delete(UUID id) {
        Optional<Message> existing = inner.get(Objects.requireNonNull(id, "id"));
        if (existing.isEmpty()) {
            return inner.delete(id);
        }
        return entries.update(KIND, existing.get().sessionId(), () -> inner.delete(id),
                (window, deleted) -> window.minus(id));
    }

    @Override
    public long deleteSession(UUID sessionId) {
        return entries.write(KIND, Objects.requireNonNull(sessionId, "sessionId"), false,
                () -> inner.deleteSession(sessionId), (w, deleted) -> w.set(RecentWindow.empty()));
    }
}
