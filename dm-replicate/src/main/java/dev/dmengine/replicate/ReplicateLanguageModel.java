package dev.dmengine.replicate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dmengine.remote.Deadline;
import dev.dmengine.remote.HttpModelBuilder;
import dev.dmengine.remote.RemoteLanguageModel;
import dev.dmengine.remote.SseReader;
import dev.dmengine.replicate.internal.ReplicateApi;
import dev.dmengine.replicate.internal.ReplicateApi.Create;
import dev.dmengine.replicate.internal.ReplicateApi.Target;
import dev.dmengine.spi.UnavailableException;
import dev.dmengine.spi.generation.GenerationHandler;
import dev.dmengine.spi.generation.GenerationRequest;
import dev.dmengine.spi.generation.GenerationResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.Objects;
import java.util.concurrent.ExecutionException;

/**
 * A {@link LanguageModel} on Replicate's predictions API.
 *
 * <p>A generation creates one prediction — for an official model
 * ({@code POST /v1/models/{owner}/{name}/predictions}), a model version ({@code POST /v1/predictions}
 * with {@code version}) or a deployment ({@code POST /v1/deployments/{owner}/{name}/predictions}) —
 * with {@code "stream": true} and a {@code Cancel-After} deadline, then reads the server-sent events
 * at the prediction's {@code urls.stream}: {@code output} events carry text, an {@code error} event
 * fails the prediction, and {@code done} ends it (its JSON may carry a {@code reason} such as
 * {@code canceled}). When the prediction has no stream URL, or the stream breaks, the adapter polls
 * {@code GET /v1/predictions/{id}} and emits the output that is new since the last poll. With
 * {@link Builder#streaming(boolean) streaming(false)} it creates with {@code Prefer: wait} and polls
 * only if the prediction is not finished when that returns.
 *
 * <p>With {@link Builder#webhook webhook(url, inbox)} each prediction is created with that webhook
 * (for its {@code completed} event only). Streaming still gives the tokens when the prediction has
 * a stream; where the adapter would poll — no stream URL, a broken stream, or streaming off — it
 * waits on the {@link ReplicateWebhookInbox} instead and goes on as soon as the host delivers the
 * verified webhook, polling only every {@link Builder#fallbackPollInterval fallbackPollInterval}
 * (10 s) in case the webhook never comes (an unreachable URL, or a delivery to another instance
 * of the host that is not relayed).
 *
 * <p>The request's {@link dev.dmengine.spi.generation.CancellationSignal}, the first-token timeout
 * and the total timeout abort the read and cancel the prediction
 * ({@code POST /v1/predictions/{id}/cancel}). Retries, the handling of an ambiguous create and the
 * circuit breaker are {@link ReplicateApi}'s, under dm-remote's one policy; a prediction is never
 * created twice for one generation (a broken stream is finished by polling, not by a new
 * prediction). The token is never logged nor put in an exception.
 */
public final class ReplicateLanguageModel extends RemoteLanguageModel {

