package dev.dmengine.core.inmemory;

import dev.dmengine.core.game.Validation;
import dev.dmengine.spi.ConflictException;
import dev.dmengine.spi.NotFoundException;
import dev.dmengine.spi.identity.Player;
import dev.dmengine.spi.identity.PlayerStore;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** Player accounts in two maps (by id and by email) guarded by one lock. */
public final class InMemoryPlayerStore implements PlayerStore {

    private final Map<UUID, Player> byId = new HashMap<>();
    private final Map<String, UUID> idByEmail = new HashMap<>();

    @Override
    public synchronized Player create(Player player) {
        storable(player);
        if (byId.containsKey(player.id())) {
            throw new ConflictException("player " + player.id() + " already exists");
        }
        if (idByEmail.containsKey(player.email())) {
            throw new ConflictException("email is already registered");
        }
        byId.put(player.id(), player);
        idByEmail.put(player.email(), player.id());
        return player;
    }

    @Override
    public synchronized Optional<Player> get(UUID id) {
        return Optional.ofNullable(byId.get(Checks.notNull(id, "id")));
    }

    @Override
    public synchronized Optional<Player> findByEmail(String email) {
        UUID id = idByEmail.get(Checks.notNull(email, "email"));
        return id == null ? Optional.empty() : Optional.of(byId.get(id));
    }

    @Override
    public synchronized Player update(Player player) {
        storable(player);
        Player old = byId.get(player.id());
        if (old == null) {
            throw new NotFoundException("player", player.id());
        }
        UUID holder = idByEmail.get(player.email());
        if (holder != null && !holder.equals(player.id())) {
            throw new ConflictException("email is already registered");
        }
        idByEmail.remove(old.email());
        idByEmail.put(player.email(), player.id());
        byId.put(player.id(), player);
        return player;
    }

    private static void storable(Player p) {
        Checks.notNull(p, "player");
        Validation.storable("email", p.email());
        Validation.storable("displayName", p.displayName());
        Validation.storable("passwordHash", p.passwordHash());
    }
}
