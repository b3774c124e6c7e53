package dev.dmengine.core.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Opaque refresh tokens: {@code dmr_} and 256 random bits in unpadded Base64url (47
 * characters). The prefix lets secret scanners recognise a leaked one. Only the SHA-256 of
 * the whole value is stored — a fast hash suffices for 256 random bits.
 */
final class RefreshSecrets {

    static final String PREFIX = "dmr_";
    static final int RANDOM_BYTES = 32;
    static final int LENGTH = PREFIX.length() + 43;
    private static final SecureRandom RANDOM = new SecureRandom();

    private RefreshSecrets() {
    }

    static String newSecret() {
        byte[] bytes = new byte[RANDOM_BYTES];
        RANDOM.nextBytes(bytes);
        return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** The stored form of a well-formed token; empty for anything that is not one of ours. */
    static Optional<String> hashOf(String token) {
        if (token == null || token.length() != LENGTH || !token.startsWith(PREFIX)) {
            return Optional.empty();
        }
        for (int i = PREFIX.length(); i < LENGTH; i++) {
            char c = token.charAt(i);
            if (!(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_')) {
                return Optional.empty();
            }
        }
        return Optional.of(sha256(token));
    }

    static String sha256(String value) {
        try {
            return HexFormat.of().formatHex(
                    MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
