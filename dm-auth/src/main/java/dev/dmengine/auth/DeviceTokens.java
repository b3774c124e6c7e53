package dev.dmengine.auth;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;

/**
 * Issues and checks device tokens: {@code dmd_<payload>.<mac>}, both unpadded Base64url.
 * The payload is a version byte, 16 bytes naming the account (a keyed hash of the normalised
 * email, so the token does not carry the address), a random 128-bit device id and the expiry
 * in epoch seconds; the MAC is HMAC-SHA256 over it with a key of its own
 * ({@link ServerSecrets}). A token is valid for an account when it is spelled canonically (one
 * string per token: no padding, no non-zero trailing bits), the MAC matches (compared in
 * constant time), it names that account and it has not expired. Thread-safe.
 */
final class DeviceTokens {

    static final String PREFIX = "dmd_";
    static final int MAX_LENGTH = 200;
    private static final byte VERSION = 1;
    private static final int ACCOUNT_BYTES = 16;
    private static final int ID_BYTES = 16;
    private static final int PAYLOAD_BYTES = 1 + ACCOUNT_BYTES + ID_BYTES + Long.BYTES;
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getUrlDecoder();
    private static final SecureRandom RANDOM = new SecureRandom();

    private final byte[] key;
    private final Duration lifetime;
    private final Clock clock;

    DeviceTokens(byte[] key, Duration lifetime, Clock clock) {
        this.key = key.clone();
        this.lifetime = lifetime;
        this.clock = clock;
    }

    /** A new token for the account (a fresh device id), valid for the configured lifetime. */
    DeviceToken issue(String normalisedEmail) {
        byte[] id = new byte[ID_BYTES];
        RANDOM.nextBytes(id);
        Instant expiresAt = clock.instant().plus(lifetime).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        byte[] payload = ByteBuffer.allocate(PAYLOAD_BYTES).put(VERSION).put(account(normalisedEmail)).put(id)
                .putLong(expiresAt.getEpochSecond()).array();
        String value = PREFIX + B64.encodeToString(payload) + "." + B64.encodeToString(mac(payload));
        return new DeviceToken(value, cookieTag(normalisedEmail), expiresAt);
    }

    /**
     * The device id of a token that is valid for the account now; empty for anything else —
     * {@code null}, malformed, tampered, expired, or another account's.
     */
    Optional<String> verify(String token, String normalisedEmail) {
        if (token == null || token.length() > MAX_LENGTH || !token.startsWith(PREFIX)) {
            return Optional.empty();
        }
        int dot = token.indexOf('.', PREFIX.length());
        if (dot < 0) {
            return Optional.empty();
        }
        String payloadText = token.substring(PREFIX.length(), dot);
        String macText = token.substring(dot + 1);
        byte[] payload;
        byte[] mac;
        try {
            payload = B64D.decode(payloadText);
            mac = B64D.decode(macText);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        // Only the canonical spelling is the token: the last Base64 character of a 32-byte MAC
        // carries two bits the decoder ignores, so without this check four spellings verify.
        if (payload.length != PAYLOAD_BYTES || !B64.encodeToString(payload).equals(payloadText)
                || !B64.encodeToString(mac).equals(macText) || !MessageDigest.isEqual(mac, mac(payload))) {
            return Optional.empty();
        }
        ByteBuffer b = ByteBuffer.wrap(payload);
        if (b.get() != VERSION) {
            return Optional.empty();
        }
        byte[] account = new byte[ACCOUNT_BYTES];
        byte[] id = new byte[ID_BYTES];
        b.get(account).get(id);
        long expires = b.getLong();
        if (!MessageDigest.isEqual(account, account(normalisedEmail)) || clock.instant().getEpochSecond() >= expires) {
            return Optional.empty();
        }
        return Optional.of(B64.encodeToString(id));
    }

    /** Sixteen Base64url characters naming the account in a cookie name, keyed so they do not reveal it. */
    String cookieTag(String normalisedEmail) {
        return B64.encodeToString(ServerSecrets.hmac(key, ("cookie:" + normalisedEmail).getBytes(StandardCharsets.UTF_8)))
                .substring(0, 16);
    }

    private byte[] account(String normalisedEmail) {
        return Arrays.copyOf(ServerSecrets.hmac(key, ("account:" + normalisedEmail).getBytes(StandardCharsets.UTF_8)),
                ACCOUNT_BYTES);
    }

    private byte[] mac(byte[] payload) {
        byte[] message = new byte[payload.length + 7];
        System.arraycopy("device:".getBytes(StandardCharsets.US_ASCII), 0, message, 0, 7);
        System.arraycopy(payload, 0, message, 7, payload.length);
        return ServerSecrets.hmac(key, message);
    }
}
