package dev.dmengine.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import java.util.UUID;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.security.GeneralSecurityException;

/**
 * Opaque refresh tokens: {@code dmr_} and 256 random bits in unpadded Base64url (47
 * characters). The prefix lets secret scanners recognise a leaked one. Only the SHA-256 of
 * the whole value is stored — a fast hash suffices for 256 random bits.
 *
 * <p>The refresh leeway needs the value of a used token's successor again, yet no token may be
 * stored in a form a client could present. So the successor is stored <em>sealed</em>:
 * AES-256-GCM under a key that is {@code HMAC-SHA256(server key, the used token)}, with a
 * random nonce and the family id as associated data. Opening it takes the used token itself
 * (stored only as a hash) and the server's key (never stored), so a copy of the database opens
 * nothing, and neither does a copy of the database plus the key without the used token; a
 * client that holds the used token could have had the successor anyway while the leeway lasts.
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

    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;

    /** The successor sealed for the holder of {@code used}: Base64url of nonce and ciphertext (100 characters). */
    static String seal(String successor, String used, UUID familyId, byte[] serverKey) {
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        try {
            Cipher aes = cipher(Cipher.ENCRYPT_MODE, used, nonce, familyId, serverKey);
            byte[] sealed = aes.doFinal(successor.getBytes(StandardCharsets.US_ASCII));
            byte[] out = new byte[NONCE_BYTES + sealed.length];
            System.arraycopy(nonce, 0, out, 0, NONCE_BYTES);
            System.arraycopy(sealed, 0, out, NONCE_BYTES, sealed.length);
            return Base64.getUrlEncoder().withoutPadding().encodeToString(out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available", e);
        }
    }

    /** The successor, if {@code sealed} was sealed for {@code used} in this family with this key; else empty. */
    static Optional<String> unseal(String sealed, String used, UUID familyId, byte[] serverKey) {
        try {
            byte[] in = Base64.getUrlDecoder().decode(sealed);
            if (in.length <= NONCE_BYTES) {
                return Optional.empty();
            }
            byte[] nonce = java.util.Arrays.copyOf(in, NONCE_BYTES);
            Cipher aes = cipher(Cipher.DECRYPT_MODE, used, nonce, familyId, serverKey);
            return Optional.of(new String(aes.doFinal(in, NONCE_BYTES, in.length - NONCE_BYTES), StandardCharsets.US_ASCII));
        } catch (GeneralSecurityException | IllegalArgumentException e) { // wrong key or token, tampered, not ours
            return Optional.empty();
        }
    }

    private static Cipher cipher(int mode, String used, byte[] nonce, UUID familyId, byte[] serverKey)
            throws GeneralSecurityException {
        byte[] key = ServerSecrets.hmac(serverKey, used.getBytes(StandardCharsets.US_ASCII));
        Cipher aes = Cipher.getInstance("AES/GCM/NoPadding");
        aes.init(mode, new SecretKeySpec(key, "AES"), new GCMParameterSpec(TAG_BITS, nonce));
        aes.updateAAD(familyId.toString().getBytes(StandardCharsets.US_ASCII));
        return aes;
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
