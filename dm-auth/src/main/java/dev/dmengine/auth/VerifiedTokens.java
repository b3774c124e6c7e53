package dev.dmengine.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The claims of access tokens that passed {@link TokenService#verify}, by the SHA-256 of their
 * text, the least recently used dropped first beyond the capacity. Keys are digests rather than
 * the tokens, so the memory holds no bearer credential, and a lookup compares digests (a timing
 * difference tells a stranger nothing about a token). Thread-safe.
 */
final class VerifiedTokens {

    /** At most this many tokens (a few hundred bytes each: about 4 MB when full). */
    static final int DEFAULT_CAPACITY = 10_000;

    /** The SHA-256 of a token's text. */
    record Digest(byte[] bytes) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Digest d && MessageDigest.isEqual(bytes, d.bytes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes);
        }

        @Override
        public String toString() {
            return "Digest[…]";
        }
    }

    private final Map<Digest, AccessClaims> claims;

    VerifiedTokens(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, was " + capacity);
        }
        this.claims = new LinkedHashMap<>(256, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Digest, AccessClaims> eldest) {
                return size() > capacity;
            }
        };
    }

    static Digest digest(String token) {
        try {
            return new Digest(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    synchronized AccessClaims get(Digest digest) {
        return claims.get(digest);
    }

    synchronized void put(Digest digest, AccessClaims value) {
        claims.put(digest, value);
    }

    synchronized void remove(Digest digest) {
        claims.remove(digest);
    }

    synchronized int size() {
        return claims.size();
    }
}
