package dev.dmengine.testkit;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Exact timing claims about an adapter whose clock is a server's (Redis {@code TIME}), checked
 * without depending on the machine's speed. Each call is bracketed by the local monotonic clock:
 * the server read its clock somewhere inside {@code [start, end]}, so the time between two of its
 * readings lies between {@code second.start - first.end} and {@code second.end - first.start}.
 * A claim is asserted only when the brackets are narrow enough to decide it; an attempt whose
 * brackets were too wide (a pause, a slow machine) is repeated, and a suite fails only if no
 * attempt could decide.
 */
public final class RealTime {

    /** Allowance for the server's clock resolution and rounding (µs in Lua, ms expiries). */
    public static final Duration SLACK = Duration.ofMillis(5);

    private RealTime() {
    }

    /** A result and the local monotonic instants (nanoseconds) before and after it was produced. */
    public record Timed<T>(T value, long start, long end) {

        /** The longest the server's clock can have moved from {@code earlier}'s reading to this one's. */
        public Duration atMostAfter(Timed<?> earlier) {
            return Duration.ofNanos(end - earlier.start);
        }

        /** The shortest the server's clock can have moved from {@code earlier}'s reading to this one's. */
        public Duration atLeastAfter(Timed<?> earlier) {
            return Duration.ofNanos(Math.max(0, start - earlier.end));
        }
    }

    public static <T> Timed<T> time(Supplier<T> call) {
        long start = System.nanoTime();
        T value = call.get();
        return new Timed<>(value, start, System.nanoTime());
    }

    /** Sleeps until {@code delay} has passed since the end of {@code call}. */
    public static void passAfter(Timed<?> call, Duration delay) {
        long left = call.end + delay.toNanos() - System.nanoTime();
        if (left > 0) {
            Await.pass(Duration.ofNanos(left));
        }
    }

    /**
     * Runs {@code attempt} until it returns {@code true} (it could decide, and asserted), at most
     * five times.
     */
    public static void conclusively(String what, BooleanSupplier attempt) {
        for (int i = 0; i < 5; i++) {
            if (attempt.getAsBoolean()) {
                return;
            }
        }
        throw new AssertionError("could not check " + what + " in 5 attempts: every one ran too slowly to decide");
    }
}
