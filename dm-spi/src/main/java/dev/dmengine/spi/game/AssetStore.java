package dev.dmengine.spi.game;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Asset metadata; the bytes live in {@link dev.dmengine.spi.objects.ObjectStorage}. */
public interface AssetStore {

    Asset create(Asset asset);

    Optional<Asset> get(UUID id);

    /** The owner's assets that are not deleted, oldest first. */
    List<Asset> listByOwner(UUID ownerId);

    /** Replaces the stored asset with the same id; not found if there is none. */
    Asset update(Asset asset);

    boolean delete(UUID id);
}
