package dev.dmengine.spi.game;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Asset metadata, and which asset is which character's portrait; the bytes live in
 * {@link dev.dmengine.spi.objects.ObjectStorage}.
 *
 * <p>An object is named by its bucket and key, and at most one asset that is not
 * {@link AssetStatus#DELETED} names it: {@link #create} of a second one is a
 * {@link dev.dmengine.spi.ConflictException}. The state changes that race with each other
 * (completing an upload, cleaning up an abandoned one) are conditional on the status the caller
 * saw, so that a host never marks READY a row another instance has just removed.
 */
public interface AssetStore {

    /** Stores a new asset; a conflict if the id exists, or another live asset names the same object. */
    Asset create(Asset asset);

    Optional<Asset> get(UUID id);

    /** The owner's assets that are not deleted, oldest first. */
    List<Asset> listByOwner(UUID ownerId);

    /** Replaces the stored asset with the same id; not found if there is none. */
    Asset update(Asset asset);

    /**
     * Replaces the stored asset with the same id if its status is still {@code expected}.
     *
     * @throws dev.dmengine.spi.NotFoundException there is no such asset
     * @throws dev.dmengine.spi.ConflictException its status is no longer {@code expected}
     */
    Asset update(Asset asset, AssetStatus expected);

    /** Deletes the asset (and any portrait it is); {@code false} if there was none. */
    boolean delete(UUID id);

    /**
     * The owner's live (not deleted) asset naming this object, if any. The default scans
     * {@link #listByOwner}; a store with an index on the object should answer from it.
     */
    default Optional<Asset> findLive(UUID ownerId, String bucket, String key) {
        return listByOwner(ownerId).stream().filter(a -> a.bucket().equals(bucket) && a.key().equals(key))
                .findFirst();
    }

    /**
     * At most {@code limit} {@link AssetStatus#PENDING} assets last updated before {@code before},
     * oldest first, of every owner: uploads that were never completed.
     */
    List<Asset> listPending(Instant before, int limit);

    /**
     * Deletes the asset if it is still {@link AssetStatus#PENDING} and was last updated before
     * {@code before}; {@code false} otherwise (completed, renewed or gone meanwhile).
     */
    boolean deletePending(UUID id, Instant before);

    /**
     * Makes the asset the character's portrait, in place of the one before. The caller checks
     * that the character and the asset are the owner's.
     */
    void setPortrait(UUID ownerId, UUID characterId, UUID assetId);

    /** Character id to portrait asset id, for every character of the owner that has one. */
    Map<UUID, UUID> portraits(UUID ownerId);

    /** Removes the character's portrait (not the asset); {@code false} if it had none. */
    boolean clearPortrait(UUID ownerId, UUID characterId);
}
