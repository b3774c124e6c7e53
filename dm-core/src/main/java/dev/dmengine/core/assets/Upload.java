package dev.dmengine.core.assets;

import dev.dmengine.spi.game.Asset;
import dev.dmengine.spi.objects.PresignedRequest;

import java.util.Objects;
import java.util.Optional;

/**
 * The answer to a {@link NewUpload}: the asset (PENDING until {@link AssetService#complete}), and
 * the request the client makes to put the bytes in the store. When the player already stored
 * the same bytes for the same purpose, the asset is that READY one and there is nothing to upload.
 *
 * @param created whether this call created the asset (else it renewed a PENDING one, or found a READY one)
 */
public record Upload(Asset asset, Optional<PresignedRequest> put, boolean created) {

    public Upload {
        Objects.requireNonNull(asset, "asset");
        Objects.requireNonNull(put, "put");
    }
}
