package dev.dmengine.examples.jersey;

import com.fasterxml.jackson.annotation.JsonRawValue;
import dev.dmengine.spi.InvalidInputException;
import dev.dmengine.spi.Page;
import dev.dmengine.spi.game.GameCharacter;
import dev.dmengine.spi.game.GameSession;
import dev.dmengine.spi.game.InventoryItem;
import dev.dmengine.spi.game.Message;
import dev.dmengine.spi.identity.Player;

import java.util.List;
import java.util.UUID;

/**
 * The JSON bodies of this app's API: what a client sends and what it gets back. The engine's
 * records are not sent as they are: a player's password hash or a session's dice seed is not
 * the client's business.
 */
final class Api {

    private Api() {
    }

    /** Refuses a request that came without a JSON body. */
    static <T> T required(T body) {
        if (body == null) {
            throw new InvalidInputException("body", "must be a JSON object");
        }
        return body;
    }

    // what clients send

    record NewPlayer(String email, String displayName) {
    }

    record NewCharacter(String name, String characterClass, Integer level) {
        dev.dmengine.core.game.NewCharacter toEngine() {
            return new dev.dmengine.core.game.NewCharacter(name, characterClass, level == null ? 1 : level, null,
                    List.of());
        }
    }

    record NewSession(UUID characterId, String title) {
    }

    record Turn(String text) {
    }

    // what clients get

    record PlayerView(UUID id, String email, String displayName) {
        static PlayerView of(Player p) {
            return new PlayerView(p.id(), p.email(), p.displayName());
        }
    }

    record CharacterView(UUID id, String name, String characterClass, int level, @JsonRawValue String sheet,
                         List<InventoryItem> inventory, long version) {
        static CharacterView of(GameCharacter c) {
            return new CharacterView(c.id(), c.name(), c.characterClass(), c.level(), c.sheet(), c.inventory(),
                    c.version());
        }
    }

    record SessionView(UUID id, UUID characterId, String title, String createdAt) {
        static SessionView of(GameSession s) {
            return new SessionView(s.id(), s.characterId(), s.title(), s.createdAt().toString());
        }
    }

    record MessageView(UUID id, String role, String content, String createdAt) {
        static MessageView of(Message m) {
            return new MessageView(m.id(), m.role().name().toLowerCase(java.util.Locale.ROOT), m.content(), m.createdAt().toString());
        }
    }

    record MessagePage(List<MessageView> items, String nextCursor) {
        static MessagePage of(Page<Message> page) {
            return new MessagePage(page.items().stream().map(MessageView::of).toList(), page.nextCursor());
        }
    }
}
