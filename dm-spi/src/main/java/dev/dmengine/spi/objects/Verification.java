package dev.dmengine.spi.objects;

import java.util.Objects;

/**
 * Whether a stored object is the one a client declared ({@link ObjectStorage#verify}). Only
 * {@link Verified} lets a host treat the bytes as the declared ones; the others say why not, in
 * words a player can read.
 */
public sealed interface Verification {

    String key();

    default boolean isVerified() {
        return this instanceof Verified;
    }

    /** Why the object is not the declared one; empty when it is. */
    String reason();

    /**
     * The object is the declared one.
     *
     * @param provenByStore {@code true} when the store checked the SHA-256 as the bytes arrived
     *                      and reports it; {@code false} when the bytes were read back and hashed
     */
    record Verified(ObjectInfo object, boolean provenByStore) implements Verification {
        public Verified {
            Objects.requireNonNull(object, "object");
        }

        @Override
        public String key() {
            return object.key();
        }

        @Override
        public String reason() {
            return "";
        }
    }

    /** Nothing is stored under the key (the upload never happened, or was refused). */
    record Missing(String key) implements Verification {
        public Missing {
            Objects.requireNonNull(key, "key");
        }

        @Override
        public String reason() {
            return "nothing was uploaded";
        }
    }

    /**
     * An object is stored but differs from the declaration.
     *
     * @param field {@code contentLength}, {@code contentType} or {@code sha256}
     */
    record Mismatch(String key, String field, String expected, String actual) implements Verification {
        public Mismatch {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(field, "field");
            Objects.requireNonNull(expected, "expected");
            Objects.requireNonNull(actual, "actual");
        }

        @Override
        public String reason() {
            return switch (field) {
                case "contentLength" -> "the upload is " + actual + " bytes, not the declared " + expected;
                case "contentType" -> "the upload is " + actual + ", not the declared " + expected;
                case "sha256" -> "the upload's SHA-256 is not the declared one";
                default -> "the upload's " + field + " is " + actual + ", not the declared " + expected;
            };
        }
    }
}
