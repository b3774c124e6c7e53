package dev.dmengine.auth;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The Ed25519 keys of access tokens: one signing key and every key a token may still be
 * verified with, each named by a key id ({@code kid}).
 *
 * <p>Rotation without logging anyone out: add the new key pair as the signing key and keep
 * the old public key as a verification key until the last token it signed has expired (the
 * access-token lifetime, 15 minutes by default), then drop it.
 *
 * <pre>{@code
 * TokenKeys keys = TokenKeys.builder()
 *         .signingKey("2026-11", TokenKeys.privateKeyFromPem(newPrivatePem), TokenKeys.publicKeyFromPem(newPublicPem))
 *         .verificationKey("2026-10", TokenKeys.publicKeyFromPem(oldPublicPem))
 *         .build();
 * }</pre>
 *
 * <p>Why Ed25519 (JWS {@code alg=EdDSA}, RFC 8037) rather than ES256: signatures are
 * deterministic, so no per-signature nonce can be weak or repeated (the failure that leaks
 * ECDSA keys); there is no signature malleability or invalid-curve pitfall; keys and
 * signatures are small (32 and 64 bytes), which keeps the access cookie short; and the JDK
 * signs and verifies it natively since 15. Its one cost — some older third-party JWT
 * libraries cannot verify EdDSA — does not apply, since only this engine verifies its tokens.
 */
public final class TokenKeys {

