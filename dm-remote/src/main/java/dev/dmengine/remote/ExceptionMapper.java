package dev.dmengine.remote;

import dev.dmengine.spi.DmException;
import dev.dmengine.spi.InvalidInputException;
import dev.dmengine.spi.NotFoundException;
import dev.dmengine.spi.PermissionDeniedException;
import dev.dmengine.spi.RateLimitedException;
import dev.dmengine.spi.UnavailableException;

import java.io.IOException;
import java.net.http.HttpHeaders;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Translates what a provider answered (an HTTP error status, a broken connection) into the
 * dm-spi exception hierarchy: the one mapper of every model adapter, so that a 429 from OpenAI
 * and a 429 from Replicate reach the engine and the host as the same exception.
 *
 * <table>
 *   <caption>HTTP status to exception</caption>
 *   <tr><th>status</th><th>exception</th></tr>
 *   <tr><td>429</td><td>{@link RateLimitedException} carrying the server's wait (1 s when it names none)</td></tr>
 *   <tr><td>5xx, 408, 409, or any status with {@code x-should-retry: true}</td><td>{@link UnavailableException}
 *       (a provider's 409 is its own lock timeout, never the player's conflict)</td></tr>
 *   <tr><td>401, 403</td><td>{@link PermissionDeniedException} naming the credential to check</td></tr>
 *   <tr><td>404</td><td>{@link NotFoundException} of the operation's resource (the model, the prediction)</td></tr>
 *   <tr><td>other 4xx</td><td>{@link InvalidInputException} on field {@code request}</td></tr>
 * </table>
 *
 * <p>Every provider text that goes into a message is scrubbed of the credential first.
 */
public final class ExceptionMapper {

    private final Provider provider;
    private final String secret;
    private final Clock clock;

    /**
     * @param secret the credential to scrub from messages; null when there is none
     */
    public ExceptionMapper(Provider provider, String secret, Clock clock) {
        this.provider = Objects.requireNonNull(provider, "provider");
        this.secret = secret;
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Whether the status says the provider is unwell (it counts towards the circuit breaker). */
    public static boolean isProviderFault(int status) {
        return status >= 500 || status == 408;
    }

    /** The failure an HTTP error response means: its exception, whether to retry, after how long. */
    public AttemptFailure failure(Operation operation, int status, HttpHeaders headers, String body) {
        String detail = scrub(provider.errorDetail().apply(body == null ? "" : body));
        Duration delay = RetryPolicy.serverDelay(headers, clock)
                .or(() -> provider.delayHint().apply(body == null ? "" : body)).orElse(null);
        boolean serverSaysRetry = RetryPolicy.serverSaysRetry(headers).orElse(false);
        DmException error = exception(operation, status, detail, delay, serverSaysRetry);
        return AttemptFailure.of(error, RetryPolicy.shouldRetry(status, headers), isProviderFault(status), delay);
    }

    /**
     * The exception for an error status.
     *
     * @param detail          the provider's text, already scrubbed
     * @param serverDelay     the wait the server named (nullable)
     * @param serverSaysRetry the server sent {@code x-should-retry: true}
     */
    public DmException exception(Operation operation, int status, String detail, Duration serverDelay,
                                 boolean serverSaysRetry) {
        String message = operation.description() + " failed with HTTP " + status
                + (detail.isEmpty() ? "" : ": " + detail);
        if (status == 429) {
            return new RateLimitedException(message, serverDelay == null ? Duration.ofSeconds(1) : serverDelay);
        }
        if (isProviderFault(status) || status == 409 || serverSaysRetry) {
            return new UnavailableException(message);
        }
        if (status == 401 || status == 403) {
            return new PermissionDeniedException(operation.description() + " was refused (HTTP " + status
                    + "): check the " + provider.credential() + (detail.isEmpty() ? "" : " (" + detail + ")"));
        }
        if (status == 404) {
            return new NotFoundException(operation.resourceKind(), operation.resourceId());
        }
        return new InvalidInputException("request", message);
    }

    /**
     * A connection that could not be opened, timed out or broke. {@code retriable} is the
     * caller's to say: a read is always safe to repeat, a create whose request went out is not.
     */
    public AttemptFailure unreachable(IOException e, boolean retriable) {
        // the address and the exception's class stay in the cause: the message reaches players
        UnavailableException error = new UnavailableException(provider.name()
                + " could not be reached, timed out or broke the connection", e);
        return AttemptFailure.of(error, retriable, true, null);
    }

    /** {@code text} without the credential, on one line, cut to a readable length. */
    public String scrub(String text) {
        return Secrets.scrub(text, secret);
    }

    /** The server's wait for these headers, if any (for callers that read a status themselves). */
    public Optional<Duration> serverDelay(HttpHeaders headers) {
        return RetryPolicy.serverDelay(headers, clock);
    }
}
