package dev.dmengine.core.internal;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.databind.exc.InvalidTypeIdException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.util.StdConverter;
import dev.dmengine.spi.InvalidInputException;
import dev.dmengine.spi.InvalidInputException.FieldError;
import dev.dmengine.spi.game.InventoryItem;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The engine's one JSON mapper (strict on input, stable on output: map keys and item tags
 * sorted, nulls left out) and the translation of Jackson errors into field errors.
 * Internal: hosts keep their own mapper.
 */
public final class Json {

    /** Strict: unknown fields, floats for ints, nulls for primitives and trailing tokens are errors. */
    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .defaultPropertyInclusion(JsonInclude.Value.construct(JsonInclude.Include.NON_NULL, JsonInclude.Include.NON_NULL))
            .enable(com.fasterxml.jackson.databind.SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .disable(com.fasterxml.jackson.databind.SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .addMixIn(InventoryItem.class, InventoryItemMixin.class)
            .build();

    private Json() {
    }

    /** Serializes item tags sorted, so equal inventories always give equal JSON. */
    abstract static class InventoryItemMixin {
        @JsonSerialize(converter = SortedTags.class)
        abstract Set<String> tags();
    }

    static final class SortedTags extends StdConverter<Set<String>, List<String>> {
        @Override
        public List<String> convert(Set<String> value) {
            return new ArrayList<>(new TreeSet<>(value));
        }
    }

    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Parses client-supplied JSON, naming the field when it is not valid JSON. */
    public static JsonNode parse(String field, String json) {
        try {
            return MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new InvalidInputException(field, "is not valid JSON: " + e.getOriginalMessage());
        }
    }

    public static JsonNode tree(Object value) {
        return MAPPER.valueToTree(value);
    }

    /**
     * Reads {@code json} as {@code type}.
     *
     * @throws InvalidInputException with field paths relative to the document root
     */
    public static <T> T read(String json, Class<T> type, String rootField) {
        if (json == null) {
            throw new InvalidInputException(rootField, "is required");
        }
        try {
            return MAPPER.readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new InvalidInputException(fieldErrors(e, rootField));
        }
    }

    /** Converts an already-parsed tree. */
    public static <T> T convert(JsonNode node, Class<T> type, String rootField) {
        try {
            return MAPPER.treeToValue(node, type);
        } catch (JsonProcessingException e) {
            throw new InvalidInputException(fieldErrors(e, rootField));
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(rootField, e.getMessage());
        }
    }

    /** Field errors for a Jackson failure; validation errors thrown by constructors keep their own paths. */
    public static List<FieldError> fieldErrors(JsonProcessingException e, String rootField) {
        String path = e instanceof JsonMappingException m ? path(m) : "";
        InvalidInputException invalid = find(e, InvalidInputException.class);
        if (invalid != null) {
            List<FieldError> out = new ArrayList<>();
            for (FieldError fe : invalid.errors()) {
                out.add(new FieldError(path.isEmpty() ? fe.field() : path + "." + fe.field(), fe.message()));
            }
            return out;
        }
        String field = path.isEmpty() ? rootField : path;
        return List.of(new FieldError(field, describe(e)));
    }

    /** A one-line, human-readable description of a Jackson failure (no class names, no source dump). */
    public static String describe(JsonProcessingException e) {
        if (e instanceof UnrecognizedPropertyException u) {
            return "unknown field '" + Names.clip(u.getPropertyName()) + "'";
        }
        if (e instanceof InvalidTypeIdException t) {
            return t.getTypeId() == null ? "missing \"type\""
                    : "unknown type '" + Names.clip(t.getTypeId()) + "'";
        }
        InvalidInputException invalid = find(e, InvalidInputException.class);
        if (invalid != null) {
            return invalid.getMessage();
        }
        IllegalArgumentException iae = find(e, IllegalArgumentException.class);
        if (iae != null && iae.getMessage() != null) {
            return iae.getMessage();
        }
        if (e instanceof MismatchedInputException m && m.getTargetType() != null) {
            return "expected " + typeName(m.getTargetType());
        }
        String msg = e.getOriginalMessage();
        if (msg == null) {
            msg = "malformed JSON";
        }
        int cut = msg.indexOf('\n');
        if (cut > 0) {
            msg = msg.substring(0, cut);
        }
        if (e.getLocation() != null && e.getLocation().getLineNr() > 0) {
            msg = msg + " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
        }
        return msg.length() > 200 ? msg.substring(0, 200) + "…" : msg;
    }

    private static String typeName(Class<?> t) {
        if (t == int.class || t == Integer.class || t == long.class || t == Long.class) {
            return "an integer";
        }
        if (t == boolean.class || t == Boolean.class) {
            return "true or false";
        }
        if (t == String.class) {
            return "a string";
        }
        if (t.isEnum()) {
            return "a name";
        }
        if (java.util.Collection.class.isAssignableFrom(t)) {
            return "an array";
        }
        return "an object";
    }

    private static String path(JsonMappingException e) {
        StringBuilder b = new StringBuilder();
        for (JsonMappingException.Reference r : e.getPath()) {
            if (r.getFieldName() != null) {
                if (!b.isEmpty()) {
                    b.append('.');
                }
                b.append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                b.append('[').append(r.getIndex()).append(']');
            }
        }
        return b.toString();
    }

    private static <X extends Throwable> X find(Throwable t, Class<X> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return type.cast(c);
            }
            if (c.getCause() == c) {
                break;
            }
        }
        return null;
    }
}
