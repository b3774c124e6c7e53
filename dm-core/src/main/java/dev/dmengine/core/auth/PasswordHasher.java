package dev.dmengine.core.auth;

import dev.dmengine.spi.UnavailableException;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Semaphore;

/**
 * Argon2id password hashes in the PHC string format
 * ({@code $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>}, unpadded standard Base64), as the
 * reference implementation and libsodium write them.
 *
 * <p>Parameters are configurable but never below OWASP's minimum for Argon2id
 * ({@link Params#OWASP_MINIMUM}: 19 MiB, 2 passes, 1 lane). A hash stored with weaker
 * parameters still verifies, and {@link #needsRehash(String)} says it should be replaced
 * after the next successful login.
 *
 * <p>Verification compares in constant time, and a hash that is missing, malformed or of
 * another scheme costs the same work as a real one (it is checked against
 * {@link #dummyHash()}) and never matches, so a caller cannot tell such accounts apart by
 * timing. Passwords are hashed as UTF-8 of their NFKC form ({@link PasswordPolicy#normalise}),
 * whole — never truncated. Thread-safe.
 */
public final class PasswordHasher {

    /** Argon2id cost parameters: memory in KiB, passes, lanes. */
    public record Params(int memoryKib, int iterations, int parallelism) {

        /** OWASP Password Storage Cheat Sheet, Argon2id option 5: m=19 MiB, t=2, p=1. */
        public static final Params OWASP_MINIMUM = new Params(19 * 1024, 2, 1);

        public Params {
            if (parallelism < 1 || parallelism > 64) {
                throw new IllegalArgumentException("parallelism must be 1 to 64, was " + parallelism);
            }
            if (iterations < 1 || iterations > 100) {
                throw new IllegalArgumentException("iterations must be 1 to 100, was " + iterations);
            }
            if (memoryKib < 8 * parallelism || memoryKib > 4 * 1024 * 1024) {
                throw new IllegalArgumentException("memoryKib must be " + 8 * parallelism + " to 4194304, was " + memoryKib);
            }
        }

        /** Whether every parameter is at least the other's. */
        public boolean atLeast(Params other) {
            return memoryKib >= other.memoryKib && iterations >= other.iterations && parallelism >= other.parallelism;
        }
    }

    static final int SALT_BYTES = 16;
    static final int HASH_BYTES = 32;
    private static final int VERSION = Argon2Parameters.ARGON2_VERSION_13; // 0x13 = 19
    private static final String PREFIX = "$argon2id$v=19$";
    private static final Base64.Encoder B64 = Base64.getEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getDecoder();

    private final Params params;
    private final SecureRandom random;
    private final Semaphore slots;
    private final String dummyHash;

    /** Hashes at {@link Params#OWASP_MINIMUM}. */
    public PasswordHasher() {
        this(Params.OWASP_MINIMUM);
    }

    /**
     * At most as many hashes at once as the machine has processors.
     *
     * @throws IllegalArgumentException when a parameter is below {@link Params#OWASP_MINIMUM}
     */
    public PasswordHasher(Params params) {
        this(params, Math.max(2, Runtime.getRuntime().availableProcessors()));
    }

    /**
     * @param maxConcurrent how many hashes may run at once; more callers wait. Each takes
     *                      {@code memoryKib} of heap, so this bounds what a login flood costs.
     */
    public PasswordHasher(Params params, int maxConcurrent) {
        this(params, maxConcurrent, new SecureRandom());
    }

    PasswordHasher(Params params, int maxConcurrent, SecureRandom random) {
        this.params = Objects.requireNonNull(params, "params");
        if (!params.atLeast(Params.OWASP_MINIMUM)) {
            throw new IllegalArgumentException("Argon2id parameters " + params + " are below the OWASP minimum "
                    + Params.OWASP_MINIMUM + " (m=19456 KiB, t=2, p=1)");
        }
        if (maxConcurrent < 1) {
            throw new IllegalArgumentException("maxConcurrent must be at least 1, was " + maxConcurrent);
        }
        this.slots = new Semaphore(maxConcurrent, true);
        this.random = Objects.requireNonNull(random, "random");
        // A hash of a random password made once with the configured parameters: verifying
        // against it costs what verifying a real, current hash costs.
        byte[] secret = new byte[32];
        random.nextBytes(secret);
        byte[] dummySalt = salt();
        this.dummyHash = encode(params, dummySalt, derive(secret, dummySalt, params));
    }

    public Params params() {
        return params;
    }

    /** A new PHC string for the password with a fresh random salt. */
    public String hash(String password) {
        Objects.requireNonNull(password, "password");
        byte[] salt = salt();
        return encode(params, salt, derive(bytes(password), salt, params));
    }

