package dev.dmengine.spi.objects;

import dev.dmengine.spi.InvalidInputException;

import java.util.regex.Pattern;

/**
 * The key rule every {@link ObjectStorage} applies: 1 to {@value #MAX_LENGTH} characters of
 * {@code [A-Za-z0-9/._-]}, without {@code ..}. Such keys need no escaping in a URL path, name no
 * parent directory and read the same in every store.
 */
public final class ObjectKeys {

    public static final int MAX_LENGTH = 512;
    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9/._-]{1," + MAX_LENGTH + "}");

    private ObjectKeys() {
    }

    public static boolean isValid(String key) {
        return key != null && KEY.matcher(key).matches() && !key.contains("..");
    }

    /**
     * Returns the key if it is valid.
     *
     * @throws InvalidInputException naming the field {@code key} otherwise
     */
    public static String check(String key) {
        if (key == null) {
            throw new InvalidInputException("key", "is required");
        }
        if (!isValid(key)) {
            throw new InvalidInputException("key", "must be 1 to " + MAX_LENGTH
                    + " characters of A-Z a-z 0-9 / . _ - without \"..\"");
        }
        return key;
    }
}
