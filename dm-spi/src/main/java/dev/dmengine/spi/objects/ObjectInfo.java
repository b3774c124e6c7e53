package dev.dmengine.spi.objects;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * What the object store knows about a stored object.
 *
 * @param etag   the store's entity tag, or {@code null}; its meaning differs between stores
 * @param sha256 the SHA-256 of the bytes in lowercase hex as the store reports it, or
 *               {@code null} when it keeps none. Proof of the bytes only when the store
 *               {@linkplain ObjectStorage.Capabilities#enforcesChecksum() checked it on upload}
 */
public record ObjectInfo(String key, long size, String contentType, String etag, Instant lastModified,
                         String sha256) {

    public ObjectInfo {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(contentType, "contentType");
        Objects.requireNonNull(lastModified, "lastModified");
        if (size < 0) {
            throw new IllegalArgumentException("size must not be negative, was " + size);
        }
        if (sha256 != null && !PutRequest.isSha256Hex(sha256)) {
            throw new IllegalArgumentException("sha256 must be 64 lowercase hex digits, was " + sha256);
        }
    }

    /** The SHA-256 the store reports, if it keeps one. */
    public Optional<String> reportedSha256() {
        return Optional.ofNullable(sha256);
    }
}
