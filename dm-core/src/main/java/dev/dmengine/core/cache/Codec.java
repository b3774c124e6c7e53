package dev.dmengine.core.cache;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.dmengine.core.internal.Json;
import dev.dmengine.spi.game.GameCharacter;
import dev.dmengine.spi.game.GameSession;
import dev.dmengine.spi.game.InventoryItem;
import dev.dmengine.spi.game.Message;
import dev.dmengine.spi.game.MessageRole;

import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The cached form of each value: JSON through the engine's one mapper, with instants as ISO-8601
 * strings (exact to the nanosecond, so a value read back equals the one written). The key
 * namespace carries a format number ({@link HotEntries#NAMESPACE}): a change here changes it.
 */
final class Codec {

    private Codec() {
    }

    record SessionForm(UUID id, UUID ownerId, UUID characterId, String title, long seed, String createdAt,
                       String updatedAt) {
    }

    record CharacterForm(UUID id, UUID ownerId, String name, String characterClass, int level, String sheet,
                         List<InventoryItem> inventory, long version, String createdAt, String updatedAt) {
    }

    record MessageForm(UUID id, UUID sessionId, UUID turnId, MessageRole role, String content, String createdAt,
                       Map<String, String> attributes) {
    }

    record WindowForm(boolean all, List<MessageForm> messages) {
    }

    static String session(GameSession s) {
        return write(new SessionForm(s.id(), s.ownerId(), s.characterId(), s.title(), s.seed(),
                s.createdAt().toString(), s.updatedAt().toString()));
    }

    static GameSession session(String json) {
        SessionForm f = read(json, SessionForm.class);
        return new GameSession(f.id(), f.ownerId(), f.characterId(), f.title(), f.seed(), Instant.parse(f.createdAt()),
                Instant.parse(f.updatedAt()));
    }

    static String character(GameCharacter c) {
        return write(new CharacterForm(c.id(), c.ownerId(), c.name(), c.characterClass(), c.level(), c.sheet(),
                c.inventory(), c.version(), c.createdAt().toString(), c.updatedAt().toString()));
    }

    static GameCharacter character(String json) {
        CharacterForm f = read(json, CharacterForm.class);
        return new GameCharacter(f.id(), f.ownerId(), f.name(), f.characterClass(), f.level(), f.sheet(),
                f.inventory(), f.version(), Instant.parse(f.createdAt()), Instant.parse(f.updatedAt()));
    }

    static String window(RecentWindow w) {
        return write(new WindowForm(w.all(), w.messages().stream().map(m -> new MessageForm(m.id(), m.sessionId(),
                m.turnId(), m.role(), m.content(), m.createdAt().toString(), m.attributes())).toList()));
    }

    static RecentWindow window(String json) {
        WindowForm f = read(json, WindowForm.class);
        return new RecentWindow(f.messages().stream().map(m -> new Message(m.id(), m.sessionId(), m.turnId(), m.role(),
                m.content(), Instant.parse(m.createdAt()), m.attributes())).toList(), f.all());
    }

    private static String write(Object form) {
        return Json.write(form);
    }

    private static <T> T read(String json, Class<T> type) {
        try {
            return Json.MAPPER.readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
