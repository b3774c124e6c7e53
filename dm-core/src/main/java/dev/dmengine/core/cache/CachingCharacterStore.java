package dev.dmengine.core.cache;

import dev.dmengine.spi.game.CharacterStore;
import dev.dmengine.spi.game.GameCharacter;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;

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
        return entries.remove(KIND, id, () -> inner.delete(id));
    }

    private GameCharacter write(UUID id, Supplier<GameCharacter> storeWrite) {
        return entries.replace(KIND, id, storeWrite);
    }
}
