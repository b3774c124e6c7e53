package dev.dmengine.core.internal;

import java.util.Locale;

/** Lenient name matching for ids the model or a player types: case, spaces, '-' and '_' are ignored. */
public final class Names {
    private Names() {
    }

    /** {@code "Sleight of Hand"}, {@code "sleight-of-hand"} and {@code "sleight_of_hand"} all become {@code "sleightofhand"}. */
    public static String normalize(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toLowerCase(Locale.ROOT).toCharArray()) {
            if (Character.isLetterOrDigit(c)) {
                b.append(c);
            }
        }
        return b.toString();
    }

    /** Shortens text for error messages so a hostile input cannot blow them up. */
    public static String clip(String s) {
        if (s == null) {
            return "null";
        }
        return s.length() <= 40 ? s : s.substring(0, 40) + "…";
    }
}
