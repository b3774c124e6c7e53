package dev.dmengine.remote;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * The settings every HTTP model adapter shares — where (base URL), who (API key), how long to
 * connect, how to retry, when to stop calling a failing provider, and an optional host-owned
 * {@link HttpClient} — with their defaults and checks in one place. An adapter's builder extends
 * it, adds its own settings, and builds its {@link RemoteEndpoint} with {@link #endpoint}.
 *
 * <table>
 *   <caption>Shared settings</caption>
 *   <tr><th>setting</th><th>default</th></tr>
 *   <tr><td>{@code baseUrl}</td><td>the provider's public API</td></tr>
 *   <tr><td>{@code apiKey}</td><td>none</td></tr>
 *   <tr><td>{@code connectTimeout}</td><td>10 s (ignored with {@code httpClient})</td></tr>
 *   <tr><td>{@code maxRetries}</td><td>3</td></tr>
 *   <tr><td>{@code initialBackoff} / {@code maxBackoff}</td><td>500 ms / 10 s</td></tr>
 *   <tr><td>{@code maxRetryAfter}</td><td>60 s</td></tr>
 *   <tr><td>{@code circuitBreakerThreshold} / {@code circuitBreakerCoolDown}</td><td>5 / 30 s</td></tr>
 * </table>
 *
 * @param <B> the concrete builder, returned by every setter
 */
public abstract class HttpModelBuilder<B extends HttpModelBuilder<B>> {

    private String baseUrl;
    private String apiKey;
    private String apiKeyVariable;
    private Duration connectTimeout = Duration.ofSeconds(10);
    private int maxRetries = 3;
    private Duration initialBackoff = Duration.ofMillis(500);
    private Duration maxBackoff = Duration.ofSeconds(10);
    private Duration maxRetryAfter = Duration.ofSeconds(60);
    private int circuitBreakerThreshold = 5;
    private Duration circuitBreakerCoolDown = Duration.ofSeconds(30);
    private Clock clock = Clock.systemUTC();
    private HttpClient httpClient;

    protected HttpModelBuilder(String defaultBaseUrl) {
        this.baseUrl = defaultBaseUrl;
    }

    /** This builder as its concrete type. */
    protected abstract B self();

    /** The API root, e.g. {@code http://localhost:11434/v1} (with the version segment the provider uses). */
    public B baseUrl(String value) {
        baseUrl = value;
        return self();
    }

    /** Sent as {@code Authorization: Bearer …}. Never logged, printed or put in an exception. */
    public B apiKey(String value) {
        apiKey = value;
        apiKeyVariable = null;
        return self();
    }

    /** Reads the key from an environment variable now; a missing variable is named when building. */
    public B apiKeyFromEnvironment(String variable) {
        apiKey = System.getenv(requireText(variable, "variable"));
        apiKeyVariable = variable;
        return self();
    }

    /** Time to open the TCP (and TLS) connection; ignored when {@link #httpClient} is given. */
    public B connectTimeout(Duration value) {
        connectTimeout = value;
        return self();
    }

    /** Retries after the first attempt (0 turns retrying off). */
    public B maxRetries(int value) {
        maxRetries = value;
        return self();
    }

    /** Backoff before the first retry; it doubles per retry up to {@link #maxBackoff}, with jitter. */
    public B initialBackoff(Duration value) {
        initialBackoff = value;
        return self();
    }

    public B maxBackoff(Duration value) {
        maxBackoff = value;
        return self();
    }

    /**
     * The longest wait a server may ask for ({@code retry-after-ms}, {@code Retry-After}) that is
     * waited out; a longer one is reported at once, as a {@code RateLimitedException} carrying it
     * for a 429.
     */
    public B maxRetryAfter(Duration value) {
        maxRetryAfter = value;
        return self();
    }

    /** Consecutive failed calls that open the circuit breaker. */
    public B circuitBreakerThreshold(int value) {
        circuitBreakerThreshold = value;
        return self();
    }

    /** How long an open circuit breaker refuses calls before it lets one trial through. */
    public B circuitBreakerCoolDown(Duration value) {
        circuitBreakerCoolDown = value;
        return self();
    }

    /** The clock of the circuit breaker's cool-down and of HTTP-date {@code Retry-After} values. */
    public B clock(Clock value) {
        clock = value;
        return self();
    }

    /** A host-owned client (its own connect timeout, proxy, executor). */
    public B httpClient(HttpClient value) {
        httpClient = value;
        return self();
    }

    /**
     * Checks the shared settings and builds the endpoint.
     *
     * @param missingKey the message when no key is set, or null when a key is optional
     * @throws IllegalArgumentException naming the setting that is wrong
     */
    protected final RemoteEndpoint endpoint(Provider provider, String missingKey) {
        String key = apiKey == null || apiKey.isBlank() ? null : apiKey;
        if (key == null && missingKey != null) {
            throw new IllegalArgumentException(apiKeyVariable != null
                    ? "the " + apiKeyVariable + " environment variable is not set" : missingKey);
        }
        URI base = baseUri();
        Clock c = Objects.requireNonNull(clock, "clock");
        RetryPolicy retry = new RetryPolicy(maxRetries, new Backoff(positive(initialBackoff, "initialBackoff"),
                positive(maxBackoff, "maxBackoff")), positive(maxRetryAfter, "maxRetryAfter"));
        CircuitBreaker breaker = new CircuitBreaker(circuitBreakerThreshold,
                positive(circuitBreakerCoolDown, "circuitBreakerCoolDown"), c);
        HttpClient http = httpClient != null ? httpClient : HttpClient.newBuilder()
                .connectTimeout(positive(connectTimeout, "connectTimeout"))
                .version(HttpClient.Version.HTTP_1_1)
                .build();
        return new RemoteEndpoint(provider, base, key, http, retry, breaker,
                new ExceptionMapper(provider, key, c));
    }

    private URI baseUri() {
        String base = requireText(baseUrl, "baseUrl");
        URI uri;
        try {
            uri = URI.create(base.endsWith("/") ? base : base + "/");
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("baseUrl is not a valid URL: " + base, e);
        }
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
            throw new IllegalArgumentException("baseUrl must be an http or https URL, was " + base);
        }
        return uri;
    }

    /** {@code value}, or an {@link IllegalArgumentException} naming the setting when it is blank. */
    public static String requireText(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " must be set");
        }
        return value;
    }

    /** {@code value}, or an {@link IllegalArgumentException} naming the setting unless it is positive. */
    public static Duration positive(Duration value, String name) {
        if (value == null || value.isZero() || value.isNegative()) {
            throw new IllegalArgumentException(name + " must be a positive duration, was " + value);
        }
        return value;
    }

    /** {@code value}, or an {@link IllegalArgumentException} naming the setting unless it is at least {@code min}. */
    public static int atLeast(int value, int min, String name) {
        if (value < min) {
            throw new IllegalArgumentException(name + " must be at least " + min + ", was " + value);
        }
        return value;
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[baseUrl=" + baseUrl + ", apiKey=" + (apiKey == null ? "none" : "[redacted]")
                + "]";
    }
}
