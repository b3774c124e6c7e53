package dev.dmengine.spi.objects;

import dev.dmengine.spi.InvalidInputException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One object a client declared before uploading it: where it goes, its content type, its exact
 * length and its SHA-256. {@link ObjectStorage#presignPut} binds all of them into the upload URL
 * as far as the store can ({@link ObjectStorage.Capabilities}); {@link ObjectStorage#verify}
 * checks the stored object against the same declaration. Build with {@link #builder()}.
 *
 * @param contentLength the exact number of bytes, 1 to {@value #MAX_CONTENT_LENGTH} (the largest
 *                      single PUT S3 accepts)
 * @param sha256        the SHA-256 of the bytes, 64 hex digits (kept in lowercase)
 * @param ttl           how long the upload URL is valid, at most {@link PresignedRequest#MAX_TTL};
 *                      {@code null} for the storage's configured default
 */
public record PutRequest(String key, String contentType, long contentLength, String sha256, Duration ttl) {

    public static final long MAX_CONTENT_LENGTH = 5L * 1024 * 1024 * 1024;
    public static final int MAX_CONTENT_TYPE_LENGTH = 255;
    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");
    private static final String TOKEN = "[A-Za-z0-9!#$&^_.+-]+";
    /** RFC 9110 {@code type/subtype *( ";" name=value )}, value a token or a quoted string. */
    private static final Pattern CONTENT_TYPE = Pattern.compile(TOKEN + "/" + TOKEN
            + "(?: *; *" + TOKEN + "=(?:" + TOKEN + "|\"[^\"\\\\\\x00-\\x1f\\x7f]*\"))*");

    public PutRequest {
        List<InvalidInputException.FieldError> errors = new ArrayList<>();
        collect(errors, () -> ObjectKeys.check(key));
        collect(errors, () -> checkContentType(contentType));
        if (contentLength < 1 || contentLength > MAX_CONTENT_LENGTH) {
            errors.add(new InvalidInputException.FieldError("contentLength", "must be 1 to " + MAX_CONTENT_LENGTH
                    + " bytes, was " + contentLength));
        }
        if (sha256 == null || !isSha256Hex(sha256.toLowerCase(Locale.ROOT))) {
            errors.add(new InvalidInputException.FieldError("sha256",
                    "must be the SHA-256 of the bytes as 64 hex digits"));
        }
        if (ttl != null) {
            collect(errors, () -> PresignedRequest.checkTtl(ttl));
        }
        if (!errors.isEmpty()) {
            throw new InvalidInputException(errors);
        }
        sha256 = sha256.toLowerCase(Locale.ROOT);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The TTL the caller asked for, if any. */
    public Optional<Duration> requestedTtl() {
        return Optional.ofNullable(ttl);
    }

    /** This declaration with the given TTL. */
    public PutRequest withTtl(Duration value) {
        return new PutRequest(key, contentType, contentLength, sha256, value);
    }

    /**
     * Returns the content type if it is {@code type/subtype} (with optional parameters) of at most
     * {@value #MAX_CONTENT_TYPE_LENGTH} printable ASCII characters.
     *
     * @throws InvalidInputException naming the field {@code contentType} otherwise
     */
    public static String checkContentType(String contentType) {
        if (contentType == null || contentType.length() > MAX_CONTENT_TYPE_LENGTH
                || !CONTENT_TYPE.matcher(contentType).matches()) {
            throw new InvalidInputException("contentType", "must be type/subtype of at most "
                    + MAX_CONTENT_TYPE_LENGTH + " printable ASCII characters");
        }
        return contentType;
    }

    private static void collect(List<InvalidInputException.FieldError> errors, Runnable check) {
        try {
            check.run();
        } catch (InvalidInputException e) {
            errors.addAll(e.errors());
        }
    }

    /** Whether the text is a SHA-256 in lowercase hex. */
    public static boolean isSha256Hex(String text) {
        return text != null && SHA256_HEX.matcher(text).matches();
    }

    public static final class Builder {
        private String key;
        private String contentType;
        private long contentLength = -1;
        private String sha256;
        private Duration ttl;

        private Builder() {
        }

        public Builder key(String value) {
            key = value;
            return this;
        }

        public Builder contentType(String value) {
            contentType = value;
            return this;
        }

        public Builder contentLength(long value) {
            contentLength = value;
            return this;
        }

        /** The SHA-256 of the bytes as hex digits (either case). */
        public Builder sha256(String value) {
            sha256 = value;
            return this;
        }

        /** How long the URL is valid; leave unset for the storage's default. */
        public Builder ttl(Duration value) {
            ttl = value;
            return this;
        }

        /** @throws InvalidInputException with one error per field that is missing or out of bounds */
        public PutRequest build() {
            return new PutRequest(key, contentType, contentLength, sha256, ttl);
        }
    }
}
