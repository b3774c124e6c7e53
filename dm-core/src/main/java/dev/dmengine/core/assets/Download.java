package dev.dmengine.core.assets;

import dev.dmengine.spi.game.Asset;
import dev.dmengine.spi.objects.PresignedRequest;

import java.util.Objects;
import java.util.Optional;

/** An asset and, once it is READY, a short-lived URL to download it. */
public record Download(Asset asset, Optional<PresignedRequest> get) {

    public Download {
        Objects.requireNonNull(asset, "asset");
        Objects.requireNonNull(get, "get");
    }
}
