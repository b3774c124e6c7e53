package dev.dmengine.core.game;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dmengine.core.internal.Json;
import dev.dmengine.spi.InvalidInputException;
import dev.dmengine.spi.InvalidInputException.FieldError;
import dev.dmengine.spi.game.InventoryItem;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The engine's input checks, in one place: the domain services and the turn engine apply them
 * to every text a caller gives, before any store is called, whatever the adapters. Each
 * failure is an {@link InvalidInputException} naming the field (and the limit).
 *
 * <p>Text is refused unless it is valid Unicode: an unpaired UTF-16 surrogate (which no UTF-8
 * encoder can write, so a JSON answer holding one fails and a database stores {@code ?}), NUL,
 * and the other C0 and C1 control characters and DEL are refused everywhere. Tab is allowed
 * everywhere; line feed and carriage return only in multi-line texts (a player's message,
 * strings inside a JSON document). Strings inside JSON documents (character sheets), keys
 * included, are held to the same rules: they reach the list views like any name.
 *
 * <p>{@link #storable} is the narrower rule every store enforces on its own (see the store
 * contracts in dm-testkit): no unpaired surrogate, no NUL.
 */
public final class Validation {

    private static final int MAX_PATH_SEGMENT = 40;

    private Validation() {
    }

    /** A trimmed one-line text of 1 to {@code max} characters (see the class comment for what is refused). */
    public static String text(String field, String value, int max) {
        return required(field, value, max, false);
    }

    /** A trimmed text of 1 to {@code max} characters that may hold line breaks and tabs. */
    public static String multilineText(String field, String value, int max) {
        return required(field, value, max, true);
    }

    private static String required(String field, String value, int max, boolean multiline) {
        if (value == null || value.isBlank()) {
            throw new InvalidInputException(field, "must not be empty");
        }
        String v = value.strip();
        if (v.length() > max) {
            throw new InvalidInputException(field, "must be at most " + max + " characters, was " + v.length());
        }
        return wellFormed(field, v, multiline);
    }

    /**
     * Checks the characters of {@code value} only (no trimming, no length): valid Unicode without
     * control characters, line breaks only if {@code multiline}. {@code null} passes.
     */
    public static String wellFormed(String field, String value, boolean multiline) {
        String problem = problem(value, multiline);
        if (problem != null) {
            throw new InvalidInputException(field, problem);
        }
        return value;
    }

    /** What is wrong with the characters of {@code value}, or {@code null} if nothing is. */
    private static String problem(String value, boolean multiline) {
        if (value == null) {
            return null;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
                i++;
                continue;
            }
            if (Character.isSurrogate(c)) {
                return "must be valid Unicode text: an unpaired UTF-16 surrogate at index " + i;
            }
            if (c == '\n' || c == '\r') {
                if (!multiline) {
                    return "must be a single line: a line break at index " + i;
                }
            } else if (c < 0x20 && c != '\t' || c >= 0x7F && c <= 0x9F) {
                return "must not contain control characters: " + String.format("U+%04X", (int) c) + " at index " + i;
            }
        }
        return null;
    }

    /**
     * Parses a JSON document and checks every string in it, object keys included, as multi-line
     * text. Field errors name the path ({@code sheet.notes}, {@code sheet.items[2]}).
     */
    public static JsonNode jsonDocument(String field, String json) {
        JsonNode root = Json.parse(field, json);
        List<FieldError> errors = new ArrayList<>();
        Deque<Map.Entry<String, JsonNode>> todo = new ArrayDeque<>();
        todo.push(Map.entry(field, root));
        while (!todo.isEmpty() && errors.size() < 10) {
            Map.Entry<String, JsonNode> next = todo.pop();
            String path = next.getKey();
            JsonNode node = next.getValue();
            if (node.isTextual()) {
                String p = problem(node.textValue(), true);
                if (p != null) {
                    errors.add(new FieldError(path, p));
                }
            } else if (node.isArray()) {
                for (int i = node.size() - 1; i >= 0; i--) {
                    todo.push(Map.entry(path + "[" + i + "]", node.get(i)));
                }
            } else if (node.isObject()) {
                for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    String p = problem(e.getKey(), true);
                    if (p != null) {
                        errors.add(new FieldError(path, "a key here " + p));
                        continue;
                    }
                    todo.push(Map.entry(path + "." + clip(e.getKey()), e.getValue()));
                }
            }
        }
        if (!errors.isEmpty()) {
            throw new InvalidInputException(errors);
        }
        return root;
    }

    private static String clip(String key) {
        return key.length() <= MAX_PATH_SEGMENT ? key : key.substring(0, MAX_PATH_SEGMENT) + "…";
    }

    /** Checks the strings of every item (id, name, tags) as one-line text; field errors name the item. */
    public static List<InventoryItem> inventory(String field, List<InventoryItem> items) {
        List<FieldError> errors = new ArrayList<>();
        for (int i = 0; items != null && i < items.size(); i++) {
            InventoryItem item = items.get(i);
            String at = field + "[" + i + "].";
            check(errors, at + "itemId", item.itemId());
            check(errors, at + "name", item.name());
            for (String tag : item.tags()) {
                if (check(errors, at + "tags", tag)) {
                    break;
                }
            }
        }
        if (!errors.isEmpty()) {
            throw new InvalidInputException(errors);
        }
        return items;
    }

    private static boolean check(List<FieldError> errors, String field, String value) {
        String p = problem(value, false);
        if (p != null) {
            errors.add(new FieldError(field, p));
        }
        return p != null;
    }

    /**
     * What every store refuses on its own: text that is not valid Unicode (an unpaired UTF-16
     * surrogate) or holds NUL. {@code null} passes.
     */
    public static String storable(String field, String value) {
        if (value == null) {
            return null;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new InvalidInputException(field, "is not valid Unicode: an unpaired surrogate at index " + i);
            } else if (c == '\0') {
                throw new InvalidInputException(field, "contains a NUL character at index " + i);
            }
        }
        return value;
    }

    /**
     * {@link #storable} for a JSON document, whose strings may also spell those characters as
     * escapes: an unpaired {@code \}{@code ud800} or a {@code \}{@code u0000} is refused too.
     */
    public static String storableJson(String field, String json) {
        storable(field, json);
        if (json == null) {
            return null;
        }
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
                throw new InvalidInputException(field, "contains a \\u0000 escape (NUL) at index " + i);
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
        return json;
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

    /**
     * Text from elsewhere than the player (a language model's reply), made storable: unpaired
     * surrogates become U+FFFD, control characters other than tab and line breaks are dropped.
     */
    public static String clean(String text) {
        if (text == null || problem(text, true) == null) {
            return text;
        }
        StringBuilder b = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                b.append(c).append(text.charAt(++i));
            } else if (Character.isSurrogate(c)) {
                b.append('\uFFFD');
            } else if (c == '\n' || c == '\r' || c == '\t' || !(c < 0x20 || c >= 0x7F && c <= 0x9F)) {
                b.append(c);
            }
        }
        return b.toString();
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
