package dev.dmengine.core.game;

import dev.dmengine.spi.Ids;
import dev.dmengine.spi.InvalidInputException;
import dev.dmengine.spi.NotFoundException;
import dev.dmengine.spi.identity.Player;
import dev.dmengine.spi.identity.PlayerStore;

import java.time.Clock;
import java.util.Locale;
import java.util.Objects;
import java.util.UUID;

/** Player accounts as an embedding application sees them (password login is the auth service's). */
public final class PlayerService {

    /** The hash of an account that has no password and cannot log in with one. */
    public static final String NO_PASSWORD = "!";
    public static final int MAX_EMAIL = 254;
    public static final int MAX_DISPLAY_NAME = 60;

    private final PlayerStore players;
    private final Clock clock;

    public PlayerService(PlayerStore players, Clock clock) {
        this.players = Objects.requireNonNull(players, "players");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Creates a player without a password, for apps that authenticate players themselves. */
    public Player create(String email, String displayName) {
        var now = clock.instant();
        return players.create(new Player(Ids.newId(), normaliseEmail(email),
                Validation.text("displayName", displayName, MAX_DISPLAY_NAME), NO_PASSWORD, false, null, now, now));
    }

    public Player get(UUID id) {
        return players.get(id).orElseThrow(() -> new NotFoundException("player", id));
    }

    /** Trimmed and lower-cased; refused unless it looks like {@code local@domain}. */
    public static String normaliseEmail(String email) {
        String e = Validation.text("email", email, MAX_EMAIL).toLowerCase(Locale.ROOT);
        int at = e.indexOf('@');
        if (at < 1 || at != e.lastIndexOf('@') || at == e.length() - 1 || e.chars().anyMatch(Character::isWhitespace)) {
            throw new InvalidInputException("email", "must be an address like name@example.org");
        }
        return e;
    }
}
