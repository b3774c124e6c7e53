package dev.dmengine.core.assets;

import dev.dmengine.spi.game.Asset;
import dev.dmengine.spi.objects.PresignedRequest;

import java.util.Objects;
import java.util.UUID;

/** A character's portrait: the READY image asset and a short-lived URL to show it. */
public record Portrait(UUID characterId, Asset asset, PresignedRequest get) {

    public Portrait {
        Objects.requireNonNull(characterId, "characterId");
        Objects.requireNonNull(asset, "asset");
        Objects.requireNonNull(get, "get");
    }
}
