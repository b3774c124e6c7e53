package dev.dmengine.spi.game;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * Metadata of an object in the object store (portrait, map, character sheet).
 *
 * @param sha256 hex digest of the content once known, else {@code null}
 */
public record Asset(UUID id, UUID ownerId, String kind, String bucket, String key, String contentType, long size,
                    String sha256, AssetStatus status, Instant createdAt, Instant updatedAt) {

    public Asset {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(ownerId, "ownerId");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(bucket, "bucket");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(contentType, "contentType");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(updatedAt, "updatedAt");
        if (size < 0) {
            throw new IllegalArgumentException("size must not be negative: " + size);
        }
    }
}
