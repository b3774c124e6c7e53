package dev.dmengine.core.assets;

import dev.dmengine.spi.InvalidInputException;
import dev.dmengine.spi.NotFoundException;
import dev.dmengine.spi.objects.ObjectInfo;
import dev.dmengine.spi.objects.ObjectKeys;
import dev.dmengine.spi.objects.ObjectStorage;
import dev.dmengine.spi.objects.PresignedRequest;
import dev.dmengine.spi.objects.PutRequest;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An object store that enforces nothing on upload ({@link Capabilities#NONE}), as a store
 * without signed headers or checksums would: whatever is put under a key is kept, so only
 * {@link ObjectStorage#verify} (reading the bytes back) can tell it from the declaration.
 * {@link #put} plays the client's upload.
 */
final class LaxObjectStorage implements ObjectStorage {

    private record Stored(String contentType, byte[] body) {
    }

    private final String bucket;
    private final Clock clock;
    private final Map<String, Stored> objects = new ConcurrentHashMap<>();

    LaxObjectStorage(String bucket, Clock clock) {
        this.bucket = bucket;
        this.clock = clock;
    }

    /** What a client sends to the upload URL, taken as it is. */
    void put(String key, String contentType, byte[] body) {
        objects.put(ObjectKeys.check(key), new Stored(contentType, body.clone()));
    }

    @Override
    public String bucket() {
        return bucket;
    }

    @Override
    public PresignedRequest presignPut(PutRequest request) {
        return new PresignedRequest("PUT", URI.create("https://lax.invalid/" + request.key()),
                Map.of("Content-Type", request.contentType()),
                clock.instant().plus(request.requestedTtl().orElse(DEFAULT_PUT_TTL)));
    }

    @Override
    public PresignedRequest presignGet(String key, Duration ttl) {
        return new PresignedRequest("GET", URI.create("https://lax.invalid/" + ObjectKeys.check(key)), Map.of(),
                clock.instant().plus(PresignedRequest.checkTtl(ttl)));
    }

    @Override
    public Optional<ObjectInfo> stat(String key) {
        Stored s = objects.get(ObjectKeys.check(key));
        return s == null ? Optional.empty()
                : Optional.of(new ObjectInfo(key, s.body().length, s.contentType(), null, clock.instant(), null));
    }

    @Override
    public InputStream read(String key, long maxBytes) {
        Stored s = objects.get(ObjectKeys.check(key));
        if (s == null) {
            throw new NotFoundException("object", key);
        }
        if (s.body().length > maxBytes) {
            throw new InvalidInputException("size", "the object is " + s.body().length + " bytes, more than the "
                    + maxBytes + " allowed");
        }
        return new ByteArrayInputStream(s.body());
    }

    @Override
    public boolean delete(String key) {
        return objects.remove(ObjectKeys.check(key)) != null;
    }
}