    /** The DER prefix of an X.509 SubjectPublicKeyInfo holding a 32-byte Ed25519 key. */
    private static final byte[] ED25519_SPKI_PREFIX = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};
    private static final Pattern KID = Pattern.compile("[A-Za-z0-9._\\-]{1,64}");

    private final String signingKeyId;
    private final PrivateKey signingKey;
    private final Map<String, PublicKey> verificationKeys;

    private TokenKeys(Builder b) {
        if (b.signingKeyId == null) {
            throw new IllegalStateException("TokenKeys need a signing key: call signingKey(kid, privateKey, publicKey)");
        }
        this.signingKeyId = b.signingKeyId;
        this.signingKey = b.signingKey;
        this.verificationKeys = Collections.unmodifiableMap(new LinkedHashMap<>(b.verificationKeys));
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Keys made up on the spot: one fresh Ed25519 pair, its RFC 7638 thumbprint as key id.
     * For the embedded profile and tests — tokens die with the JVM, so a restart logs every
     * player out; a deployment loads persistent keys instead.
     */
    public static TokenKeys generate() {
        KeyPair pair = generateKeyPair();
        return builder().signingKey(thumbprint(pair.getPublic()), pair.getPrivate(), pair.getPublic()).build();
    }

    /** A new Ed25519 key pair. */
    public static KeyPair generateKeyPair() {
        try {
            return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM cannot make Ed25519 keys", e);
        }
    }

    /** Reads a PKCS#8 Ed25519 private key: PEM ({@code -----BEGIN PRIVATE KEY-----}) or bare Base64. */
    public static PrivateKey privateKeyFromPem(String pem) {
        try {
            return KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(der(pem)));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalArgumentException("not a PKCS#8 Ed25519 private key", e);
        }
    }

    /** Reads an X.509 Ed25519 public key: PEM ({@code -----BEGIN PUBLIC KEY-----}) or bare Base64. */
    public static PublicKey publicKeyFromPem(String pem) {
        try {
            return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(der(pem)));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalArgumentException("not an X.509 Ed25519 public key", e);
        }
    }

    /** PEM text of a key ({@code PRIVATE KEY} or {@code PUBLIC KEY}), for storing generated keys. */
    public static String toPem(java.security.Key key) {
        String type = key instanceof PrivateKey ? "PRIVATE KEY" : "PUBLIC KEY";
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, new byte[]{'\n'}).encodeToString(key.getEncoded())
                + "\n-----END " + type + "-----\n";
    }

    /** The RFC 7638 JWK thumbprint of an Ed25519 public key (Base64url SHA-256), a stable key id. */
    public static String thumbprint(PublicKey key) {
        byte[] raw = rawEd25519(key);
        String jwk = "{\"crv\":\"Ed25519\",\"kty\":\"OKP\",\"x\":\""
                + Base64.getUrlEncoder().withoutPadding().encodeToString(raw) + "\"}";
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(jwk.getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public String signingKeyId() {
        return signingKeyId;
    }

    PrivateKey signingKey() {
        return signingKey;
    }

    /** The public key a token with this {@code kid} is verified with, if it is one of ours. */
    public Optional<PublicKey> verificationKey(String kid) {
        return kid == null ? Optional.empty() : Optional.ofNullable(verificationKeys.get(kid));
    }

    /** Every key id a token may carry, the signing key's first. */
    public Set<String> keyIds() {
        return verificationKeys.keySet();
    }

    /** Public keys by id, e.g. to publish as a JWKS for other services. */
    public Map<String, PublicKey> verificationKeys() {
        return verificationKeys;
    }

    @Override
    public String toString() { // never the private key
        return "TokenKeys[signing=" + signingKeyId + ", verification=" + verificationKeys.keySet() + "]";
    }

    private static byte[] der(String pem) {
        Objects.requireNonNull(pem, "pem");
        String body = pem.replaceAll("-----(BEGIN|END) [A-Z ]+-----", "").replaceAll("\\s", "");
        return Base64.getDecoder().decode(body);
    }

    private static byte[] rawEd25519(PublicKey key) {
        byte[] encoded = key == null ? null : key.getEncoded();
        if (encoded == null || encoded.length != ED25519_SPKI_PREFIX.length + 32
                || !Arrays.equals(encoded, 0, ED25519_SPKI_PREFIX.length, ED25519_SPKI_PREFIX, 0, ED25519_SPKI_PREFIX.length)) {
            throw new IllegalArgumentException("not an Ed25519 public key: " + (key == null ? null : key.getAlgorithm()));
        }
        return Arrays.copyOfRange(encoded, ED25519_SPKI_PREFIX.length, encoded.length);
    }

    private static String kid(String kid) {
        if (kid == null || !KID.matcher(kid).matches()) {
            throw new IllegalArgumentException("a key id must be 1 to 64 of A-Z a-z 0-9 . _ -, was " + kid);
        }
        return kid;
    }

    /** Collects the keys; every key is checked to be Ed25519 and the signing pair to match. */
    public static final class Builder {
        private String signingKeyId;
        private PrivateKey signingKey;
        private final Map<String, PublicKey> verificationKeys = new LinkedHashMap<>();

        private Builder() {
        }

        /** The key new tokens are signed with; its public half is added to the verification keys. */
        public Builder signingKey(String kid, PrivateKey privateKey, PublicKey publicKey) {
            kid(kid);
            Objects.requireNonNull(privateKey, "privateKey");
            rawEd25519(publicKey);
            try { // proves the two halves belong together and that the private key is Ed25519
                Signature signer = Signature.getInstance("Ed25519");
                signer.initSign(privateKey);
                byte[] probe = "dm-engine key check".getBytes(StandardCharsets.UTF_8);
                signer.update(probe);
                byte[] signature = signer.sign();
                Signature verifier = Signature.getInstance("Ed25519");
                verifier.initVerify(publicKey);
                verifier.update(probe);
                if (!verifier.verify(signature)) {
                    throw new IllegalArgumentException("signing key " + kid + ": the private and public keys are not a pair");
                }
            } catch (GeneralSecurityException e) {
                throw new IllegalArgumentException("signing key " + kid + " is not an Ed25519 key pair", e);
            }
            if (signingKeyId != null) {
                verificationKeys.remove(signingKeyId);
            }
            PublicKey previous = verificationKeys.get(kid);
            if (previous != null && !previous.equals(publicKey)) {
                throw new IllegalArgumentException("key id " + kid + " names two different keys");
            }
            Map<String, PublicKey> reordered = new LinkedHashMap<>();
            reordered.put(kid, publicKey);
            reordered.putAll(verificationKeys);
            verificationKeys.clear();
            verificationKeys.putAll(reordered);
            signingKeyId = kid;
            signingKey = privateKey;
            return this;
        }

        /** The key new tokens are signed with, from a generated pair. */
        public Builder signingKey(String kid, KeyPair pair) {
            return signingKey(kid, pair.getPrivate(), pair.getPublic());
        }

        /** A key that tokens signed earlier (by a retired signing key) are still verified with. */
        public Builder verificationKey(String kid, PublicKey publicKey) {
            kid(kid);
            rawEd25519(publicKey);
            PublicKey previous = verificationKeys.putIfAbsent(kid, publicKey);
            if (previous != null && !previous.equals(publicKey)) {
                throw new IllegalArgumentException("key id " + kid + " names two different keys");
            }
            return this;
        }

        public TokenKeys build() {
            return new TokenKeys(this);
        }
    }
}
