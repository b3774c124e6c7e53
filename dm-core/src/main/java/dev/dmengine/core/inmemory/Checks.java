package dev.dmengine.core.inmemory;

import dev.dmengine.spi.InvalidInputException;

import java.time.Duration;
import java.util.Objects;

/** Argument checks shared by the in-memory adapters. */
final class Checks {

    private Checks() {
    }

    static <T> T notNull(T value, String field) {
        return Objects.requireNonNull(value, field + " must not be null");
    }

    static Duration positive(Duration value, String field) {
        notNull(value, field);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(field + " must be positive, was " + value);
        }
        return value;
    }

    static int limit(int value, int max, String field) {
        if (value < 1 || value > max) {
            throw new InvalidInputException(field, "must be 1 to " + max + ", was " + value);
        }
        return value;
    }

    static String notBlank(String value, String field) {
        notNull(value, field);
        if (value.isBlank()) {
            throw new IllegalArgumentException(field + " must not be blank");
        }
        return value;
    }

    /** An idempotency key as every job store takes it: 1 to 200 printable ASCII characters. */
    static String key(String value, String field) {
        notNull(value, field);
        if (value.isEmpty() || value.length() > 200 || !value.chars().allMatch(c -> c > 0x20 && c < 0x7F)) {
            throw new InvalidInputException(field, "must be 1 to 200 printable ASCII characters without spaces");
        }
        return value;
    }
}
