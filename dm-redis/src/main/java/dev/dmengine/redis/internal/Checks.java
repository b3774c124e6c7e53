package dev.dmengine.redis.internal;

import dev.dmengine.spi.InvalidInputException;

import java.time.Duration;
import java.util.Objects;

/** Argument checks shared by the Redis adapters. */
public final class Checks {

    private Checks() {
    }

    public static <T> T notNull(T value, String field) {
        return Objects.requireNonNull(value, field + " must not be null");
    }

    /** A non-blank text of at most {@code max} characters. */
    public static String text(String value, String field, int max) {
        notNull(value, field);
        if (value.isBlank()) {
            throw new InvalidInputException(field, "must not be blank");
        }
        return sized(value, field, max);
    }

    /** A text (possibly empty) of at most {@code max} characters. */
    public static String sized(String value, String field, int max) {
        notNull(value, field);
        if (value.length() > max) {
            throw new InvalidInputException(field, "must be at most " + max + " characters, was " + value.length());
        }
        return value;
    }

    /** A positive duration, as whole milliseconds rounded up (Redis expiries are in milliseconds). */
    public static long positiveMillis(Duration value, String field) {
        notNull(value, field);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(field + " must be positive, was " + value);
        }
        long millis = value.toMillis();
        return value.minusMillis(millis).isZero() ? millis : millis + 1;
    }

    public static int between(int value, int min, int max, String field) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(field + " must be " + min + " to " + max + ", was " + value);
        }
        return value;
    }

    public static Duration between(Duration value, Duration min, Duration max, String field) {
        notNull(value, field);
        if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
            throw new IllegalArgumentException(field + " must be " + min + " to " + max + ", was " + value);
        }
        return value;
    }
}
