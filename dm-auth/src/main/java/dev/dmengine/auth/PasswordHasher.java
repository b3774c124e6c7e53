package dev.dmengine.auth;

import dev.dmengine.spi.UnavailableException;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

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
 * whole — never truncated; a password that is not well-formed UTF-16 (a lone surrogate, which
 * UTF-8 cannot encode and Java would replace by {@code ?}) is refused, never hashed.
 *
 * <h2>A bound on the work</h2>
 * Each hash costs tens of milliseconds of one core and {@code memoryKib} of heap, so hashes
 * run on a small pool of platform threads of their own ({@link Pool}): at most
 * {@code threads} at once, at most {@code queue} more waiting. A call that finds the queue
 * full is refused at once with an {@link UnavailableException} whose
 * {@link UnavailableException#retryAfter()} estimates when the queue will have drained —
 * a login flood is answered 503 instead of queueing without bound. Running the hashes on
 * platform threads (and not on the caller's, which in the reference server is a virtual
 * thread) also keeps them off the virtual threads' carriers: a virtual thread hashing for
 * 50 ms holds its carrier all that time, and with as many carriers as cores a handful of
 * logins used to stall every other request, {@code /health} included. Callers wait for
 * their hash blocking, which costs a virtual thread nothing. Thread-safe.
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

    /**
     * How many hashes run at once ({@code threads}, 1 to 256) and how many more may wait
     * ({@code queue}, 0 to 10,000; 0 means none wait: a call either finds a free thread or is
     * refused).
     */
    public record Pool(int threads, int queue) {

        public Pool {
            if (threads < 1 || threads > 256) {
                throw new IllegalArgumentException("threads must be 1 to 256, was " + threads);
            }
            if (queue < 0 || queue > 10_000) {
                throw new IllegalArgumentException("queue must be 0 to 10000, was " + queue);
            }
        }

        /**
         * Half the processors (at least one), so that a login flood leaves the other half to
         * everything else, and eight waiting per thread: a caller waits at most about eight
         * hashes' time (well under a second) before it is served.
         */
        public static Pool defaults() {
            return of(Math.max(1, Runtime.getRuntime().availableProcessors() / 2));
        }

        /** {@code threads} threads and eight waiting per thread. */
        public static Pool of(int threads) {
            return new Pool(threads, 8 * threads);
        }
    }

    static final int SALT_BYTES = 16;
    static final int HASH_BYTES = 32;
    private static final int VERSION = Argon2Parameters.ARGON2_VERSION_13; // 0x13 = 19
    private static final String PREFIX = "$argon2id$v=19$";
    private static final Base64.Encoder B64 = Base64.getEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getDecoder();

    private static final AtomicInteger POOLS = new AtomicInteger();

    private final Params params;
    private final Pool poolSize;
    private final SecureRandom random;
    private final ThreadPoolExecutor pool;
    /** A moving average of one hash's duration in nanoseconds, for the retry estimate. */
    private final AtomicLong averageNanos = new AtomicLong();
    private final String dummyHash;

    /** Hashes at {@link Params#OWASP_MINIMUM} on a {@link Pool#defaults()} pool. */
    public PasswordHasher() {
        this(Params.OWASP_MINIMUM);
    }

    /**
     * Hashes on a {@link Pool#defaults()} pool.
     *
     * @throws IllegalArgumentException when a parameter is below {@link Params#OWASP_MINIMUM}
     */
    public PasswordHasher(Params params) {
        this(params, Pool.defaults());
    }

    /** @param maxConcurrent how many hashes may run at once ({@link Pool#of(int)}) */
    public PasswordHasher(Params params, int maxConcurrent) {
        this(params, Pool.of(maxConcurrent));
    }

    /** @param pool how many hashes run at once and how many may wait; see the class comment */
    public PasswordHasher(Params params, Pool pool) {
        this(params, pool, new SecureRandom());
    }

    PasswordHasher(Params params, Pool pool, SecureRandom random) {
        this.params = Objects.requireNonNull(params, "params");
        if (!params.atLeast(Params.OWASP_MINIMUM)) {
            throw new IllegalArgumentException("Argon2id parameters " + params + " are below the OWASP minimum "
                    + Params.OWASP_MINIMUM + " (m=19456 KiB, t=2, p=1)");
        }
        this.poolSize = Objects.requireNonNull(pool, "pool");
        this.random = Objects.requireNonNull(random, "random");
        this.pool = executor(pool);
        // A hash of a random password made once with the configured parameters: verifying
        // against it costs what verifying a real, current hash costs. Made on this thread,
        // which also gives the retry estimate its first figure.
        byte[] secret = new byte[32];
        random.nextBytes(secret);
        byte[] dummySalt = salt();
        this.dummyHash = encode(params, dummySalt, timed(() -> argon2id(secret, dummySalt, params, HASH_BYTES)));
    }

    private static ThreadPoolExecutor executor(Pool pool) {
        int id = POOLS.incrementAndGet();
        AtomicInteger threads = new AtomicInteger();
        ThreadFactory factory = r -> Thread.ofPlatform().daemon().name("dm-password-hash-" + id + "-"
                + threads.incrementAndGet()).unstarted(r);
        BlockingQueue<Runnable> queue = pool.queue() == 0 ? new SynchronousQueue<>() : new ArrayBlockingQueue<>(pool.queue());
        ThreadPoolExecutor executor = new ThreadPoolExecutor(pool.threads(), pool.threads(), 30, TimeUnit.SECONDS,
                queue, factory, new ThreadPoolExecutor.AbortPolicy());
        executor.allowCoreThreadTimeOut(true); // an idle hasher holds no threads
        return executor;
    }

    public Params params() {
        return params;
    }

    public Pool pool() {
        return poolSize;
    }

    /** The executor itself, for tests that fill it. */
    ThreadPoolExecutor executor() {
        return pool;
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
        PasswordPolicy.requireWellFormed(password); // never hash what UTF-8 would turn into '?'
        return PasswordPolicy.normalise(password).getBytes(StandardCharsets.UTF_8);
    }

    private byte[] derive(byte[] password, byte[] salt, Params p) {
        return derive(password, salt, p, HASH_BYTES);
    }


    /** Runs the hash on the pool and waits for it; refused at once when the pool's queue is full. */
    private byte[] derive(byte[] password, byte[] salt, Params p, int length) {
        Future<byte[]> hash;
        try {
            hash = pool.submit(() -> timed(() -> argon2id(password, salt, p, length)));
        } catch (RejectedExecutionException e) {
            Arrays.fill(password, (byte) 0);
            throw busy();
        }
        try {
            return hash.get();
        } catch (InterruptedException e) {
            hash.cancel(true);
            Thread.currentThread().interrupt();
            throw new UnavailableException("interrupted while waiting to hash a password", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException("hashing a password failed", e.getCause());
        }
    }

    private byte[] timed(java.util.function.Supplier<byte[]> work) {
        long start = System.nanoTime();
        byte[] out = work.get();
        long took = System.nanoTime() - start;
        averageNanos.accumulateAndGet(took, (avg, t) -> avg == 0 ? t : (avg * 7 + t) / 8);
        return out;
    }

    /**
     * The refusal of a call that found the queue full. {@code Retry-After}: about the time the
     * threads need to work off what is queued now, whole seconds, 1 to 60.
     */
    private UnavailableException busy() {
        long waiting = pool.getQueue().size() + (long) poolSize.threads();
        long nanos = waiting * Math.max(1, averageNanos.get()) / poolSize.threads();
        Duration retry = Duration.ofSeconds(Math.min(60, Math.max(1, (nanos + 999_999_999L) / 1_000_000_000L)));
        return new UnavailableException("too many sign-ins are being checked at the moment; try again in "
                + retry.toSeconds() + " s", retry);
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
        return "PasswordHasher[argon2id, " + params + ", " + poolSize + "]";
    }
}
