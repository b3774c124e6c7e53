package dev.dmengine.core.inmemory;

import dev.dmengine.core.game.Validation;
import dev.dmengine.spi.ConflictException;
import dev.dmengine.spi.Ids;
import dev.dmengine.spi.NotFoundException;
import dev.dmengine.spi.game.Asset;
import dev.dmengine.spi.game.AssetStatus;
import dev.dmengine.spi.game.AssetStore;

import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** Asset metadata in a map; {@link #delete} forgets the asset entirely. */
public final class InMemoryAssetStore implements AssetStore {

    private static final Comparator<Asset> OLDEST_FIRST = Comparator.comparing(Asset::createdAt)
            .thenComparing(Asset::id, Ids::compare);
    private static final Comparator<Asset> LEAST_RECENTLY_UPDATED = Comparator.comparing(Asset::updatedAt)
            .thenComparing(Asset::id, Ids::compare);

    private record Portrait(UUID ownerId, UUID assetId) {
    }

    private final Map<UUID, Asset> byId = new HashMap<>();
    private final Map<UUID, Portrait> portraits = new LinkedHashMap<>();

    @Override
    public synchronized Asset create(Asset asset) {
        storable(asset);
        if (byId.containsKey(asset.id())) {
            throw new ConflictException("asset " + asset.id() + " already exists");
        }
        requireObjectFree(asset);
        byId.put(asset.id(), asset);
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
        requireObjectFree(asset);
        byId.put(asset.id(), asset);
        return asset;
    }

    @Override
    public synchronized Asset update(Asset asset, AssetStatus expected) {
        Checks.notNull(expected, "expected");
        storable(asset);
        Asset current = byId.get(asset.id());
        if (current == null) {
            throw new NotFoundException("asset", asset.id());
        }
        if (current.status() != expected) {
            throw new ConflictException("asset " + asset.id() + " is " + current.status() + ", not " + expected);
        }
        return update(asset);
    }

    /** Another live asset naming the same object is a conflict, as the unique index of a database would say. */
    private void requireObjectFree(Asset asset) {
        if (asset.status() == AssetStatus.DELETED) {
            return;
        }
        for (Asset other : byId.values()) {
            if (!other.id().equals(asset.id()) && other.status() != AssetStatus.DELETED
                    && other.bucket().equals(asset.bucket()) && other.key().equals(asset.key())) {
                throw new ConflictException("another asset (" + other.id() + ") already names object "
                        + asset.bucket() + "/" + asset.key());
            }
        }
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
        Checks.notNull(id, "id");
        portraits.values().removeIf(p -> p.assetId().equals(id));
        return byId.remove(id) != null;
    }

    @Override
    public synchronized Optional<Asset> findLive(UUID ownerId, String bucket, String key) {
        Checks.notNull(ownerId, "ownerId");
        return byId.values().stream().filter(a -> a.ownerId().equals(ownerId) && a.status() != AssetStatus.DELETED
                && a.bucket().equals(bucket) && a.key().equals(key)).findFirst();
    }

    @Override
    public synchronized List<Asset> listPending(Instant before, int limit) {
        Checks.notNull(before, "before");
        Checks.limit(limit, 10_000, "limit");
        return byId.values().stream().filter(a -> a.status() == AssetStatus.PENDING && a.updatedAt().isBefore(before))
                .sorted(LEAST_RECENTLY_UPDATED).limit(limit).toList();
    }

    @Override
    public synchronized boolean deletePending(UUID id, Instant before) {
        Checks.notNull(before, "before");
        Asset a = byId.get(Checks.notNull(id, "id"));
        if (a == null || a.status() != AssetStatus.PENDING || !a.updatedAt().isBefore(before)) {
            return false;
        }
        return delete(id);
    }

    @Override
    public synchronized void setPortrait(UUID ownerId, UUID characterId, UUID assetId) {
        Checks.notNull(ownerId, "ownerId");
        Checks.notNull(characterId, "characterId");
        if (!byId.containsKey(Checks.notNull(assetId, "assetId"))) {
            throw new NotFoundException("asset", assetId);
        }
        portraits.put(characterId, new Portrait(ownerId, assetId));
    }

    @Override
    public synchronized Map<UUID, UUID> portraits(UUID ownerId) {
        Checks.notNull(ownerId, "ownerId");
        Map<UUID, UUID> out = new LinkedHashMap<>();
        portraits.forEach((character, p) -> {
            if (p.ownerId().equals(ownerId)) {
                out.put(character, p.assetId());
            }
        });
        return Map.copyOf(out);
    }

    @Override
    public synchronized boolean clearPortrait(UUID ownerId, UUID characterId) {
        Portrait p = portraits.get(Checks.notNull(characterId, "characterId"));
        if (p == null || !p.ownerId().equals(Checks.notNull(ownerId, "ownerId"))) {
            return false;
        }
        portraits.remove(characterId);
        return true;
    }
}
