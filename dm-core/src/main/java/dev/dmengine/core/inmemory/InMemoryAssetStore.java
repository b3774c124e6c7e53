package dev.dmengine.core.inmemory;

import dev.dmengine.core.game.Validation;
import dev.dmengine.spi.ConflictException;
import dev.dmengine.spi.Ids;
import dev.dmengine.spi.NotFoundException;
import dev.dmengine.spi.game.Asset;
import dev.dmengine.spi.game.AssetStatus;
import dev.dmengine.spi.game.AssetStore;

import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** Asset metadata in a map; {@link #delete} forgets the asset entirely. */
public final class InMemoryAssetStore implements AssetStore {

    private static final Comparator<Asset> OLDEST_FIRST = Comparator.comparing(Asset::createdAt)
            .thenComparing(Asset::id, Ids::compare);

    private final Map<UUID, Asset> byId = new HashMap<>();

    @Override
    public synchronized Asset create(Asset asset) {
        storable(asset);
        if (byId.putIfAbsent(asset.id(), asset) != null) {
            throw new ConflictException("asset " + asset.id() + " already exists");
        }
        return asset;
    }

    @Override
    public synchronized Optional<Asset> get(UUID id) {
        return Optional.ofNullable(byId.get(Checks.notNull(id, "id")));
    }

    @Override
    public synchronized List<Asset> listByOwner(UUID ownerId) {
        Checks.notNull(ownerId, "ownerId");
        return byId.values().stream()
                .filter(a -> a.ownerId().equals(ownerId) && a.status() != AssetStatus.DELETED)
                .sorted(OLDEST_FIRST).toList();
    }

    @Override
    public synchronized Asset update(Asset asset) {
        storable(asset);
        if (!byId.containsKey(asset.id())) {
            throw new NotFoundException("asset", asset.id());
        }
        byId.put(asset.id(), asset);
        return asset;
    }

    private static void storable(Asset a) {
        Checks.notNull(a, "asset");
        Validation.storable("kind", a.kind());
        Validation.storable("bucket", a.bucket());
        Validation.storable("key", a.key());
        Validation.storable("contentType", a.contentType());
        Validation.storable("sha256", a.sha256());
    }

    @Override
    public synchronized boolean delete(UUID id) {
        return byId.remove(Checks.notNull(id, "id")) != null;
    }
}
