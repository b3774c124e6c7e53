package dev.dmengine.core.cache;

import dev.dmengine.spi.Page;
import dev.dmengine.spi.game.CharacterStore;
import dev.dmengine.spi.game.GameCharacter;
import dev.dmengine.spi.game.GameSession;
import dev.dmengine.spi.game.Message;
import dev.dmengine.spi.game.MessageStore;
import dev.dmengine.spi.game.SessionStore;
import dev.dmengine.spi.infra.Cache;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Two server instances in one JVM: two {@link HotReads} (each with its own local copies) on one
 * cache and one store. The split stores write through instance A and read through instance B, so
 * a contract suite run on them proves that every write is seen at once by the other instance.
 */
final class TwoInstances {

    final HotReads a;
    final HotReads b;

    TwoInstances(Cache cache, int window) {
        a = HotReads.builder(cache).ttl(Duration.ofMinutes(5)).recentWindow(window).build();
        b = HotReads.builder(cache).ttl(Duration.ofMinutes(5)).recentWindow(window).build();
    }

    CharacterStore characters(CharacterStore store) {
        CharacterStore writer = a.characters(store);
        CharacterStore reader = b.characters(store);
        return new CharacterStore() {
            public GameCharacter create(GameCharacter c) {
                return writer.create(c);
            }

            public Optional<GameCharacter> get(UUID id) {
                return reader.get(id);
            }

            public List<GameCharacter> listByOwner(UUID ownerId) {
                return reader.listByOwner(ownerId);
            }

            public GameCharacter update(GameCharacter c) {
                return writer.update(c);
            }

            public boolean delete(UUID id) {
                return writer.delete(id);
            }
        };
    }

    SessionStore sessions(SessionStore store) {
        SessionStore writer = a.sessions(store);
        SessionStore reader = b.sessions(store);
        return new SessionStore() {
            public GameSession create(GameSession s) {
                return writer.create(s);
            }

            public Optional<GameSession> get(UUID id) {
                return reader.get(id);
            }

            public List<GameSession> listByOwner(UUID ownerId) {
                return reader.listByOwner(ownerId);
            }

            public GameSession update(GameSession s) {
                return writer.update(s);
            }

            public boolean delete(UUID id) {
                return writer.delete(id);
            }
        };
    }

    MessageStore messages(MessageStore store) {
        MessageStore writer = a.messages(store);
        MessageStore reader = b.messages(store);
        return new MessageStore() {
            public Message append(Message m) {
                return writer.append(m);
            }

            public List<Message> appendAll(List<Message> ms) {
                return writer.appendAll(ms);
            }

            public Optional<Message> get(UUID id) {
                return reader.get(id);
            }

            public Page<Message> list(UUID sessionId, String cursor, int limit) {
                return reader.list(sessionId, cursor, limit);
            }

            public List<Message> recent(UUID sessionId, int limit) {
                return reader.recent(sessionId, limit);
            }

            public long count(UUID sessionId) {
                return reader.count(sessionId);
            }

            public boolean delete(UUID id) {
                return writer.delete(id);
            }

            public long deleteSession(UUID sessionId) {
                return writer.deleteSession(sessionId);
            }
        };
    }
}
