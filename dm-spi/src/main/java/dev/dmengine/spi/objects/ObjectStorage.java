package dev.dmengine.spi.objects;

import java.time.Duration;
import java.util.Optional;

/**
 * One bucket of an object store, reached by clients through pre-signed URLs so that bytes
 * never pass through the game server.
 *
 * <p>Keys are 1 to 512 characters of {@code [A-Za-z0-9/._-]}, without {@code ..}; anything
 * else is an {@link dev.dmengine.spi.InvalidInputException}.
 */
public interface ObjectStorage {

    /** The bucket this storage writes to. */
    String bucket();

    /**
     * A URL to PUT one object of the given content type, valid for {@code ttl}.
     *
     * @param maxBytes the largest upload the caller allows; adapters that can bind it into
     *                 the signature do
     */
    PresignedRequest presignPut(String key, String contentType, long maxBytes, Duration ttl);

    /** A URL to GET the object, valid for {@code ttl}. */
    PresignedRequest presignGet(String key, Duration ttl);

    Optional<ObjectInfo> stat(String key);

    /** Deletes the object; {@code false} if there was none. */
    boolean delete(String key);
}
