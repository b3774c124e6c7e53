package dev.dmengine.core.inmemory;

import dev.dmengine.core.game.Validation;
import dev.dmengine.spi.ConflictException;
import dev.dmengine.spi.Ids;
import dev.dmengine.spi.InvalidInputException;
import dev.dmengine.spi.Page;
import dev.dmengine.spi.game.Message;
import dev.dmengine.spi.game.MessageStore;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Transcripts as one id-ordered map per session ({@link Ids#compare}). The cursor of a page is
 * the last id it holds, encoded so that clients treat it as opaque.
 */
public final class InMemoryMessageStore implements MessageStore {

    /** The largest page or window a caller may ask for. */
    public static final int MAX_LIMIT = 1_000;

    private static final String CURSOR_PREFIX = "after:";

    private final Map<UUID, Message> byId = new HashMap<>();
    private final Map<UUID, NavigableMap<UUID, Message>> bySession = new HashMap<>();
    private final ReadWriteLock lock = new ReentrantReadWriteLock();

    @Override
    public Message append(Message message) {
        return appendAll(List.of(Checks.notNull(message, "message"))).getFirst();
    }

    /** All or none: every message is checked, then all are stored under one lock. */
    @Override
    public List<Message> appendAll(List<Message> messages) {
        Checks.notNull(messages, "messages");
        MessageStore.requireBatchSize(messages);
        Set<UUID> ids = new HashSet<>();
        for (Message message : messages) {
            Checks.notNull(message, "message");
            Validation.storable("content", message.content());
            message.attributes().forEach((k, v) -> {
                Validation.storable("attributes", k);
                Validation.storable("attributes." + k, v);
            });
            if (!ids.add(message.id())) {
                throw new ConflictException("message " + message.id() + " is twice in one append");
            }
        }
        lock.writeLock().lock();
        try {
            for (Message message : messages) {
                if (byId.containsKey(message.id())) {
                    throw new ConflictException("message " + message.id() + " already exists");
                }
            }
            for (Message message : messages) {
                byId.put(message.id(), message);
                bySession.computeIfAbsent(message.sessionId(), s -> new TreeMap<>(Ids::compare))
                        .put(message.id(), message);
            }
            return List.copyOf(messages);
        } finally {
            lock.writeLock().unlock();
        }
    }

    @Override
    public Optional<Message> get(UUID id) {
        Checks.notNull(id, "id");
        lock.readLock().lock();
        try {
            return Optional.ofNullable(byId.get(id));
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public Page<Message> list(UUID sessionId, String cursor, int limit) {
        Checks.notNull(sessionId, "sessionId");
        Checks.limit(limit, MAX_LIMIT, "limit");
        UUID after = cursor == null ? null : decodeCursor(cursor);
        lock.readLock().lock();
        try {
            NavigableMap<UUID, Message> all = bySession.get(sessionId);
            if (all == null) {
                return new Page<>(List.of(), null);
            }
            Iterator<Message> it = (after == null ? all : all.tailMap(after, false)).values().iterator();
            List<Message> items = new ArrayList<>(Math.min(limit, all.size()));
            while (it.hasNext() && items.size() < limit) {
                items.add(it.next());
            }
            String next = it.hasNext() ? encodeCursor(items.getLast().id()) : null;
            return new Page<>(items, next);
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public List<Message> recent(UUID sessionId, int limit) {
        Checks.notNull(sessionId, "sessionId");
        Checks.limit(limit, MAX_LIMIT, "limit");
        lock.readLock().lock();
        try {
            NavigableMap<UUID, Message> all = bySession.get(sessionId);
            if (all == null) {
                return List.of();
            }
            List<Message> newestFirst = new ArrayList<>(Math.min(limit, all.size()));
            Iterator<Message> it = all.descendingMap().values().iterator();
            while (it.hasNext() && newestFirst.size() < limit) {
                newestFirst.add(it.next());
            }
            return List.copyOf(newestFirst.reversed());
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public long count(UUID sessionId) {
        Checks.notNull(sessionId, "sessionId");
        lock.readLock().lock();
        try {
            NavigableMap<UUID, Message> all = bySession.get(sessionId);
            return all == null ? 0 : all.size();
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public boolean delete(UUID id) {
        Checks.notNull(id, "id");
        lock.writeLock().lock();
        try {
            Message m = byId.remove(id);
            if (m == null) {
                return false;
            }
            NavigableMap<UUID, Message> all = bySession.get(m.sessionId());
            all.remove(id);
            if (all.isEmpty()) {
                bySession.remove(m.sessionId());
            }
            return true;
        } finally {
            lock.writeLock().unlock();
        }
    }

    @Override
    public long deleteSession(UUID sessionId) {
        Checks.notNull(sessionId, "sessionId");
        lock.writeLock().lock();
        try {
            NavigableMap<UUID, Message> all = bySession.remove(sessionId);
            if (all == null) {
                return 0;
            }
            all.keySet().forEach(byId::remove);
            return all.size();
        } finally {
            lock.writeLock().unlock();
        }
    }

    private static String encodeCursor(UUID lastId) {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((CURSOR_PREFIX + lastId).getBytes(StandardCharsets.US_ASCII));
    }

    private static UUID decodeCursor(String cursor) {
        try {
            String raw = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.US_ASCII);
            if (!raw.startsWith(CURSOR_PREFIX)) {
                throw new IllegalArgumentException("no prefix");
            }
            return Ids.parse("cursor", raw.substring(CURSOR_PREFIX.length()));
        } catch (IllegalArgumentException | InvalidInputException e) {
            throw new InvalidInputException("cursor", "is not a cursor of this listing");
        }
    }
}
