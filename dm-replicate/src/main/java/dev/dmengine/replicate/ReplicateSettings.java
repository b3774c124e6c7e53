package dev.dmengine.replicate;

import dev.dmengine.remote.Backoff;
import dev.dmengine.remote.CircuitBreaker;
import dev.dmengine.replicate.internal.ReplicateApi;
import dev.dmengine.replicate.internal.ReplicateApi.Target;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/** The settings the Replicate adapters share: where, who, what, and the retry policy. */
final class ReplicateSettings {

    private static final Pattern OWNER_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*");
    private static final Pattern VERSION_ID = Pattern.compile("[0-9a-f]{32,128}");

    String baseUrl = "https://api.replicate.com/v1";
    String apiToken;
    boolean tokenFromEnvironment;
    Target target;
    Duration connectTimeout = Duration.ofSeconds(10);
    Duration requestTimeout = Duration.ofSeconds(30);
    int maxRetries = 3;
    Duration initialBackoff = Duration.ofMillis(500);
    Duration maxBackoff = Duration.ofSeconds(10);
    Duration maxRetryAfter = Duration.ofSeconds(60);
    int circuitBreakerThreshold = 5;
    Duration circuitBreakerCoolDown = Duration.ofSeconds(30);
    Clock clock = Clock.systemUTC();
    HttpClient httpClient;

    void model(String ownerSlashName) {
        String[] on = ownerName(ownerSlashName, "model");
        target = new Target(Target.Kind.MODEL, on[0], on[1], null);
    }

    void deployment(String ownerSlashName) {
        String[] on = ownerName(ownerSlashName, "deployment");
        target = new Target(Target.Kind.DEPLOYMENT, on[0], on[1], null);
    }

    void version(String version) {
        if (version == null || version.isBlank()) {
            throw new IllegalArgumentException("version must be a version id or owner/name:id");
        }
        int colon = version.indexOf(':');
        String id = colon < 0 ? version : version.substring(colon + 1);
        if (!VERSION_ID.matcher(id).matches()) {
            throw new IllegalArgumentException("version must be a hexadecimal version id or owner/name:id, was "
                    + version);
        }
        if (colon < 0) {
            target = new Target(Target.Kind.VERSION, null, null, id);
        } else {
            String[] on = ownerName(version.substring(0, colon), "version");
            target = new Target(Target.Kind.VERSION, on[0], on[1], id);
        }
    }

    private static String[] ownerName(String value, String what) {
        if (value == null || !OWNER_NAME.matcher(value).matches()) {
            throw new IllegalArgumentException(what + " must be owner/name, was " + value);
        }
        return value.split("/", 2);
    }

    Target target() {
        if (target == null) {
            throw new IllegalArgumentException("set one of model(owner/name), version(id) or deployment(owner/name)");
        }
        return target;
    }

    ReplicateApi api() {
        if (apiToken == null || apiToken.isBlank()) {
            throw new IllegalArgumentException(tokenFromEnvironment
                    ? "the REPLICATE_API_TOKEN environment variable is not set"
                    : "apiToken must be set (or use apiTokenFromEnvironment() to read REPLICATE_API_TOKEN)");
        }
        if (maxRetries < 0) {
            throw new IllegalArgumentException("maxRetries must be 0 or more, was " + maxRetries);
        }
        String base = Objects.requireNonNullElse(baseUrl, "");
        URI uri;
        try {
            uri = URI.create(base.endsWith("/") ? base : base + "/");
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("baseUrl is not a valid URL: " + base, e);
        }
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
            throw new IllegalArgumentException("baseUrl must be an http or https URL, was " + base);
        }
        HttpClient http = httpClient != null ? httpClient : HttpClient.newBuilder()
                .connectTimeout(positive(connectTimeout, "connectTimeout"))
                .version(HttpClient.Version.HTTP_1_1)
                .build();
        CircuitBreaker breaker = new CircuitBreaker(circuitBreakerThreshold,
                positive(circuitBreakerCoolDown, "circuitBreakerCoolDown"), Objects.requireNonNull(clock, "clock"));
        return new ReplicateApi(uri, apiToken, http, breaker, maxRetries,
                new Backoff(positive(initialBackoff, "initialBackoff"), positive(maxBackoff, "maxBackoff")),
                positive(maxRetryAfter, "maxRetryAfter"), positive(requestTimeout, "requestTimeout"));
    }

    static String requireText(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " must be set");
        }
        return value;
    }

    static Duration positive(Duration value, String name) {
        if (value == null || value.isZero() || value.isNegative()) {
            throw new IllegalArgumentException(name + " must be a positive duration, was " + value);
        }
        return value;
    }

    @Override
    public String toString() {
        return "baseUrl=" + baseUrl + ", target=" + (target == null ? "unset" : target.describe()) + ", apiToken="
                + (apiToken == null ? "unset" : "[redacted]");
    }
}
