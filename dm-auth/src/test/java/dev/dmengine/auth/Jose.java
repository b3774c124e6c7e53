package dev.dmengine.auth;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;

/** Hand-made JWS for attacks a well-behaved library would refuse to produce. */
final class Jose {

    private Jose() {
    }

    static String b64(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    static String b64(String json) {
        return b64(json.getBytes(StandardCharsets.UTF_8));
    }

    static String decode(String part) {
        return new String(Base64.getUrlDecoder().decode(part), StandardCharsets.UTF_8);
    }

    static String header(String alg, String kid) {
        return "{\"alg\":\"" + alg + "\",\"typ\":\"at+jwt\",\"kid\":\"" + kid + "\"}";
    }

    /** Claims as our issuer writes them, valid from {@code iat} for 15 minutes. */
    static String claims(String issuer, String audience, UUID player, UUID session, Instant iat) {
        return "{\"iss\":\"" + issuer + "\",\"aud\":[\"" + audience + "\"],\"sub\":\"" + player + "\",\"sid\":\""
                + session + "\",\"iat\":" + iat.getEpochSecond() + ",\"exp\":" + iat.plusSeconds(900).getEpochSecond()
                + ",\"jti\":\"" + UUID.randomUUID() + "\"}";
    }

    static String unsigned(String header, String claims) {
        return b64(header) + "." + b64(claims) + ".";
    }

    static String ed25519(String header, String claims, PrivateKey key) {
        String input = b64(header) + "." + b64(claims);
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initSign(key);
            s.update(input.getBytes(StandardCharsets.US_ASCII));
            return input + "." + b64(s.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static String hs256(String header, String claims, byte[] secret) {
        String input = b64(header) + "." + b64(claims);
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return input + "." + b64(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
