package dev.dmengine.auth;

import dev.dmengine.spi.InvalidInputException;

import java.util.Locale;

/**
 * The checks of an account's email and display name at registration and login, each failure an
 * {@link InvalidInputException} naming the field and the limit. They are the engine's own rules
 * for these fields ({@code dev.dmengine.core.game.PlayerService} and {@code Validation} in
 * dm-core), kept here so that dm-auth needs no engine; {@code AccountInputTest} holds the two to
 * the same answers, so an account created by the engine's {@code PlayerService} and one
 * registered here are found by the same normalised email.
 */
final class AccountInput {

    static final int MAX_EMAIL = 254;
    static final int MAX_DISPLAY_NAME = 60;

    private AccountInput() {
    }

    /** Trimmed and lower-cased; refused unless it looks like {@code local@domain}. */
    static String email(String email) {
        String e = oneLine("email", email, MAX_EMAIL).toLowerCase(Locale.ROOT);
        int at = e.indexOf('@');
        if (at < 1 || at != e.lastIndexOf('@') || at == e.length() - 1 || e.chars().anyMatch(Character::isWhitespace)) {
            throw new InvalidInputException("email", "must be an address like name@example.org");
        }
        return e;
    }

    /** A trimmed one-line text of 1 to {@value #MAX_DISPLAY_NAME} characters. */
    static String displayName(String displayName) {
        return oneLine("displayName", displayName, MAX_DISPLAY_NAME);
    }

    /**
     * A trimmed one-line text of 1 to {@code max} characters: valid Unicode (no unpaired UTF-16
     * surrogate), no line break, no C0/C1 control character nor DEL; tab is allowed.
     */
    private static String oneLine(String field, String value, int max) {
        if (value == null || value.isBlank()) {
            throw new InvalidInputException(field, "must not be empty");
        }
        String v = value.strip();
        if (v.length() > max) {
            throw new InvalidInputException(field, "must be at most " + max + " characters, was " + v.length());
        }
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < v.length() && Character.isLowSurrogate(v.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new InvalidInputException(field, "must be valid Unicode text: an unpaired UTF-16 surrogate at index " + i);
            } else if (c == '\n' || c == '\r') {
                throw new InvalidInputException(field, "must be a single line: a line break at index " + i);
            } else if (c < 0x20 && c != '\t' || c >= 0x7F && c <= 0x9F) {
                throw new InvalidInputException(field, "must not contain control characters: "
                        + String.format("U+%04X", (int) c) + " at index " + i);
            }
        }
        return v;
    }
}
