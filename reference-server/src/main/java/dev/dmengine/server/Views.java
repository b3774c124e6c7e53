package dev.dmengine.server;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonRawValue;
import dev.dmengine.auth.AuthResult;
import dev.dmengine.spi.game.GameCharacter;
import dev.dmengine.spi.game.GameSession;
import dev.dmengine.spi.game.InventoryItem;
import dev.dmengine.spi.game.Message;
import dev.dmengine.spi.identity.Player;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** What the API shows. {@link Player} itself is never serialised: it carries the password hash. */
final class Views {

    private Views() {
    }

    record PlayerView(String id, String email, String displayName, String createdAt) {
        static PlayerView of(Player p) {
            return new PlayerView(p.id().toString(), p.email(), p.displayName(), p.createdAt().toString());
        }
    }

    /** {@code deviceToken} and {@code deviceExpiresAt} only after a login (absent after a refresh). */
    record TokensView(String access, String refresh, String tokenType, String accessExpiresAt, String refreshExpiresAt,
                      PlayerView player,
                      @JsonInclude(JsonInclude.Include.NON_NULL) String deviceToken,
                      @JsonInclude(JsonInclude.Include.NON_NULL) String deviceExpiresAt) {
        static TokensView of(AuthResult r) {
            return new TokensView(r.tokens().accessToken(), r.tokens().refreshToken(), "Bearer",
                    r.tokens().accessTokenExpiresAt().toString(), r.tokens().refreshTokenExpiresAt().toString(),
                    PlayerView.of(r.player()), r.deviceToken().map(d -> d.value()).orElse(null),
                    r.deviceToken().map(d -> d.expiresAt().toString()).orElse(null));
        }
    }

    record ItemView(String itemId, String name, int quantity, double weight, boolean equipped, Set<String> tags) {
        static ItemView of(InventoryItem i) {
            return new ItemView(i.itemId(), i.name(), i.quantity(), i.weight(), i.equipped(), i.tags());
        }
    }

    record CharacterView(String id, String name, String characterClass, int level, @JsonRawValue String sheet,
                         List<ItemView> inventory, long version, String createdAt, String updatedAt) {
        static CharacterView of(GameCharacter c) {
            return new CharacterView(c.id().toString(), c.name(), c.characterClass(), c.level(), c.sheet(),
                    c.inventory().stream().map(ItemView::of).toList(), c.version(), c.createdAt().toString(),
                    c.updatedAt().toString());
        }
    }

    record SessionView(String id, String characterId, String title, String createdAt, String updatedAt) {
        static SessionView of(GameSession s) {
            return new SessionView(s.id().toString(), s.characterId().toString(), s.title(), s.createdAt().toString(),
                    s.updatedAt().toString());
        }
    }

    record MessageView(String id, String turnId, String role, String content, String createdAt,
                       Map<String, String> attributes) {
        static MessageView of(Message m) {
            return new MessageView(m.id().toString(), m.turnId() == null ? null : m.turnId().toString(),
                    m.role().name().toLowerCase(Locale.ROOT), m.content(), m.createdAt().toString(), m.attributes());
        }
    }

    record PageView<T>(List<T> items, String nextCursor) {
    }

    record ListView<T>(List<T> items) {
    }
}
