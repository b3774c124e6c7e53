package dev.dmengine.replicate.internal;

import dev.dmengine.remote.Secrets;
import dev.dmengine.remote.CircuitBreaker;
import dev.dmengine.remote.Backoff;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dmengine.spi.DmException;
import dev.dmengine.spi.InvalidInputException;
import dev.dmengine.spi.NotFoundException;
import dev.dmengine.spi.PermissionDeniedException;
import dev.dmengine.spi.RateLimitedException;
import dev.dmengine.spi.UnavailableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The calls of Replicate's HTTP API that the adapters use, with the retry policy: 429 is retried
 * after {@code Retry-After} or the "available in N seconds" hint of the body; reads (get, list) are
 * retried on 5xx and connection failures; a create whose outcome is unknown (a 5xx or a broken
 * connection after the request went out) is resolved by listing the predictions created since just
 * before it and adopting the one with the same input, never by creating a second one blindly.
 */
public final class ReplicateApi {

    private static final Logger LOG = LoggerFactory.getLogger(ReplicateApi.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern AVAILABLE_IN = Pattern.compile("available in (\\d+(?:\\.\\d+)?) ?s(?:econds?)?\\b",
            Pattern.CASE_INSENSITIVE);
    /** How far before a create the list of recent predictions is searched (clock skew, latency). */
    private static final Duration LOOKUP_SKEW = Duration.ofMinutes(2);

    /** What a prediction is created for: an official model, a model version or a deployment. */
    public record Target(Kind kind, String owner, String name, String version) {

        public enum Kind { MODEL, VERSION, DEPLOYMENT }

        String createPath() {
            return switch (kind) {
                case MODEL -> "models/" + owner + "/" + name + "/predictions";
                case VERSION -> "predictions";
                case DEPLOYMENT -> "deployments/" + owner + "/" + name + "/predictions";
            };
        }

        /** e.g. {@code meta/meta-llama-3-8b-instruct}, {@code owner/name:version}, {@code deployment:owner/name}. */
        public String describe() {
            return switch (kind) {
                case MODEL -> owner + "/" + name;
                case VERSION -> owner == null ? version : owner + "/" + name + ":" + version;
                case DEPLOYMENT -> "deployment:" + owner + "/" + name;
            };
        }
    }

    private final URI base;
    private final String token;
    private final HttpClient http;
    private final CircuitBreaker breaker;
    private final int maxRetries;
    private final Backoff backoff;
    private final Duration maxRetryAfter;
    private final Duration requestTimeout;
    private final Set<String> adopted = Collections.newSetFromMap(new LinkedHashMap<>(64, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > 1000;
        }
    });

    public ReplicateApi(URI base, String token, HttpClient http, CircuitBreaker breaker, int maxRetries, Backoff backoff,
                        Duration maxRetryAfter, Duration requestTimeout) {
        this.base = base;
        this.token = token;
        this.http = http;
        this.breaker = breaker;
        this.maxRetries = maxRetries;
        this.backoff = backoff;
        this.maxRetryAfter = maxRetryAfter;
        this.requestTimeout = requestTimeout;
    }

    public URI base() {
        return base;
    }

    public String token() {
        return token;
    }

    public CircuitBreaker breaker() {
        return breaker;
    }

    public HttpClient httpClient() {
        return http;
    }

