package dev.dmengine.core.game;

import dev.dmengine.spi.InvalidInputException;

/** Field checks that name the field and the limit. */
public final class Validation {

    private Validation() {
    }

    /** A trimmed text of 1 to {@code max} characters without control characters. */
    public static String text(String field, String value, int max) {
        if (value == null || value.isBlank()) {
            throw new InvalidInputException(field, "must not be empty");
        }
        String v = value.strip();
        if (v.length() > max) {
            throw new InvalidInputException(field, "must be at most " + max + " characters, was " + v.length());
        }
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c < 0x20 && c != '\t' || c == 0x7F) {
                throw new InvalidInputException(field, "must not contain control characters");
            }
        }
        return v;
    }

    public static int range(String field, int value, int min, int max) {
        if (value < min || value > max) {
            throw new InvalidInputException(field, "must be " + min + " to " + max + ", was " + value);
        }
        return value;
    }

    public static int limit(String field, Integer value, int defaultValue, int max) {
        if (value == null) {
            return defaultValue;
        }
        return range(field, value, 1, max);
    }
}
