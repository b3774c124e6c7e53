package dev.dmengine.spi.objects;

import dev.dmengine.spi.InvalidInputException;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * A request the client (a browser) makes straight to the object store, so that the bytes never
 * pass through the game server.
 *
 * @param method    {@code PUT} or {@code GET}
 * @param url       the signed URL; nothing in it may be changed
 * @param headers   headers the client must send exactly as given (e.g. {@code Content-Type} and,
 *                  on S3, {@code x-amz-checksum-sha256}); none is one a browser or HTTP client
 *                  sets by itself, such as {@code Host} or {@code Content-Length}. A signature may
 *                  still bind those: an upload's {@code Content-Length} is the body's length, so
 *                  a body of another length is refused
 * @param expiresAt the instant after which the store refuses the URL
 */
public record PresignedRequest(String method, URI url, Map<String, String> headers, Instant expiresAt) {

    /** The longest a pre-signed URL may live: the limit of AWS Signature Version 4. */
    public static final Duration MAX_TTL = Duration.ofDays(7);

    public PresignedRequest {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(url, "url");
        headers = Map.copyOf(Objects.requireNonNull(headers, "headers"));
        Objects.requireNonNull(expiresAt, "expiresAt");
    }

    /**
     * Returns the TTL if it is positive and at most {@link #MAX_TTL}.
     *
     * @throws InvalidInputException naming the field {@code ttl} otherwise
     */
    public static Duration checkTtl(Duration ttl) {
        if (ttl == null) {
            throw new InvalidInputException("ttl", "is required");
        }
        if (ttl.isNegative() || ttl.isZero() || ttl.compareTo(MAX_TTL) > 0) {
            throw new InvalidInputException("ttl", "must be more than 0 and at most " + MAX_TTL + ", was " + ttl);
        }
        return ttl;
    }
}