    /**
     * Creates a prediction and returns its JSON. {@code preferWait} (nullable) asks the API to hold
     * the response until the prediction finishes or that many seconds pass; {@code cancelAfter}
     * (nullable) is the prediction's own deadline, after which Replicate cancels it.
     */
    public JsonNode create(Target target, ObjectNode input, boolean stream, Duration preferWait, Duration cancelAfter,
                           long deadlineNanos) {
        ObjectNode body = JSON.createObjectNode();
        if (target.kind() == Target.Kind.VERSION) {
            body.put("version", target.version());
        }
        body.set("input", input);
        if (stream) {
            body.put("stream", true);
        }
        byte[] bytes = write(body);
        URI uri = base.resolve(target.createPath());
        for (int attempt = 1; ; attempt++) {
            checkBreaker();
            Instant sentAt = Instant.now(); // compared with Replicate's created_at: wall time
            HttpRequest.Builder rb = request(uri, deadlineNanos, preferWait)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(bytes));
            if (preferWait != null) {
                rb.header("Prefer", "wait=" + Math.max(1, Math.min(60, preferWait.toSeconds())));
            }
            if (cancelAfter != null) {
                rb.header("Cancel-After", Math.max(5, cancelAfter.toSeconds()) + "s");
            }
            DmException error;
            Duration wait = null;
            boolean ambiguous;
            try {
                HttpResponse<String> response = http.send(rb.build(), HttpResponse.BodyHandlers.ofString());
                int status = response.statusCode();
                if (status >= 200 && status < 300) {
                    breaker.onSuccess();
                    JsonNode prediction = read(response.body(), "prediction");
                    remember(prediction.path("id").asText());
                    return prediction;
                }
                if (status == 429) {
                    breaker.onNeutral();
                    wait = retryAfter(response);
                    error = map(status, "creating a prediction for " + target.describe(), target, response.body(), wait);
                    ambiguous = false;
                } else if (status >= 500) {
                    breaker.onFailure();
                    error = map(status, "creating a prediction for " + target.describe(), target, response.body(), null);
                    ambiguous = true;
                } else {
                    breaker.onNeutral();
                    throw map(status, "creating a prediction for " + target.describe(), target, response.body(), null);
                }
            } catch (ConnectException e) {
                breaker.onFailure();
                error = unreachable(e);
                ambiguous = false; // nothing was sent
            } catch (IOException e) {
                breaker.onFailure();
                error = unreachable(e);
                ambiguous = true; // the request may have been received
            } catch (InterruptedException e) {
                breaker.onNeutral();
                Thread.currentThread().interrupt();
                throw new UnavailableException("interrupted while creating a prediction", e);
            }
            if (ambiguous) {
                Optional<JsonNode> existing = findCreated(target, input, sentAt.minus(LOOKUP_SKEW), deadlineNanos);
                if (existing.isPresent()) {
                    LOG.info("create of a prediction for {} failed ambiguously ({}); adopted existing prediction {}",
                            target.describe(), error.getMessage(), existing.get().path("id").asText());
                    return existing.get();
                }
            }
            retryOrThrow(error, wait, attempt, deadlineNanos);
        }
    }

    /** The prediction with this id; retried on 429, 5xx and connection failures (a read is idempotent). */
    public JsonNode get(String id, long deadlineNanos) {
        return getJson(base.resolve("predictions/" + id), "reading prediction " + id, deadlineNanos, true);
    }

    /** Asks Replicate to cancel the prediction; best effort, a failure is logged, not thrown. */
    public void cancel(String id) {
        URI uri = base.resolve("predictions/" + id + "/cancel");
        for (int attempt = 1; attempt <= 3; attempt++) {
            try {
                HttpRequest rb = request(uri, System.nanoTime() + requestTimeout.toNanos(), null)
                        .POST(HttpRequest.BodyPublishers.noBody()).build();
                HttpResponse<String> r = http.send(rb, HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() < 500 && r.statusCode() != 429) {
                    return;
                }
            } catch (IOException e) {
                LOG.debug("cancel of prediction {} failed: {}", id, e.toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            sleep(backoff.delay(attempt));
        }
        LOG.warn("could not cancel prediction {}; Replicate's Cancel-After deadline will end it", id);
    }

    /**
     * Looks for a prediction created since {@code after} for the same target with exactly this input
     * (and not already handed out by this client): the way to settle a create whose response was
     * lost, since the API has no idempotency key.
     */
    Optional<JsonNode> findCreated(Target target, ObjectNode input, Instant after, long deadlineNanos) {
        String query = "predictions?created_after=" + URLEncoder.encode(
                after.truncatedTo(ChronoUnit.SECONDS).toString(), StandardCharsets.UTF_8);
        JsonNode page;
        try {
            page = getJson(base.resolve(query), "listing recent predictions", deadlineNanos, false);
        } catch (DmException e) {
            throw new UnavailableException("creating a prediction for " + target.describe()
                    + " failed and whether it was created could not be checked (" + e.getMessage()
                    + "); not creating another one", e);
        }
        for (JsonNode p : page.path("results")) {
            String id = p.path("id").asText();
            if (!sameInput(input, p.get("input")) || adoptedAlready(id)) {
                continue;
            }
            boolean sameTarget = switch (target.kind()) {
                case MODEL -> (target.owner() + "/" + target.name()).equals(p.path("model").asText());
                case VERSION -> target.version().equals(p.path("version").asText());
                case DEPLOYMENT -> true; // a deployment's predictions name the model behind it
            };
            if (sameTarget) {
                remember(id);
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /**
     * Whether Replicate's copy of an input is the one sent: the same fields with equal text, and
     * numbers equal in value (a 20 may come back as 20.0).
     */
    static boolean sameInput(JsonNode sent, JsonNode stored) {
        if (sent == null || stored == null) {
            return false;
        }
        if (sent.isNumber() && stored.isNumber()) {
            return Double.compare(sent.doubleValue(), stored.doubleValue()) == 0;
        }
        if (sent.isObject() && stored.isObject()) {
            if (sent.size() != stored.size()) {
                return false;
            }
            var names = sent.fieldNames();
            while (names.hasNext()) {
                String n = names.next();
                if (!sameInput(sent.get(n), stored.get(n))) {
                    return false;
                }
            }
            return true;
        }
        if (sent.isArray() && stored.isArray()) {
            if (sent.size() != stored.size()) {
                return false;
            }
            for (int i = 0; i < sent.size(); i++) {
                if (!sameInput(sent.get(i), stored.get(i))) {
                    return false;
                }
            }
            return true;
        }
        return sent.equals(stored);
    }

    /** Opens a GET whose body is read as a stream (the prediction's {@code urls.stream}). */
    public HttpRequest.Builder streamRequest(URI url, long deadlineNanos) {
        HttpRequest.Builder rb = HttpRequest.newBuilder(url)
                .timeout(Duration.ofNanos(Math.max(1, deadlineNanos - System.nanoTime())))
                .header("Accept", "text/event-stream")
                .header("Cache-Control", "no-store")
                .GET();
        if (sameSite(base, url)) {
            rb.header("Authorization", "Bearer " + token);
        }
        return rb;
    }

    private JsonNode getJson(URI uri, String what, long deadlineNanos, boolean closesBreaker) {
        for (int attempt = 1; ; attempt++) {
            if (closesBreaker) {
                checkBreaker(); // a lookup settling a failed create goes out even while the breaker is open
            }
            DmException error;
            Duration wait = null;
            try {
                HttpResponse<String> response = http.send(request(uri, deadlineNanos, null).GET().build(),
                        HttpResponse.BodyHandlers.ofString());
                int status = response.statusCode();
                if (status == 200) {
                    if (closesBreaker) {
                        breaker.onSuccess();
                    } else {
                        breaker.onNeutral(); // a lookup after a failed create says nothing about creating
                    }
                    return read(response.body(), what);
                }
                if (status == 429) {
                    breaker.onNeutral();
                    wait = retryAfter(response);
                } else if (status >= 500) {
                    breaker.onFailure();
                } else {
                    breaker.onNeutral();
                    throw map(status, what, null, response.body(), null);
                }
                error = map(status, what, null, response.body(), wait);
            } catch (IOException e) {
                breaker.onFailure();
                error = unreachable(e);
            } catch (InterruptedException e) {
                breaker.onNeutral();
                Thread.currentThread().interrupt();
                throw new UnavailableException("interrupted while " + what, e);
            }
            retryOrThrow(error, wait, attempt, deadlineNanos);
        }
    }

    private void retryOrThrow(DmException error, Duration wait, int attempt, long deadlineNanos) {
        if (attempt > maxRetries || (wait != null && wait.compareTo(maxRetryAfter) > 0)) {
            throw error;
        }
        Duration delay = wait != null ? wait : backoff.delay(attempt);
        if (System.nanoTime() + delay.toNanos() >= deadlineNanos) {
            throw error;
        }
        LOG.debug("Replicate call failed ({}); retry {} in {} ms", error.getMessage(), attempt, delay.toMillis());
        sleep(delay);
    }

    private void checkBreaker() {
        if (!breaker.tryAcquire()) {
            throw new UnavailableException("Replicate at " + base.getHost() + " is failing; not calling it until "
                    + breaker.openUntil() + " (circuit open)");
        }
    }

    private HttpRequest.Builder request(URI uri, long deadlineNanos, Duration preferWait) {
        long remaining = deadlineNanos - System.nanoTime();
        long limit = requestTimeout.toNanos() + (preferWait == null ? 0 : preferWait.toNanos());
        return HttpRequest.newBuilder(uri)
                .timeout(Duration.ofNanos(Math.max(1_000_000, Math.min(remaining, limit))))
                .header("Authorization", "Bearer " + token)
                .header("Accept", "application/json");
    }

    private Duration retryAfter(HttpResponse<String> response) {
        Optional<Duration> header = response.headers().firstValue("Retry-After").flatMap(Backoff::parseRetryAfter);
        if (header.isPresent()) {
            return header.get();
        }
        Matcher m = AVAILABLE_IN.matcher(response.body() == null ? "" : response.body());
        if (m.find()) {
            return Duration.ofMillis((long) Math.ceil(Double.parseDouble(m.group(1)) * 1000));
        }
        return null;
    }

    private DmException map(int status, String what, Target target, String body, Duration retryAfter) {
        String detail = detail(body);
        String message = what + " failed with HTTP " + status + (detail.isEmpty() ? "" : ": " + detail);
        if (status == 429) {
            return new RateLimitedException(message, retryAfter == null ? Duration.ofSeconds(1) : retryAfter);
        }
        if (status >= 500 || status == 408) {
            return new UnavailableException(message);
        }
        if (status == 401 || status == 403) {
            return new PermissionDeniedException(what + " was refused (HTTP " + status
                    + "): check the Replicate API token" + (detail.isEmpty() ? "" : " (" + detail + ")"));
        }
        if (status == 404) {
            return new NotFoundException(target == null ? "prediction" : "model", target == null ? what
                    : target.describe());
        }
        return new InvalidInputException("input", message);
    }

    /** The {@code detail} of Replicate's problem+json error body, else the raw text; scrubbed of the token. */
    public String detail(String body) {
        String d = body == null ? "" : body;
        try {
            JsonNode root = JSON.readTree(d);
            if (root != null && root.hasNonNull("detail")) {
                d = root.get("detail").asText();
            } else if (root != null && root.hasNonNull("title")) {
                d = root.get("title").asText();
            }
        } catch (IOException notJson) {
            // raw text
        }
        return Secrets.scrub(d, token);
    }

    private UnavailableException unreachable(IOException e) {
        return new UnavailableException("Replicate at " + base.getHost() + " could not be reached or timed out: "
                + e.getClass().getSimpleName());
    }

    private static JsonNode read(String body, String what) {
        try {
            JsonNode node = JSON.readTree(body);
            if (node == null || !node.isObject()) {
                throw new UnavailableException("Replicate sent a malformed response while " + what);
            }
            return node;
        } catch (IOException e) {
            throw new UnavailableException("Replicate sent malformed JSON while " + what);
        }
    }

    private static byte[] write(JsonNode node) {
        try {
            return JSON.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private void remember(String id) {
        synchronized (adopted) {
            adopted.add(id);
        }
    }

    private boolean adoptedAlready(String id) {
        synchronized (adopted) {
            return adopted.contains(id);
        }
    }

    private static void sleep(Duration d) {
        try {
            TimeUnit.NANOSECONDS.sleep(d.toNanos());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UnavailableException("interrupted while waiting to retry", e);
        }
    }

    /** Whether {@code url} belongs to the API's site (same host, or a sibling under the same parent domain). */
    static boolean sameSite(URI api, URI url) {
        String a = api.getHost();
        String b = url.getHost();
        if (a == null || b == null) {
            return false;
        }
        if (a.equalsIgnoreCase(b)) {
            return true;
        }
        int dot = a.indexOf('.');
        String parent = dot < 0 ? a : a.substring(dot + 1);
        return parent.contains(".") && (b.equalsIgnoreCase(parent) || b.toLowerCase().endsWith("." + parent));
    }

    /** Reads the body of a stream response that failed, for its error detail. */
    public String drain(HttpResponse<InputStream> response) {
        try (InputStream in = response.body()) {
            return detail(new String(in.readNBytes(8192), StandardCharsets.UTF_8));
        } catch (IOException e) {
            return "";
        }
    }
}