    /**
     * Whether the password matches the encoded hash, compared in constant time. A hash that
     * is {@code null}, malformed or not Argon2id never matches, after the same work as a real
     * one.
     */
    public boolean verify(String password, String encodedHash) {
        Objects.requireNonNull(password, "password");
        Optional<Decoded> decoded = decode(encodedHash);
        Decoded d = decoded.orElseGet(() -> decode(dummyHash).orElseThrow());
        byte[] actual = derive(bytes(password), d.salt, d.params, d.hash.length);
        return MessageDigest.isEqual(actual, d.hash) & decoded.isPresent();
    }

    /** Spends the work of one verification and returns nothing: for unknown accounts. */
    public void verifyDummy(String password) {
        verify(password == null ? "" : password, dummyHash);
    }

    /**
     * Whether the hash should be replaced by {@link #hash(String)} of the same password: it is
     * not an Argon2id PHC string, or any of its parameters (or its length) is below the
     * configured ones.
     */
    public boolean needsRehash(String encodedHash) {
        return decode(encodedHash)
                .map(d -> !d.params.atLeast(params) || d.hash.length < HASH_BYTES || d.salt.length < SALT_BYTES)
                .orElse(true);
    }

    /** The parameters a PHC string was made with, if it is a well-formed Argon2id v19 hash. */
    public static Optional<Params> paramsOf(String encodedHash) {
        return decode(encodedHash).map(d -> d.params);
    }

    /** A valid hash of a random secret, made at construction with the configured parameters. */
    public String dummyHash() {
        return dummyHash;
    }

    private byte[] salt() {
        byte[] salt = new byte[SALT_BYTES];
        random.nextBytes(salt);
        return salt;
    }

    private static byte[] bytes(String password) {
        return PasswordPolicy.normalise(password).getBytes(StandardCharsets.UTF_8);
    }

    private byte[] derive(byte[] password, byte[] salt, Params p) {
        return derive(password, salt, p, HASH_BYTES);
    }

    private byte[] derive(byte[] password, byte[] salt, Params p, int length) {
        try {
            slots.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UnavailableException("interrupted while waiting to hash a password", e);
        }
        try {
            return argon2id(password, salt, p, length);
        } finally {
            slots.release();
        }
    }

    private static byte[] argon2id(byte[] password, byte[] salt, Params p, int length) {
        Argon2BytesGenerator generator = new Argon2BytesGenerator();
        generator.init(new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
                .withVersion(VERSION)
                .withMemoryAsKB(p.memoryKib())
                .withIterations(p.iterations())
                .withParallelism(p.parallelism())
                .withSalt(salt)
                .build());
        byte[] out = new byte[length];
        generator.generateBytes(password, out);
        Arrays.fill(password, (byte) 0);
        return out;
    }

    private static String encode(Params p, byte[] salt, byte[] hash) {
        return PREFIX + "m=" + p.memoryKib() + ",t=" + p.iterations() + ",p=" + p.parallelism()
                + "$" + B64.encodeToString(salt) + "$" + B64.encodeToString(hash);
    }

    private record Decoded(Params params, byte[] salt, byte[] hash) {
    }

    private static Optional<Decoded> decode(String encoded) {
        if (encoded == null || !encoded.startsWith(PREFIX) || encoded.length() > 512) {
            return Optional.empty();
        }
        String[] parts = encoded.substring(PREFIX.length()).split("\\$", -1);
        if (parts.length != 3) {
            return Optional.empty();
        }
        try {
            int m = -1;
            int t = -1;
            int p = -1;
            String[] kvs = parts[0].split(",", -1);
            if (kvs.length != 3) {
                return Optional.empty();
            }
            for (String kv : kvs) {
                int eq = kv.indexOf('=');
                if (eq < 1) {
                    return Optional.empty();
                }
                int value = Integer.parseInt(kv.substring(eq + 1));
                switch (kv.substring(0, eq)) {
                    case "m" -> m = value;
                    case "t" -> t = value;
                    case "p" -> p = value;
                    default -> {
                        return Optional.empty();
                    }
                }
            }
            byte[] salt = B64D.decode(parts[1]);
            byte[] hash = B64D.decode(parts[2]);
            if (salt.length < 8 || salt.length > 64 || hash.length < 16 || hash.length > 64) {
                return Optional.empty();
            }
            return Optional.of(new Decoded(new Params(m, t, p), salt, hash));
        } catch (IllegalArgumentException e) { // NumberFormatException, bad Base64, out-of-range params
            return Optional.empty();
        }
    }

    @Override
    public String toString() {
        return "PasswordHasher[argon2id, " + params + "]";
    }
}
