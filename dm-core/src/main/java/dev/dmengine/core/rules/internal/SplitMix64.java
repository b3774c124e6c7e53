package dev.dmengine.core.rules.internal;

/**
 * SplitMix64, written out here (not {@code java.util.SplittableRandom}) so that a recorded roll
 * replays identically on every JDK forever.
 */
public final class SplitMix64 {

    private static final long GOLDEN = 0x9E3779B97F4A7C15L;
    private long state;

    public SplitMix64(long seed) {
        this.state = seed;
    }

    /** A stream seed derived from a session seed and a roll counter. */
    public static long mix(long seed, long counter) {
        return mix64(mix64(seed) ^ (counter * GOLDEN + GOLDEN));
    }

    static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    public long nextLong() {
        state += GOLDEN;
        return mix64(state);
    }

    /** Uniform in {@code [1, sides]}, without modulo bias (rejection sampling). */
    public int nextDie(int sides) {
        if (sides < 1) {
            throw new IllegalArgumentException("sides must be positive: " + sides);
        }
        long bound = sides;
        long limit = Long.MAX_VALUE - (Long.MAX_VALUE % bound) ; // values in [0, limit) are unbiased
        while (true) {
            long r = nextLong() >>> 1;
            if (r < limit) {
                return (int) (r % bound) + 1;
            }
        }
    }
}
