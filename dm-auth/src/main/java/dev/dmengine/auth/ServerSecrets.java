package dev.dmengine.auth;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;

/**
 * The symmetric keys of the auth service (device tokens, sealed refresh successors), each
 * derived for one purpose from the access-token signing key: {@code HMAC-SHA256(key = the
 * signing key's PKCS#8 encoding, "dm-engine/<purpose>/v1")}. Every instance already shares
 * that key (a token from one is valid on all), so they share these without another secret to
 * configure; the purpose label keeps each key independent of the others and of the signature.
 * Rotating the signing key therefore also changes these: known devices become unknown until
 * their next login, and a refresh leeway open at that moment ends (the session itself does not).
 * A key that cannot be encoded (held in a hardware module) gets random keys, logged.
 */
final class ServerSecrets {

    private static final Logger LOG = LoggerFactory.getLogger(ServerSecrets.class);

    private final byte[] master;

    ServerSecrets(TokenKeys keys) {
        byte[] encoded = keys.signingKey().getEncoded();
        if (encoded == null || encoded.length == 0) {
            LOG.warn("The token signing key cannot be read out: device tokens and refresh leeways use a random key "
                    + "that dies with this process and differs between instances.");
            encoded = new byte[32];
            new SecureRandom().nextBytes(encoded);
        }
        this.master = encoded;
    }

    /** A 32-byte key for one purpose. */
    byte[] key(String purpose) {
        return hmac(master, ("dm-engine/" + purpose + "/v1").getBytes(StandardCharsets.UTF_8));
    }

    static byte[] hmac(byte[] key, byte[] message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(message);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }
}
