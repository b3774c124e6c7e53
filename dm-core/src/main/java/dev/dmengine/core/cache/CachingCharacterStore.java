package dev.dmengine.core.cache;

import dev.dmengine.spi.game.CharacterStore;
import dev.dmengine.spi.game.GameCharacter;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/** {@link CharacterStore#get} from the cache; every write goes through {@link HotEntries}. */
final class CachingCharacterStore implements CharacterStore {

    static final HotEntries.Kind<GameCharacter> KIND =
            new HotEntries.Kind<>("c", "character", Codec::character, Codec::character);

    private final CharacterStore inner;
    private final HotEntries entries;

    CachingCharacterStore(CharacterStore inner, HotEntries entries) {
        this.inner = Objects.requireNonNull(inner, "inner");
        this.entries = entries;
    }

    @Override
    public GameCharacter create(GameCharacter character) {
        return write(character.id(), () -> inner.create(character));
    }

    @Override
    public Optional<GameCharacter> get(UUID id) {
        Objects.requireNonNull(id, "id");
        return entries.read(KIND, id, () -> inner.get(id), c -> true);
    }

    @Override
    public List<GameCharacter> listByOwner(UUID ownerId) {
        return inner.listByOwner(ownerId);
    }

    @Override
    public GameCharacter update(GameCharacter character) {
        return write(character.id(), () -> inner.update(character));
    }

    @Override
    public boolean delete(UUID id) {
        HotEntries.Write<GameCharacter> w = entries.begin(KIND, Objects.requireNonNull(id, "id"), false);
        try {
            return inner.delete(id);
        } finally {
            w.forget();
            w.end();
        }
    }

    private GameCharacter write(UUID id, java.util.function.Supplier<GameCharacter> storeWrite) {
        HotEntries.Write<GameCharacter> w = entries.begin(KIND, Objects.requireNonNull(id, "id"), false);
        try {
            GameCharacter stored = storeWrite.get();
            w.set(stored);
            return stored;
        } catch (RuntimeException | Error e) {
            w.forget();
            throw e;
        } finally {
            w.end();
        }
    }
}
