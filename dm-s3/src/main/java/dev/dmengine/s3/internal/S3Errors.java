package dev.dmengine.s3.internal;

import dev.dmengine.spi.NotFoundException;
import dev.dmengine.spi.UnavailableException;
import io.minio.errors.ErrorResponseException;
import io.minio.errors.InsufficientDataException;
import io.minio.errors.InternalException;
import io.minio.errors.InvalidResponseException;
import io.minio.errors.ServerException;
import io.minio.errors.XmlParserException;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.util.Set;

/**
 * Translates what minio-java throws into the dm-spi exceptions, once, at the adapter's boundary.
 * Everything the store refuses for reasons of this server's configuration (credentials, region,
 * a missing bucket) and everything that fails on the way (connection, 5xx, a non-S3 answer) is
 * an {@link UnavailableException}: from a player's side the store is down, and the message says
 * which setting to look at. A missing object is a {@link NotFoundException}. Messages name the
 * endpoint, bucket and S3 error code, never a credential.
 */
public final class S3Errors {

    private static final Set<String> MISSING_OBJECT = Set.of("NoSuchKey", "NoSuchObject", "NoSuchVersion");
    private static final Set<String> CREDENTIALS = Set.of("InvalidAccessKeyId", "SignatureDoesNotMatch",
            "AccessDenied", "InvalidToken", "ExpiredToken", "InvalidSecurity", "Forbidden");
    private static final Set<String> REGION = Set.of("AuthorizationHeaderMalformed", "InvalidRegion",
            "IllegalLocationConstraintException", "PermanentRedirect", "Redirect");

    private final String endpoint;
    private final String bucket;
    private final String region;

    public S3Errors(String endpoint, String bucket, String region) {
        this.endpoint = endpoint;
        this.bucket = bucket;
        this.region = region;
    }

    /** The S3 error code of a refusal, or {@code null} when the failure is not one. */
    public static String code(Exception e) {
        return e instanceof ErrorResponseException r && r.errorResponse() != null ? r.errorResponse().code() : null;
    }

    public static boolean isMissingObject(Exception e) {
        String code = code(e);
        return code != null && MISSING_OBJECT.contains(code);
    }

    /**
     * The dm-spi exception for a failure of {@code action} (e.g. "stat object a/b.png").
     *
     * @param key the object concerned, or {@code null}
     */
    public RuntimeException translate(String action, String key, Exception e) {
        if (e instanceof RuntimeException r) {
            return r; // minio-java's own argument checks, or ours
        }
        String code = code(e);
        if (code != null) {
            return refusal(action, key, code, (ErrorResponseException) e);
        }
        return switch (e) {
            case ServerException s -> new UnavailableException(
                    "the object store at " + endpoint + " failed to " + action + " (HTTP " + s.statusCode() + ")", e);
            case InvalidResponseException i -> new UnavailableException("the object store at " + endpoint
                    + " gave a response that is not S3's to " + action + "; is it an S3 endpoint?", e);
            case IOException io -> new UnavailableException(
                    "cannot reach the object store at " + endpoint + " to " + action + ": " + io.getMessage(), e);
            case InsufficientDataException d -> new UnavailableException(
                    "the object store at " + endpoint + " sent less data than announced to " + action, e);
            case XmlParserException x -> new UnavailableException(
                    "the object store at " + endpoint + " sent unreadable XML to " + action, e);
            case InternalException x -> new UnavailableException(
                    "minio-java failed to " + action + " at " + endpoint + ": " + x.getMessage(), e);
            case GeneralSecurityException g -> new IllegalStateException("the JDK lacks HMAC-SHA256 or SHA-256", e);
            default -> new UnavailableException("failed to " + action + " at " + endpoint + ": " + e, e);
        };
    }

    private RuntimeException refusal(String action, String key, String code, ErrorResponseException e) {
        String status = e.response() == null ? "" : " (HTTP " + e.response().code() + ")";
        if (MISSING_OBJECT.contains(code) && key != null) {
            return new NotFoundException("object", key);
        }
        if ("NoSuchBucket".equals(code)) {
            return new UnavailableException("bucket '" + bucket + "' does not exist at " + endpoint
                    + "; S3ObjectStorage.ensureBucket() creates it", e);
        }
        if (CREDENTIALS.contains(code)) {
            return new UnavailableException("the object store at " + endpoint + " refused this server's credentials ("
                    + code + status + ") to " + action + ": check the access key and secret key, and that the key"
                    + " may read and write bucket '" + bucket + "'", e);
        }
        if (REGION.contains(code)) {
            return new UnavailableException("the object store at " + endpoint + " refused region '" + region + "' ("
                    + code + status + ") to " + action + ": the region must be the store's own (on Garage, its"
                    + " s3_region)", e);
        }
        return new UnavailableException("the object store at " + endpoint + " refused to " + action + ": " + code
                + status + (e.errorResponse().message() == null ? "" : " " + e.errorResponse().message()), e);
    }
}
