package dev.dmengine.spi.objects;

import java.time.Instant;
import java.util.Objects;

/** What the object store knows about a stored object. */
public record ObjectInfo(String key, long size, String contentType, String etag, Instant lastModified) {

    public ObjectInfo {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(contentType, "contentType");
        Objects.requireNonNull(lastModified, "lastModified");
    }
}
