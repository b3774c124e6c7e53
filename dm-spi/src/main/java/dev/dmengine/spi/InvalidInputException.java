package dev.dmengine.spi;

import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * The input is malformed or out of bounds. Carries one {@link FieldError} per offending
 * field so that a client can show each next to its field.
 */
public final class InvalidInputException extends NonRetriableException {

    /** One invalid field: its path (e.g. {@code "abilities.str"}) and what is wrong with it. */
    public record FieldError(String field, String message) {
        public FieldError {
            Objects.requireNonNull(field, "field");
            Objects.requireNonNull(message, "message");
        }

        @Override
        public String toString() {
            return field + ": " + message;
        }
    }

    private final List<FieldError> errors;

    public InvalidInputException(String field, String message) {
        this(List.of(new FieldError(field, message)));
    }

    public InvalidInputException(List<FieldError> errors) {
        super(describe(errors), null);
        this.errors = List.copyOf(errors);
    }

    public List<FieldError> errors() {
        return errors;
    }

    private static String describe(List<FieldError> errors) {
        if (errors.isEmpty()) {
            throw new IllegalArgumentException("an InvalidInputException needs at least one field error");
        }
        return errors.stream().map(FieldError::toString).collect(Collectors.joining("; "));
    }
}
