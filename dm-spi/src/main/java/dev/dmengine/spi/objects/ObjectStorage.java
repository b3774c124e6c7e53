package dev.dmengine.spi.objects;

import dev.dmengine.spi.InvalidInputException;
import dev.dmengine.spi.NotFoundException;
import dev.dmengine.spi.UnavailableException;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;

/**
 * One bucket of an object store, reached by clients through pre-signed URLs so that bytes
 * never pass through the game server.
 *
 * <p>The upload flow: the host decides the key and asks {@link #presignPut} for a URL bound to
 * the content type, length and SHA-256 the client declared; the client PUTs the bytes straight to
 * the store; the host then calls {@link #verify} with the same declaration and treats the object
 * as the declared one only on {@link Verification.Verified}. What the store refuses by itself is
 * in {@link #capabilities()}; {@link #verify} catches the rest, so a host never accepts bytes
 * that were not checked, whatever the store.
 *
 * <p>Keys follow {@link ObjectKeys}; anything else is an {@link InvalidInputException}. A store
 * that cannot be reached, or refuses this server's credentials, is an
 * {@link UnavailableException}.
 */
public interface ObjectStorage {

    /** The TTL of an upload URL when the request names none and the storage sets no other. */
    Duration DEFAULT_PUT_TTL = Duration.ofMinutes(10);
    /** The TTL of a download URL when the caller names none and the storage sets no other. */
    Duration DEFAULT_GET_TTL = Duration.ofMinutes(5);

    /**
     * What the store itself refuses on a pre-signed upload. A {@code false} is not a failure: the
     * upload goes through and {@link #verify} reports the difference.
     *
     * @param enforcesContentType an upload with another {@code Content-Type} is refused
     * @param enforcesLength      a body longer or shorter than declared is refused
     * @param enforcesChecksum    a body whose SHA-256 is not the declared one is refused, and
     *                            {@link #stat} reports the checked SHA-256
     */
    record Capabilities(boolean enforcesContentType, boolean enforcesLength, boolean enforcesChecksum) {
        /** Nothing is enforced by the store: {@link #verify} reads the bytes back. */
        public static final Capabilities NONE = new Capabilities(false, false, false);
        public static final Capabilities ALL = new Capabilities(true, true, true);
    }

    /** The bucket this storage writes to. */
    String bucket();

    /** What the store enforces on uploads; by default nothing (the safe assumption). */
    default Capabilities capabilities() {
        return Capabilities.NONE;
    }

    /** A URL to PUT the declared object, valid for the request's TTL or the storage's default. */
    PresignedRequest presignPut(PutRequest request);

    /**
     * A URL to GET the object, valid for {@code ttl} (at most {@link PresignedRequest#MAX_TTL}).
     * Signing needs no object: a URL for a missing key is refused when used.
     */
    PresignedRequest presignGet(String key, Duration ttl);

    /** A URL to GET the object, valid for the storage's default download TTL. */
    default PresignedRequest presignGet(String key) {
        return presignGet(key, DEFAULT_GET_TTL);
    }

    Optional<ObjectInfo> stat(String key);

    /**
     * Opens the object's bytes, for a host that must check them itself (see {@link #verify}).
     * The stream never yields more than {@code maxBytes}; close it.
     *
     * @throws NotFoundException     there is no such object
     * @throws InvalidInputException the object is larger than {@code maxBytes} (field {@code size})
     */
    InputStream read(String key, long maxBytes);

    /** Deletes the object; {@code false} if there was none. */
    boolean delete(String key);

    /**
     * Whether the object stored under the request's key is the declared one: its length, content
     * type and SHA-256. The SHA-256 is taken from {@link #stat} only when the store
     * {@linkplain Capabilities#enforcesChecksum() enforces checksums}; otherwise the bytes are read
     * back (at most the declared length) and hashed here. The TTL of the request is ignored.
     */
    default Verification verify(PutRequest declared) {
        String key = declared.key();
        Optional<ObjectInfo> found = stat(key);
        if (found.isEmpty()) {
            return new Verification.Missing(key);
        }
        ObjectInfo info = found.get();
        if (info.size() != declared.contentLength()) {
            return new Verification.Mismatch(key, "contentLength", Long.toString(declared.contentLength()),
                    Long.toString(info.size()));
        }
        if (!info.contentType().trim().equalsIgnoreCase(declared.contentType().trim())) {
            return new Verification.Mismatch(key, "contentType", declared.contentType(), info.contentType());
        }
        if (capabilities().enforcesChecksum() && info.sha256() != null) {
            return info.sha256().equals(declared.sha256())
                    ? new Verification.Verified(info, true)
                    : new Verification.Mismatch(key, "sha256", declared.sha256(), info.sha256());
        }
        return verifyByReading(declared, info);
    }

    private Verification verifyByReading(PutRequest declared, ObjectInfo info) {
        String key = declared.key();
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is unavailable", e);
        }
        long read = 0;
        try (InputStream in = read(key, declared.contentLength())) {
            byte[] buf = new byte[64 * 1024];
            int n;
            while ((n = in.read(buf)) != -1) {
                sha.update(buf, 0, n);
                read += n;
            }
        } catch (NotFoundException e) {
            return new Verification.Missing(key); // deleted since the stat
        } catch (InvalidInputException e) {
            return new Verification.Mismatch(key, "contentLength", Long.toString(declared.contentLength()),
                    "more than " + declared.contentLength()); // replaced by a larger object since the stat
        } catch (IOException e) {
            throw new UnavailableException("cannot read object " + key + " back to verify it", e);
        }
        if (read != declared.contentLength()) {
            return new Verification.Mismatch(key, "contentLength", Long.toString(declared.contentLength()),
                    Long.toString(read));
        }
        String actual = HexFormat.of().formatHex(sha.digest());
        return actual.equals(declared.sha256())
                ? new Verification.Verified(info, false)
                : new Verification.Mismatch(key, "sha256", declared.sha256(), actual);
    }
}
