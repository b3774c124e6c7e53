package dev.dmengine.remote;

import dev.dmengine.remote.internal.Pause;
import dev.dmengine.spi.UnavailableException;
import dev.dmengine.spi.generation.CancellationSignal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * One provider as an adapter reaches it: its base URL and credential, the HTTP client, and the
 * shared policy around every call — {@link #call} runs {@link Attempt}s under the
 * {@link RetryPolicy} and the {@link CircuitBreaker}, and {@link #errors()} turns what the
 * provider answered into dm-spi exceptions. Built by {@link HttpModelBuilder#endpoint}.
 */
public final class RemoteEndpoint {

    private static final Logger LOG = LoggerFactory.getLogger(RemoteEndpoint.class);

    private final Provider provider;
    private final URI base;
    private final String apiKey;
    private final HttpClient http;
    private final RetryPolicy retry;
    private final CircuitBreaker breaker;
    private final ExceptionMapper errors;

    RemoteEndpoint(Provider provider, URI base, String apiKey, HttpClient http, RetryPolicy retry,
                   CircuitBreaker breaker, ExceptionMapper errors) {
        this.provider = Objects.requireNonNull(provider, "provider");
        this.base = Objects.requireNonNull(base, "base");
        this.apiKey = apiKey;
        this.http = Objects.requireNonNull(http, "http");
        this.retry = Objects.requireNonNull(retry, "retry");
        this.breaker = Objects.requireNonNull(breaker, "breaker");
        this.errors = Objects.requireNonNull(errors, "errors");
    }

    /** The API root, always ending with a slash. */
    public URI base() {
        return base;
    }

    /** {@code path} (no leading slash) under the API root. */
    public URI resolve(String path) {
        return base.resolve(path);
    }

    public HttpClient http() {
        return http;
    }

    public RetryPolicy retryPolicy() {
        return retry;
    }

    public CircuitBreaker breaker() {
        return breaker;
    }

    public ExceptionMapper errors() {
        return errors;
    }

    public boolean hasApiKey() {
        return apiKey != null;
    }

    /** {@code text} without the credential (for messages built from provider text). */
    public String scrub(String text) {
        return errors.scrub(text);
    }

    /**
     * A request to {@code uri} with a timeout, carrying {@code Authorization: Bearer …} when there
     * is a key and {@code uri} belongs to the provider's own site (a stream URL on a sibling host
     * gets it; a URL anywhere else never does).
     */
    public HttpRequest.Builder request(URI uri, Duration timeout) {
        HttpRequest.Builder rb = HttpRequest.newBuilder(uri).timeout(timeout);
        if (apiKey != null && sameSite(base, uri)) {
            rb.header("Authorization", "Bearer " + apiKey);
        }
        return rb;
    }

    /**
     * Runs attempts until one succeeds or the {@link RetryPolicy} says to stop, and then throws
     * the last failure's exception. The circuit breaker is asked before each attempt (an open one
     * fails the call at once) and told each outcome.
     *
     * @param what          what is called, for logs and the circuit-open message
     * @param deadlineNanos no wait before a retry may end past this {@link System#nanoTime()}
     * @param cancellation  ends a wait before a retry at once (nullable)
     */
    public <T> T call(String what, Attempt<T> attempt, long deadlineNanos, CancellationSignal cancellation) {
        return run(what, attempt, deadlineNanos, cancellation, true);
    }

    /**
     * Like {@link #call} but outside the circuit breaker: for a lookup that settles the outcome of
     * another call (it must go out even while the breaker is open, and says nothing about it).
     */
    public <T> T callUnguarded(String what, Attempt<T> attempt, long deadlineNanos) {
        return run(what, attempt, deadlineNanos, null, false);
    }

    private <T> T run(String what, Attempt<T> attempt, long deadlineNanos, CancellationSignal cancellation,
                      boolean guarded) {
        for (int n = 1; ; n++) {
            if (guarded && !breaker.tryAcquire()) {
                throw new UnavailableException(provider.name() + " keeps failing; calls to it pause for a moment "
                        + "(circuit open)");
            }
            AttemptFailure failure;
            try {
                T result = attempt.run(n);
                if (guarded) {
                    breaker.onSuccess();
                }
                return result;
            } catch (AttemptFailure f) {
                failure = f;
            } catch (RuntimeException e) { // cancelled, or the caller's own code refused
                if (guarded) {
                    breaker.onNeutral();
                }
                throw e;
            }
            if (guarded) {
                record(failure);
            }
            Optional<Duration> wait = retry.delayBeforeRetry(failure, n, deadlineNanos);
            if (wait.isEmpty()) {
                throw failure.error();
            }
            LOG.debug("{}: attempt {} failed ({}); retrying in {} ms", what, n, failure.getMessage(),
                    wait.get().toMillis());
            Pause.before(wait.get(), cancellation);
        }
    }

    private void record(AttemptFailure failure) {
        if (failure.providerFault()) {
            breaker.onFailure();
        } else {
            breaker.onNeutral();
        }
    }

    /** Whether {@code url} belongs to the API's site: the same host, or a host under the API host's parent domain. */
    public static boolean sameSite(URI api, URI url) {
        String a = api.getHost();
        String b = url.getHost();
        if (a == null || b == null) {
            return false;
        }
        if (a.equalsIgnoreCase(b)) {
            return true;
        }
        if (isIpLiteral(a) || isIpLiteral(b)) {
            return false; // 10.0.0.1 is no sibling of 127.0.0.1
        }
        int dot = a.indexOf('.');
        String parent = (dot < 0 ? a : a.substring(dot + 1)).toLowerCase(Locale.ROOT);
        String other = b.toLowerCase(Locale.ROOT);
        return parent.contains(".") && (other.equals(parent) || other.endsWith("." + parent));
    }

    private static boolean isIpLiteral(String host) {
        return host.contains(":") || host.chars().allMatch(c -> c == '.' || Character.isDigit(c));
    }

    @Override
    public String toString() {
        return "RemoteEndpoint[" + provider.name() + " at " + base + ", key=" + (apiKey == null ? "none" : "[redacted]")
                + "]";
    }
}
