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
        escapes(field, value);
        if (value.length() > maxBytes / 4 || value.length() > maxBytes) { // cheap pre-check before encoding
            int bytes = value.getBytes(StandardCharsets.UTF_8).length;
            if (bytes > maxBytes) {
                throw new InvalidInputException(field, "is " + bytes + " bytes of JSON; at most " + maxBytes
                        + " are accepted");
            }
        }
        return value;
    }

    /**
     * The characters a JSON document may spell as escapes: a backslash-u-0000 (valid JSON, but
     * PostgreSQL cannot turn it into text nor store it as jsonb) and an escaped surrogate
     * without its other half (the json type takes it, and every reader then gets text that is
     * not valid Unicode).
     */
    private static void escapes(String field, String json) {
        int pendingHigh = -1; // index of an escaped high surrogate waiting for its low half
        for (int i = 0; i < json.length(); i++) {
            if (json.charAt(i) != '\\' || i + 1 >= json.length()) {
                if (pendingHigh >= 0) {
                    break;
                }
                continue;
            }
            int unit = json.charAt(i + 1) == 'u' ? hex4(json, i + 2) : -1;
            if (unit < 0) { // another escape (\\, \", \n…): skip the escaped character
                if (pendingHigh >= 0) {
                    break;
                }
                i++;
                continue;
            }
            if (unit == 0) {
                throw new InvalidInputException(field,
                        "contains a \\u0000 escape, which PostgreSQL cannot convert to text");
            }
            boolean low = Character.isLowSurrogate((char) unit);
            if (pendingHigh >= 0 && !low) {
                break;
            }
            if (pendingHigh >= 0) {
                pendingHigh = -1;
            } else if (Character.isHighSurrogate((char) unit)) {
                pendingHigh = i;
            } else if (low) {
                throw unpairedEscape(field, i);
            }
            i += 5;
        }
        if (pendingHigh >= 0) {
            throw unpairedEscape(field, pendingHigh);
        }
    }

    private static int hex4(String s, int from) {
        if (from + 4 > s.length()) {
            return -1;
        }
        int v = 0;
        for (int i = from; i < from + 4; i++) {
            char c = s.charAt(i);
            int d = c < 128 ? Character.digit(c, 16) : -1; // JSON escapes are ASCII hex
            if (d < 0) {
                return -1;
            }
            v = v * 16 + d;
        }
        return v;
    }

    private static InvalidInputException unpairedEscape(String field, int index) {
        return new InvalidInputException(field, "is not valid Unicode: an escaped surrogate without its other half"
                + " at index " + index);
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
