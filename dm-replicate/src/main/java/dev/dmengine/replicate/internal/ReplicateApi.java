package dev.dmengine.replicate.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dmengine.remote.AttemptFailure;
import dev.dmengine.remote.Operation;
import dev.dmengine.remote.Provider;
import dev.dmengine.remote.RemoteEndpoint;
import dev.dmengine.spi.DmException;
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
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The calls of Replicate's HTTP API that the adapters use, each run under dm-remote's retry
 * policy and circuit breaker ({@link RemoteEndpoint#call}): a 429 waits for {@code Retry-After}
 * or the "available in N seconds" hint of its body; reads (get, list) are retried on 5xx and
 * connection failures; a create whose outcome is unknown (a 5xx, or a broken connection after
 * the request went out) is settled by looking for the prediction it may have made — the
 * predictions created since just before it, page by page, for the same target with the same
 * input — and adopting it, never by creating a second one blindly.
 */
public final class ReplicateApi {

    private static final Logger LOG = LoggerFactory.getLogger(ReplicateApi.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern AVAILABLE_IN = Pattern.compile("available in (\\d+(?:\\.\\d+)?) ?s(?:econds?)?\\b",
            Pattern.CASE_INSENSITIVE);
    /** How far before a create the list of recent predictions is searched (clock skew, latency). */
    private static final Duration LOOKUP_SKEW = Duration.ofMinutes(2);
    /** Pages of 100 predictions a lookup reads at most before it gives up (it stops earlier at older ones). */
    static final int MAX_LOOKUP_PAGES = 20;

    /** How Replicate's failures read: problem+json {@code detail}, and a wait hinted in a 429's body. */
    public static final Provider PROVIDER = Provider.named("Replicate", "Replicate API token")
            .withErrorDetail(ReplicateApi::detail)
            .withDelayHint(ReplicateApi::availableIn);

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

        /** Whether a listed prediction was created for this target. */
        boolean made(JsonNode prediction) {
            return switch (kind) {
                case MODEL -> (owner + "/" + name).equals(prediction.path("model").asText());
                case VERSION -> version.equals(prediction.path("version").asText());
                case DEPLOYMENT -> (owner + "/" + name).equals(prediction.path("deployment").asText());
            };
        }
    }

    /**
     * A prediction to create. {@code preferWait}, {@code cancelAfter} and {@code webhook} may be
     * null; a webhook is asked for the {@code completed} event only.
     */
    public record Create(Target target, ObjectNode input, boolean stream, Duration preferWait, Duration cancelAfter,
                         URI webhook) {
        public Create {
            Objects.requireNonNull(target, "target");
            Objects.requireNonNull(input, "input");
        }

        public Create(Target target, ObjectNode input, boolean stream, Duration preferWait, Duration cancelAfter) {
            this(target, input, stream, preferWait, cancelAfter, null);
        }
    }

    private final RemoteEndpoint endpoint;
    private final Duration requestTimeout;
    private final Set<String> adopted = Collections.newSetFromMap(new LinkedHashMap<>(64, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > 1000;
        }
    });

    public ReplicateApi(RemoteEndpoint endpoint, Duration requestTimeout) {
        this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
        this.requestTimeout = Objects.requireNonNull(requestTimeout, "requestTimeout");
    }

    public URI base() {
        return endpoint.base();
    }

    public HttpClient httpClient() {
        return endpoint.http();
    }

    /** {@code text} without the token. */
    public String scrub(String text) {
        return endpoint.scrub(text);
    }

    /**
     * Creates a prediction and returns its JSON. {@code preferWait} asks the API to hold the
     * response until the prediction finishes or that many seconds pass; {@code cancelAfter} is
     * the prediction's own deadline, after which Replicate cancels it.
     */
    public JsonNode create(Create create, long deadlineNanos) {
        byte[] body = write(createBody(create));
        return endpoint.call("creating a prediction for " + create.target().describe(),
                n -> createOnce(create, body, deadlineNanos), deadlineNanos, null);
    }

    private static ObjectNode createBody(Create create) {
        ObjectNode body = JSON.createObjectNode();
        if (create.target().kind() == Target.Kind.VERSION) {
            body.put("version", create.target().version());
        }
        body.set("input", create.input());
        if (create.stream()) {
            body.put("stream", true);
        }
        if (create.webhook() != null) {
            body.put("webhook", create.webhook().toString());
            body.putArray("webhook_events_filter").add("completed"); // one call per prediction, when it ends
        }
        return body;
    }

    private JsonNode createOnce(Create create, byte[] body, long deadlineNanos) throws AttemptFailure {
        Instant sentAt = Instant.now(); // compared with Replicate's created_at: wall time
        HttpRequest.Builder rb = request(endpoint.resolve(create.target().createPath()), deadlineNanos,
                create.preferWait())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (create.preferWait() != null) {
            rb.header("Prefer", "wait=" + Math.max(1, Math.min(60, create.preferWait().toSeconds())));
        }
        if (create.cancelAfter() != null) {
            rb.header("Cancel-After", Math.max(5, create.cancelAfter().toSeconds()) + "s");
        }
        HttpResponse<String> response;
        try {
            response = endpoint.http().send(rb.build(), HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            throw endpoint.errors().unreachable(e, true); // nothing was sent
        } catch (IOException e) { // the request may have been received
            return adoptOrFail(create, sentAt, deadlineNanos, endpoint.errors().unreachable(e, true));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UnavailableException("interrupted while creating a prediction", e);
        }
        int status = response.statusCode();
        if (status >= 200 && status < 300) {
            JsonNode prediction = read(response.body(), "creating a prediction");
            remember(prediction.path("id").asText());
            return prediction;
        }
        AttemptFailure failure = endpoint.errors().failure(createOperation(create.target()), status,
                response.headers(), response.body());
        if (status >= 500) { // the prediction may exist although the answer says otherwise
            return adoptOrFail(create, sentAt, deadlineNanos, failure);
        }
        throw failure;
    }

    private static Operation createOperation(Target target) {
        return Operation.of("creating a prediction for " + target.describe(), "model", target.describe());
    }

    private JsonNode adoptOrFail(Create create, Instant sentAt, long deadlineNanos, AttemptFailure failure)
            throws AttemptFailure {
        Optional<JsonNode> existing = findCreated(create.target(), create.input(), sentAt.minus(LOOKUP_SKEW),
                deadlineNanos);
        if (existing.isEmpty()) {
            throw failure;
        }
        LOG.info("create of a prediction for {} failed ambiguously ({}); adopted existing prediction {}",
                create.target().describe(), failure.getMessage(), existing.get().path("id").asText());
        return existing.get();
    }

    /** The prediction with this id; retried on 429, 5xx and connection failures (a read is idempotent). */
    public JsonNode get(String id, long deadlineNanos) {
        Operation op = Operation.of("reading prediction " + id, "prediction", id);
        return endpoint.call(op.description(), n -> getJson(endpoint.resolve("predictions/" + id), op, deadlineNanos),
                deadlineNanos, null);
    }

    /** Asks Replicate to cancel the prediction; best effort, a failure is logged, not thrown. */
    public void cancel(String id) {
        URI uri = endpoint.resolve("predictions/" + id + "/cancel");
        Operation op = Operation.of("cancelling prediction " + id, "prediction", id);
        long deadline = System.nanoTime() + requestTimeout.toNanos() * 3;
        try {
            endpoint.callUnguarded(op.description(), n -> postCancel(uri, op, deadline), deadline);
        } catch (DmException e) {
            LOG.warn("could not cancel prediction {} ({}); Replicate's Cancel-After deadline will end it", id,
                    e.getMessage());
        }
    }

    private Void postCancel(URI uri, Operation op, long deadline) throws AttemptFailure {
        HttpResponse<String> r = send(request(uri, deadline, null).POST(HttpRequest.BodyPublishers.noBody()));
        if (r.statusCode() >= 500 || r.statusCode() == 429) {
            throw endpoint.errors().failure(op, r.statusCode(), r.headers(), r.body());
        }
        return null; // done, or nothing left to cancel (404, 409: already finished)
    }

    /**
     * Looks for a prediction created since {@code after} for the same target with exactly this
     * input (and not already handed out by this client): the way to settle a create whose
     * response was lost, since the API has no idempotency key. The list is newest first; it is
     * read page by page ({@code next}) until a prediction older than {@code after}, the last page,
     * or {@link #MAX_LOOKUP_PAGES}. A deployment's predictions are matched by their
     * {@code deployment} field, a model's by {@code model}, a version's by {@code version}.
     */
    Optional<JsonNode> findCreated(Target target, ObjectNode input, Instant after, long deadlineNanos) {
        URI page = endpoint.resolve("predictions?created_after=" + URLEncoder.encode(
                after.truncatedTo(ChronoUnit.SECONDS).toString(), StandardCharsets.UTF_8));
        for (int pages = 0; page != null && pages < MAX_LOOKUP_PAGES; pages++) {
            JsonNode list = listPage(page, target, deadlineNanos);
            for (JsonNode p : list.path("results")) {
                if (createdBefore(p, after)) {
                    return Optional.empty(); // newest first: the rest is older still
                }
                String id = p.path("id").asText();
                if (target.made(p) && sameInput(input, p.get("input")) && !adoptedAlready(id)) {
                    remember(id);
                    return Optional.of(p);
                }
            }
            page = nextPage(list);
        }
        return Optional.empty();
    }

    private JsonNode listPage(URI page, Target target, long deadlineNanos) {
        Operation op = Operation.of("listing recent predictions", "prediction list", page.getRawQuery());
        try {
            return endpoint.callUnguarded(op.description(), n -> getJson(page, op, deadlineNanos), deadlineNanos);
        } catch (DmException e) {
            throw new UnavailableException("creating a prediction for " + target.describe()
                    + " failed and whether it was created could not be checked (" + e.getMessage()
                    + "); not creating another one", e);
        }
    }

    /** The {@code next} page, if it is on the API's own host (the token never goes anywhere else). */
    private URI nextPage(JsonNode list) {
        String next = list.path("next").asText("");
        if (next.isEmpty() || list.path("next").isNull()) {
            return null;
        }
        URI uri;
        try {
            uri = endpoint.base().resolve(next);
        } catch (IllegalArgumentException e) {
            LOG.warn("Replicate listed a malformed next page; searching no further");
            return null;
        }
        URI base = endpoint.base();
        if (!Objects.equals(uri.getHost(), base.getHost()) || uri.getPort() != base.getPort()
                || !Objects.equals(uri.getScheme(), base.getScheme())) {
            LOG.warn("Replicate listed a next page on another host ({}); searching no further", uri.getHost());
            return null;
        }
        return uri;
    }

    private static boolean createdBefore(JsonNode prediction, Instant after) {
        try {
            return Instant.parse(prediction.path("created_at").asText()).isBefore(after);
        } catch (DateTimeParseException e) {
            return false;
        }
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

    /** A GET whose body is read as a stream (the prediction's {@code urls.stream}); the token goes only to the API's site. */
    public HttpRequest.Builder streamRequest(URI url, long deadlineNanos) {
        return endpoint.request(url, Duration.ofNanos(Math.max(1, deadlineNanos - System.nanoTime())))
                .header("Accept", "text/event-stream")
                .header("Cache-Control", "no-store")
                .GET();
    }

    private JsonNode getJson(URI uri, Operation op, long deadlineNanos) throws AttemptFailure {
        HttpResponse<String> response = send(request(uri, deadlineNanos, null).GET());
        if (response.statusCode() != 200) {
            throw endpoint.errors().failure(op, response.statusCode(), response.headers(), response.body());
        }
        return read(response.body(), op.description());
    }

    private HttpResponse<String> send(HttpRequest.Builder rb) throws AttemptFailure {
        try {
            return endpoint.http().send(rb.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw endpoint.errors().unreachable(e, true); // reads and cancels are safe to repeat
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UnavailableException("interrupted while calling Replicate", e);
        }
    }

    private HttpRequest.Builder request(URI uri, long deadlineNanos, Duration preferWait) {
        long remaining = deadlineNanos - System.nanoTime();
        long limit = requestTimeout.toNanos() + (preferWait == null ? 0 : preferWait.toNanos());
        return endpoint.request(uri, Duration.ofNanos(Math.max(1_000_000, Math.min(remaining, limit))))
                .header("Accept", "application/json");
    }

    /** The {@code detail} of Replicate's problem+json error body, else its {@code title}, else the raw text. */
    public static String detail(String body) {
        String d = body == null ? "" : body;
        try {
            JsonNode root = JSON.readTree(d);
            if (root != null && root.hasNonNull("detail")) {
                return root.get("detail").asText();
            }
            if (root != null && root.hasNonNull("title")) {
                return root.get("title").asText();
            }
        } catch (IOException notJson) {
            // raw text
        }
        return d;
    }

    /** The wait a throttled response's body hints at: "… Expected available in 3 seconds". */
    public static Optional<Duration> availableIn(String body) {
        Matcher m = AVAILABLE_IN.matcher(body == null ? "" : body);
        if (!m.find()) {
            return Optional.empty();
        }
        return Optional.of(Duration.ofMillis((long) Math.ceil(Double.parseDouble(m.group(1)) * 1000)));
    }

    private static JsonNode read(String body, String what) throws AttemptFailure {
        try {
            JsonNode node = JSON.readTree(body);
            if (node == null || !node.isObject()) {
                throw AttemptFailure.fatal(new UnavailableException("Replicate sent a malformed response while " + what));
            }
            return node;
        } catch (IOException e) {
            throw AttemptFailure.fatal(new UnavailableException("Replicate sent malformed JSON while " + what));
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

    /** Reads the body of a stream response that failed, for its error detail. */
    public String drain(HttpResponse<InputStream> response) {
        try (InputStream in = response.body()) {
            return scrub(detail(new String(in.readNBytes(8192), StandardCharsets.UTF_8)));
        } catch (IOException e) {
            return "";
        }
    }
}