    private static final Logger LOG = LoggerFactory.getLogger(ReplicateLanguageModel.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ReplicateApi api;
    private final Target target;
    private final ReplicatePromptFormat format;
    private final boolean streaming;
    private final Duration firstTokenTimeout;
    private final Duration totalTimeout;
    private final Duration pollInterval;
    private final Duration preferWait;
    private final URI webhookUrl;
    private final ReplicateWebhookInbox inbox;
    private final Duration fallbackPollInterval;

    private ReplicateLanguageModel(Builder b) {
        this.target = b.target();
        this.api = b.api();
        this.format = b.format;
        this.streaming = b.streaming;
        this.firstTokenTimeout = HttpModelBuilder.positive(b.firstTokenTimeout, "firstTokenTimeout");
        this.totalTimeout = HttpModelBuilder.positive(b.totalTimeout, "totalTimeout");
        this.pollInterval = HttpModelBuilder.positive(b.pollInterval, "pollInterval");
        Duration wait = HttpModelBuilder.positive(b.preferWait, "preferWait");
        if (wait.compareTo(Duration.ofSeconds(60)) > 0) {
            throw new IllegalArgumentException("preferWait must be at most 60 s (Replicate's limit), was " + wait);
        }
        this.preferWait = wait;
        this.webhookUrl = b.webhookUrl;
        this.inbox = b.inbox;
        this.fallbackPollInterval = HttpModelBuilder.positive(b.fallbackPollInterval, "fallbackPollInterval");
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String modelId() {
        return target.describe();
    }

    /** The text emitted so far, and the emitting. */
    private static final class Output {
        final StringBuilder text = new StringBuilder();
        final GenerationHandler handler;
        final GenerationRequest request;
        final Deadline guard;
        int tokens;
        /** Replicate reported the prediction over (succeeded, failed, canceled): nothing to cancel. */
        boolean ended;

        Output(GenerationHandler handler, GenerationRequest request, Deadline guard) {
            this.handler = handler;
            this.request = request;
            this.guard = guard;
        }

        void token(String t) {
            guard.firstChunkArrived();
            if (t.isEmpty()) {
                return;
            }
            tokens++;
            text.append(t);
            handler.onToken(t);
            if (request.cancellation().isCancelled()) {
                guard.abort(Deadline.Reason.CANCELLED);
                throw new CancellationException("generation cancelled after " + tokens + " chunks");
            }
        }

        /** Emits the part of a polled output (a string or an array of strings) not emitted yet. */
        void catchUp(JsonNode output) {
            if (output == null || output.isNull()) {
                return;
            }
            int emitted = text.length();
            int pos = 0;
            Iterable<JsonNode> pieces = output.isArray() ? output : java.util.List.of(output);
            for (JsonNode piece : pieces) {
                String s = piece.isTextual() ? piece.asText() : piece.toString();
                int end = pos + s.length();
                if (end > emitted) {
                    token(s.substring(Math.max(0, emitted - pos)));
                    emitted = text.length();
                }
                pos = end;
            }
        }
    }

    /** How the output was followed ({@code stream}, {@code poll}, {@code webhook}, …), and the prediction as last seen. */
    private record Followed(JsonNode last, String mode) {
    }

    /** A prediction as last seen, and whether a webhook delivered it. */
    private record Seen(JsonNode prediction, boolean delivered) {
    }

    @Override
    protected GenerationResult doGenerate(GenerationRequest request, GenerationHandler handler) {
        long start = System.nanoTime();
        long deadline = start + totalTimeout.toNanos();
        ObjectNode input = format.input(request);
        JsonNode prediction = api.create(new Create(target, input, streaming, streaming ? null : preferWait,
                totalTimeout.plusSeconds(5), webhookUrl), deadline);
        String id = prediction.path("id").asText();
        if (id.isEmpty()) {
            throw new UnavailableException("Replicate created a prediction without an id");
        }
        Deadline guard = arm(request, start, deadline);
        Output out = new Output(handler, request, guard);
        // registered before anything is read: a webhook that overtakes the stream is waiting when needed
        try (ReplicateWebhookInbox.Waiter waiter = inbox == null ? ReplicateWebhookInbox.Waiter.alone()
                : inbox.expect(id)) {
            if (request.cancellation().isCancelled()) {
                throw new CancellationException("generation cancelled");
            }
            Followed followed = follow(prediction, id, out, guard, deadline, waiter);
            out.ended = true;
            return result(prediction, followed, input, out);
        } catch (RuntimeException e) {
            if (e instanceof CancellationException || !out.ended) {
                api.cancel(id); // nothing left running on Replicate's side for a generation we gave up
            }
            throw e;
        } finally {
            guard.disarm();
        }
    }

    /** The first-token deadline counts from the start of the call (cold boots are slow), the total one too. */
    private Deadline arm(GenerationRequest request, long start, long deadline) {
        Deadline guard = new Deadline();
        long now = System.nanoTime();
        guard.arm(Math.min(start + firstTokenTimeout.toNanos(), deadline) - now, deadline - now);
        request.cancellation().onCancel(() -> guard.abort(Deadline.Reason.CANCELLED));
        return guard;
    }

    /**
     * Streams the output when the prediction offers a stream; otherwise, or when the stream breaks,
     * waits for the webhook (with one) or polls.
     */
    private Followed follow(JsonNode prediction, String id, Output out, Deadline guard, long deadline,
                            ReplicateWebhookInbox.Waiter waiter) {
        String stream = prediction.path("urls").path("stream").asText("");
        if (!streaming || stream.isEmpty() || terminal(prediction)) {
            return followed("", poll(prediction, out, guard, deadline, waiter));
        }
        if (stream(URI.create(stream), id, out, guard, deadline)) {
            return new Followed(prediction, "stream");
        }
        return followed("stream+", poll(api.get(id, deadline), out, guard, deadline, waiter));
    }

    private static Followed followed(String before, Seen seen) {
        return new Followed(seen.prediction(), before + (seen.delivered() ? "webhook" : "poll"));
    }

    private GenerationResult result(JsonNode created, Followed followed, ObjectNode input, Output out) {
        JsonNode last = followed.last();
        Map<String, String> attributes = new LinkedHashMap<>();
        attributes.put("provider", "replicate");
        attributes.put("prediction_id", created.path("id").asText());
        attributes.put("model", last.path("model").asText(created.path("model").asText(target.describe())));
        String version = last.path("version").asText(created.path("version").asText(""));
        if (!version.isEmpty()) {
            attributes.put("version", version);
        }
        if (target.kind() == Target.Kind.DEPLOYMENT) {
            attributes.put("deployment", target.owner() + "/" + target.name());
        }
        attributes.put("mode", followed.mode());
        attributes.putAll(format.parameters(input));
        int outputTokens = last.path("metrics").path("output_token_count").asInt(out.tokens);
        return new GenerationResult(out.text.toString(), "stop", outputTokens, attributes);
    }

    /**
     * Reads the prediction's event stream. Returns true when it ended with {@code done}, false when
     * it broke off or could not be opened (the caller then polls for the rest).
     */
    private boolean stream(URI url, String id, Output out, Deadline guard, long deadline) {
        try {
            CompletableFuture<HttpResponse<InputStream>> pending = api.httpClient().sendAsync(
                    api.streamRequest(url, deadline).build(), HttpResponse.BodyHandlers.ofInputStream());
            guard.watch(() -> pending.cancel(true));
            HttpResponse<InputStream> response;
            try {
                response = pending.get();
            } catch (ExecutionException e) {
                throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
            } catch (CancellationException e) {
                throw new IOException("request aborted", e);
            }
            guard.watch(response.body());
            if (response.statusCode() != 200) {
                LOG.debug("stream of prediction {} answered HTTP {} ({}); polling instead", id, response.statusCode(),
                        api.drain(response));
                return false;
            }
            try (SseReader sse = new SseReader(response.body())) {
                SseReader.Event event;
                while ((event = sse.next()) != null) {
                    switch (event.event()) {
                        case "output" -> out.token(event.data());
                        case "error" -> {
                            out.ended = true;
                            throw new UnavailableException("prediction " + id + " failed: " + errorText(event.data()));
                        }
                        case "done" -> {
                            String reason = doneReason(event.data(), id);
                            out.ended = true;
                            if (reason.isEmpty()) {
                                return true;
                            }
                            if (out.request.cancellation().isCancelled()) {
                                throw new CancellationException("generation cancelled");
                            }
                            throw new UnavailableException("prediction " + id + " ended without finishing: " + reason);
                        }
                        default -> { /* logs and unknown events carry nothing for the reply */ }
                    }
                }
            }
            if (guard.reason() != null) {
                throw new IOException("stream aborted");
            }
            LOG.debug("stream of prediction {} ended without done; polling for the rest", id);
            return false;
        } catch (IOException e) {
            failIfAborted(guard, out);
            LOG.debug("stream of prediction {} broke ({}); polling for the rest", id, e.toString());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancellationException("interrupted");
        }
    }

    /**
     * Follows the prediction until it ends: each state seen is caught up on, then the next one
     * comes from the webhook (when it is delivered within the wait) or from a poll. Without a
     * webhook the wait is {@code pollInterval}; with one it is {@code fallbackPollInterval}, and a
     * delivery ends it at once. An abort (timeout, cancel) ends it at once too.
     */
    private Seen poll(JsonNode prediction, Output out, Deadline guard, long deadline,
                      ReplicateWebhookInbox.Waiter waiter) {
        JsonNode p = prediction;
        boolean delivered = false;
        String id = p.path("id").asText();
        long wait = (inbox == null ? pollInterval : fallbackPollInterval).toNanos();
        guard.watch(waiter::wake);
        while (true) {
            out.catchUp(p.get("output"));
            String status = p.path("status").asText();
            out.ended = terminal(p);
            switch (status) {
                case "succeeded" -> {
                    return new Seen(p, delivered);
                }
                case "failed" -> throw new UnavailableException("prediction " + id + " failed: "
                        + api.scrub(p.path("error").asText("no error given")));
                case "canceled", "aborted" -> {
                    if (out.request.cancellation().isCancelled()) {
                        throw new CancellationException("generation cancelled");
                    }
                    throw new UnavailableException("prediction " + id + " was " + status
                            + " before it finished (its Cancel-After deadline or another client)");
                }
                default -> { /* starting, processing */ }
            }
            JsonNode next;
            try {
                next = waiter.next(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CancellationException("interrupted");
            }
            if (guard.reason() != null) {
                failIfAborted(guard, out); // a first-token timer that fired after the first token goes on
            }
            delivered = next != null;
            p = delivered ? next : api.get(id, deadline);
        }
    }

    private void failIfAborted(Deadline guard, Output out) {
        Deadline.Reason why = guard.reason();
        if (why == Deadline.Reason.CANCELLED || out.request.cancellation().isCancelled()) {
            throw new CancellationException("generation cancelled");
        }
        if (why == Deadline.Reason.FIRST_TOKEN_TIMEOUT && out.tokens == 0) {
            throw new UnavailableException("Replicate sent no token within " + firstTokenTimeout.toMillis() + " ms");
        }
        if (why == Deadline.Reason.TOTAL_TIMEOUT) {
            throw new UnavailableException("generation exceeded the total timeout of " + totalTimeout.toMillis() + " ms");
        }
    }

    private static boolean terminal(JsonNode prediction) {
        return switch (prediction.path("status").asText()) {
            case "succeeded", "failed", "canceled", "aborted" -> true;
            default -> false;
        };
    }

    private String errorText(String data) {
        try {
            JsonNode node = JSON.readTree(data);
            if (node != null && node.hasNonNull("detail")) {
                return api.scrub(node.get("detail").asText());
            }
        } catch (IOException notJson) {
            // plain text
        }
        return api.scrub(data);
    }

    /** The {@code reason} of a done event ({@code ""} for a success); a done that is not JSON is malformed. */
    private String doneReason(String data, String id) {
        JsonNode node;
        try {
            node = data.isBlank() ? JSON.createObjectNode() : JSON.readTree(data);
        } catch (IOException e) {
            throw new UnavailableException("Replicate sent a malformed done event for prediction " + id + ": "
                    + api.scrub(data));
        }
        if (node == null || !node.isObject()) {
            throw new UnavailableException("Replicate sent a malformed done event for prediction " + id + ": "
                    + api.scrub(data));
        }
        return node.path("reason").asText("");
    }

    @Override
    public String toString() {
        return "ReplicateLanguageModel[" + target.describe() + " at " + api.base() + ", token=[redacted]]";
    }

    /**
     * Settings of a {@link ReplicateLanguageModel}: a token and one of model, version or deployment
     * ({@link ReplicateBuilder}), the prompt format, streaming or polling, and the timeouts.
     */
    public static final class Builder extends ReplicateBuilder<Builder> {
        private ReplicatePromptFormat format = ReplicatePromptFormat.llama3();
        private boolean streaming = true;
        private Duration firstTokenTimeout = Duration.ofSeconds(120);
        private Duration totalTimeout = Duration.ofMinutes(5);
        private Duration pollInterval = Duration.ofMillis(500);
        private Duration preferWait = Duration.ofSeconds(10);
        private URI webhookUrl;
        private ReplicateWebhookInbox inbox;
        private Duration fallbackPollInterval = Duration.ofSeconds(10);

        private Builder() {
        }

        @Override
        protected Builder self() {
            return this;
        }

        public Builder promptFormat(ReplicatePromptFormat value) {
            format = java.util.Objects.requireNonNull(value, "promptFormat");
            return this;
        }

        /** Stream through {@code urls.stream} (default); false creates with {@code Prefer: wait} and polls. */
        public Builder streaming(boolean value) {
            streaming = value;
            return this;
        }

        /** Longest wait for the first output, counted from the start of the call (cold boots are slow). */
        public Builder firstTokenTimeout(Duration value) {
            firstTokenTimeout = value;
            return this;
        }

        /** Longest a generation may take; also sent as the prediction's {@code Cancel-After}. */
        public Builder totalTimeout(Duration value) {
            totalTimeout = value;
            return this;
        }

        public Builder pollInterval(Duration value) {
            pollInterval = value;
            return this;
        }

        /**
         * Without streaming, how long the create holds its response ({@code Prefer: wait=N}, at most
         * 60 s) before the adapter polls; 10 s by default. A cancel or a timeout cannot interrupt this
         * wait (aborting a create would leave its outcome unknown), so keep it short.
         */
        public Builder preferWait(Duration value) {
            preferWait = value;
            return this;
        }

        /**
         * Creates each prediction with this webhook ({@code completed} events only) and waits for
         * its deliveries in {@code inbox} wherever it would poll; the host verifies each delivery
         * ({@link ReplicateWebhooks}) and passes it to {@link ReplicateWebhookInbox#deliver}.
         *
         * @param url the public {@code http(s)} URL Replicate calls, e.g.
         *            {@code https://game.example.org/webhooks/replicate}
         */
        public Builder webhook(URI url, ReplicateWebhookInbox inbox) {
            Objects.requireNonNull(url, "webhook url");
            Objects.requireNonNull(inbox, "webhook inbox");
            String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(java.util.Locale.ROOT);
            if (!url.isAbsolute() || !(scheme.equals("https") || scheme.equals("http")) || url.getHost() == null
                    || url.getRawUserInfo() != null) {
                throw new IllegalArgumentException("the webhook URL must be an absolute http(s) URL without user info, "
                        + "like https://game.example.org/webhooks/replicate, was " + url);
            }
            this.webhookUrl = url;
            this.inbox = inbox;
            return this;
        }

        /**
         * With a {@link #webhook webhook}, how often the prediction is still polled while its webhook
         * has not come (10 s by default): a webhook that never arrives delays a reply by at most this.
         */
        public Builder fallbackPollInterval(Duration value) {
            fallbackPollInterval = value;
            return this;
        }

        public ReplicateLanguageModel build() {
            return new ReplicateLanguageModel(this);
        }
    }
}
