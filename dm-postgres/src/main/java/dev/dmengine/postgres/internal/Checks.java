package dev.dmengine.postgres.internal;

import dev.dmengine.spi.InvalidInputException;

import java.nio.charset.StandardCharsets;

/**
 * Input checks PostgreSQL would otherwise fail on less clearly: NUL characters (a text value
 * cannot hold them), unpaired UTF-16 surrogates (not valid UTF-8), and oversize JSON.
 */
public final class Checks {

    private Checks() {
    }

    /** Returns the text if PostgreSQL can store it, else an InvalidInputException naming the field. */
    public static String text(String field, String value, int maxChars) {
        if (value == null) {
            return null;
        }
        if (value.length() > maxChars) {
            throw new InvalidInputException(field, "is longer than " + maxChars + " characters (" + value.length() + ")");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\0') {
                throw new InvalidInputException(field, "contains a NUL character (at index " + i
                        + "), which PostgreSQL cannot store");
            }
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
                    i++;
                    continue;
                }
                throw new InvalidInputException(field, "is not valid Unicode: unpaired surrogate at index " + i);
            }
            if (Character.isLowSurrogate(c)) {
                throw new InvalidInputException(field, "is not valid Unicode: unpaired surrogate at index " + i);
            }
        }
        return value;
    }

    /**
     * Checks a JSON document's size and characters; its syntax is checked by PostgreSQL
     * (json input), whose error is reported as invalid input too.
     */
    public static String json(String field, String value, int maxBytes) {
        if (value == null) {
            return null;
        }
        text(field, value, Integer.MAX_VALUE);
        // a backslash-u-0000 escape is valid JSON, but PostgreSQL cannot turn it into text
        // (json operators) nor store it as jsonb
        if (value.contains("\\u0000")) {
            throw new InvalidInputException(field,
                    "contains a \\u0000 escape, which PostgreSQL cannot convert to text");
        }
        if (value.length() > maxBytes / 4 || value.length() > maxBytes) { // cheap pre-check before encoding
            int bytes = value.getBytes(StandardCharsets.UTF_8).length;
            if (bytes > maxBytes) {
                throw new InvalidInputException(field, "is " + bytes + " bytes of JSON; at most " + maxBytes
                        + " are accepted");
            }
        }
        return value;
    }

    public static float[] vector(String field, float[] vector, int dimension) {
        if (vector.length != dimension) {
            throw new InvalidInputException(field, "has dimension " + vector.length
                    + " but the embedding space has dimension " + dimension);
        }
        for (int i = 0; i < vector.length; i++) {
            if (!Float.isFinite(vector[i])) {
                throw new InvalidInputException(field, "component " + i + " is not a finite number");
            }
        }
        return vector;
    }
}
