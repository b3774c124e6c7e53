package dev.dmengine.remote;

import dev.dmengine.spi.DmException;
import dev.dmengine.spi.InvalidInputException;
import dev.dmengine.spi.NotFoundException;
import dev.dmengine.spi.PermissionDeniedException;
import dev.dmengine.spi.RateLimitedException;
import dev.dmengine.spi.UnavailableException;

import java.time.Duration;

/** Translates an HTTP error status of a model server into the spi hierarchy, once. */
public final class ExceptionMapper {

    private ExceptionMapper() {
    }

    /** Whether the status says the server is unwell (and a retry of an idempotent call may help). */
    public static boolean isServerFault(int status) {
        return status >= 500 || status == 408;
    }

    /**
     * @param what       what was called, for the message (e.g. {@code "chat completion"})
     * @param model      the model asked for (404 names it)
     * @param detail     the provider's error text, already scrubbed of secrets
     * @param retryAfter the server's or our own wait before a retry (429)
     */
    public static DmException map(int status, String what, String model, String detail, Duration retryAfter) {
        String message = what + " failed with HTTP " + status + (detail.isEmpty() ? "" : ": " + detail);
        if (status == 429) {
            return new RateLimitedException(message, retryAfter == null ? Duration.ofSeconds(1) : retryAfter);
        }
        if (isServerFault(status)) {
            return new UnavailableException(message);
        }
        if (status == 401 || status == 403) {
            return new PermissionDeniedException(what + " was refused (HTTP " + status
                    + "): check the API key or token" + (detail.isEmpty() ? "" : " (" + detail + ")"));
        }
        if (status == 404) {
            return new NotFoundException("model", model);
        }
        return new InvalidInputException("request", message);
    }
}
