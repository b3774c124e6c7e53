package dev.dmengine.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dmengine.core.remote.Backoff;
import dev.dmengine.core.remote.CircuitBreaker;
import dev.dmengine.core.remote.Deadline;
import dev.dmengine.openai.internal.HttpErrors;
import dev.dmengine.core.remote.Secrets;
import dev.dmengine.core.remote.SseReader;
import dev.dmengine.spi.DmException;
import dev.dmengine.spi.UnavailableException;
import dev.dmengine.spi.generation.ChatMessage;
import dev.dmengine.spi.generation.GenerationHandler;
import dev.dmengine.spi.generation.GenerationRequest;
import dev.dmengine.spi.generation.GenerationResult;
import dev.dmengine.spi.generation.LanguageModel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * A {@link LanguageModel} on any OpenAI-compatible server (OpenAI, Ollama, vLLM, llama.cpp
 * server, LM Studio): {@code POST {baseUrl}/chat/completions} with {@code "stream": true}, read
 * as server-sent events whose {@code data} is a {@code chat.completion.chunk} and whose last
 * {@code data} is {@code [DONE]}.
 *
 * <p>Policy: a call is retried on 429 (after {@code Retry-After} when the server sends it, else
 * exponential backoff with jitter), on 5xx and on connection failures, but only while no token
 * has reached the handler; a stream that breaks after its first token fails. A first-token
 * timeout and a total timeout abort the stream; so does the request's
 * {@link dev.dmengine.spi.generation.CancellationSignal}. Consecutive provider failures open a
 * circuit breaker that fails calls fast with an {@link UnavailableException} for a cool-down.
 * The API key is sent as a bearer token and never logged, printed or put in an exception.
 */
public final class OpenAiLanguageModel implements LanguageModel {

    private static final Logger LOG = LoggerFactory.getLogger(OpenAiLanguageModel.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI endpoint;
    private final String apiKey;
    private final String model;
    private final Duration firstTokenTimeout;
    private final Duration totalTimeout;
    private final int maxRetries;
    private final Backoff backoff;
    private final Duration maxRetryAfter;
    private final boolean includeUsage;
    private final String maxTokensField;
    private final HttpClient http;
    private final CircuitBreaker breaker;

    private OpenAiLanguageModel(Builder b) {
        this.endpoint = OpenAiEmbedder.resolve(b.baseUrl, "chat/completions");
        this.apiKey = b.apiKey == null || b.apiKey.isBlank() ? null : b.apiKey;
        this.model = requireText(b.model, "model");
        this.firstTokenTimeout = positive(b.firstTokenTimeout, "firstTokenTimeout");
        this.totalTimeout = positive(b.totalTimeout, "totalTimeout");
        if (b.maxRetries < 0) {
            throw new IllegalArgumentException("maxRetries must be 0 or more, was " + b.maxRetries);
        }
        this.maxRetries = b.maxRetries;
        this.backoff = new Backoff(positive(b.initialBackoff, "initialBackoff"), positive(b.maxBackoff, "maxBackoff"));
        this.maxRetryAfter = positive(b.maxRetryAfter, "maxRetryAfter");
        this.includeUsage = b.includeUsage;
        this.maxTokensField = requireText(b.maxTokensField, "maxTokensField");
        this.http = b.httpClient != null ? b.httpClient : HttpClient.newBuilder()
                .connectTimeout(positive(b.connectTimeout, "connectTimeout"))
                .version(HttpClient.Version.HTTP_1_1)
                .build();
        this.breaker = new CircuitBreaker(b.circuitBreakerThreshold, positive(b.circuitBreakerCoolDown,
                "circuitBreakerCoolDown"), Objects.requireNonNull(b.clock, "clock"));
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String modelId() {
        return model;
    }

    @Override
    public void generate(GenerationRequest request, GenerationHandler handler) {
        GenerationResult result;
        try {
            result = run(request, handler);
        } catch (CancellationException | DmException e) {
            handler.onError(e);
            return;
        } catch (RuntimeException e) {
            handler.onError(new UnavailableException("chat completion failed: " + e.getClass().getSimpleName(), e));
            return;
        }
        handler.onComplete(result);
    }

    /** Thrown by one attempt; says whether another attempt may follow. */
    private static final class AttemptFailed extends Exception {
        final DmException error;
        final boolean retry;
        final Duration wait;
        final boolean providerFault;

        AttemptFailed(DmException error, boolean retry, Duration wait, boolean providerFault) {
            super(error.getMessage(), null, false, false);
            this.error = error;
            this.retry = retry;
            this.wait = wait;
            this.providerFault = providerFault;
        }
    }

    private GenerationResult run(GenerationRequest request, GenerationHandler handler) {
        if (request.cancellation().isCancelled()) {
            throw new CancellationException("generation cancelled before it started");
        }
        byte[] body = requestBody(request);
        long deadline = System.nanoTime() + totalTimeout.toNanos();
        for (int attempt = 1; ; attempt++) {
            if (!breaker.tryAcquire()) {
                throw new UnavailableException("the model server keeps failing; calls to it pause for a moment "
                        + "(circuit open)");
            }
            try {
                GenerationResult r = attempt(request, handler, body, deadline, attempt);
                breaker.onSuccess();
                return r;
            } catch (AttemptFailed f) {
                if (f.providerFault) {
                    breaker.onFailure();
                } else {
                    breaker.onNeutral();
                }
                if (!f.retry || attempt > maxRetries) {
                    throw f.error;
                }
                Duration wait = f.wait != null ? f.wait : backoff.delay(attempt);
                if (f.wait != null && f.wait.compareTo(maxRetryAfter) > 0) {
                    throw f.error;
                }
                if (System.nanoTime() + wait.toNanos() >= deadline) {
                    throw f.error;
                }
                LOG.debug("chat completion attempt {} failed ({}); retrying in {} ms", attempt, f.error.getMessage(),
                        wait.toMillis());
                pause(wait, request);
            } catch (RuntimeException e) { // cancelled, or a refusal the handler's own code threw
                breaker.onNeutral();
                throw e;
            }
        }
    }

    private static void pause(Duration wait, GenerationRequest request) {
        CountDownLatch cancelled = new CountDownLatch(1);
        request.cancellation().onCancel(cancelled::countDown);
        try {
            if (cancelled.await(wait.toNanos(), TimeUnit.NANOSECONDS)) {
                throw new CancellationException("generation cancelled while waiting to retry");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancellationException("interrupted while waiting to retry");
        }
    }

    private GenerationResult attempt(GenerationRequest request, GenerationHandler handler, byte[] body, long deadline,
                                     int attempt) throws AttemptFailed {
        long now = System.nanoTime();
        Deadline guard = new Deadline();
        guard.arm(Math.min(firstTokenTimeout.toNanos(), deadline - now), deadline - now);
        request.cancellation().onCancel(() -> guard.abort(Deadline.Reason.CANCELLED));
        HttpRequest.Builder rb = HttpRequest.newBuilder(endpoint)
                .timeout(Duration.ofNanos(Math.max(1, deadline - now)))
                .header("Content-Type", "application/json")
                .header("Accept", "text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (apiKey != null) {
            rb.header("Authorization", "Bearer " + apiKey);
        }
        int tokens = 0;
        try {
            CompletableFuture<HttpResponse<InputStream>> pending = http.sendAsync(rb.build(),
                    HttpResponse.BodyHandlers.ofInputStream());
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
                throw failed(response);
            }
            StringBuilder text = new StringBuilder();
            String finishReason = null;
            String completionId = null;
            String servedModel = null;
            JsonNode usage = null;
            boolean done = false;
            if (response.headers().firstValue("Content-Type").orElse("").startsWith("application/json")) {
                // a server that ignores "stream": true answers with one chat.completion object
                JsonNode whole;
                try (InputStream in = response.body()) {
                    whole = JSON.readTree(in);
                } catch (IOException e) {
                    if (guard.reason() != null) {
                        throw e;
                    }
                    throw new AttemptFailed(new UnavailableException("model server sent a malformed completion"),
                            false, null, true);
                }
                JsonNode choice = whole == null ? null : whole.path("choices").path(0);
                if (choice == null || choice.isMissingNode()) {
                    throw new AttemptFailed(new UnavailableException("model server sent a completion without choices"),
                            false, null, true);
                }
                String content = choice.path("message").path("content").asText("");
                completionId = whole.hasNonNull("id") ? whole.get("id").asText() : null;
                servedModel = whole.hasNonNull("model") ? whole.get("model").asText() : null;
                usage = whole.get("usage");
                finishReason = choice.hasNonNull("finish_reason") ? choice.get("finish_reason").asText() : "stop";
                done = true;
                if (!content.isEmpty()) {
                    guard.firstTokenArrived();
                    tokens++;
                    text.append(content);
                    handler.onToken(content);
                    if (request.cancellation().isCancelled()) {
                        throw new CancellationException("generation cancelled");
                    }
                }
            } else try (SseReader sse = new SseReader(response.body())) {
                SseReader.Event event;
                while ((event = sse.next()) != null) {
                    String data = event.data().trim();
                    if (data.equals("[DONE]")) {
                        done = true;
                        break;
                    }
                    if (data.isEmpty()) {
                        continue;
                    }
                    JsonNode chunk;
                    try {
                        chunk = JSON.readTree(data);
                    } catch (IOException e) {
                        throw new AttemptFailed(new UnavailableException("model server sent a malformed stream event: "
                                + Secrets.scrub(data, apiKey)), false, null, true);
                    }
                    if (chunk == null || !chunk.isObject()) {
                        throw new AttemptFailed(new UnavailableException("model server sent a malformed stream event: "
                                + Secrets.scrub(data, apiKey)), false, null, true);
                    }
                    if (chunk.hasNonNull("error")) {
                        JsonNode err = chunk.get("error");
                        String msg = err.isTextual() ? err.asText() : err.path("message").asText(err.toString());
                        throw new AttemptFailed(new UnavailableException("model server reported an error mid-stream: "
                                + Secrets.scrub(msg, apiKey)), tokens == 0, null, true);
                    }
                    if (completionId == null && chunk.hasNonNull("id")) {
                        completionId = chunk.get("id").asText();
                    }
                    if (servedModel == null && chunk.hasNonNull("model")) {
                        servedModel = chunk.get("model").asText();
                    }
                    if (chunk.hasNonNull("usage")) {
                        usage = chunk.get("usage");
                    }
                    JsonNode choice = chunk.path("choices").path(0);
                    if (choice.isMissingNode()) {
                        continue;
                    }
                    String content = choice.path("delta").path("content").asText("");
                    if (choice.hasNonNull("finish_reason")) {
                        finishReason = choice.get("finish_reason").asText();
                    }
                    if (!content.isEmpty()) {
                        guard.firstTokenArrived();
                        tokens++;
                        text.append(content);
                        handler.onToken(content);
                        if (request.cancellation().isCancelled()) {
                            guard.abort(Deadline.Reason.CANCELLED);
                            throw new CancellationException("generation cancelled after " + tokens + " chunks");
                        }
                    }
                }
            }
            if (guard.reason() != null) {
                throw new IOException("stream aborted");
            }
            if (!done && finishReason == null) {
                throw new AttemptFailed(new UnavailableException("model server ended the stream before it finished"),
                        tokens == 0, null, true);
            }
            Map<String, String> attributes = new LinkedHashMap<>();
            attributes.put("provider", "openai-compatible");
            attributes.put("model", servedModel != null ? servedModel : model);
            if (completionId != null) {
                attributes.put("completion_id", completionId);
            }
            attributes.put("param.max_tokens", Integer.toString(request.maxTokens()));
            attributes.put("param.temperature", Double.toString(request.temperature()));
            attributes.put("param.top_p", Double.toString(request.topP()));
            attributes.put("attempts", Integer.toString(attempt));
            int outputTokens = tokens;
            if (usage != null) {
                if (usage.hasNonNull("completion_tokens")) {
                    outputTokens = usage.get("completion_tokens").asInt();
                }
                if (usage.hasNonNull("prompt_tokens")) {
                    attributes.put("usage.prompt_tokens", usage.get("prompt_tokens").asText());
                }
            }
            return new GenerationResult(text.toString(), finishReason == null ? "stop" : finishReason, outputTokens,
                    attributes);
        } catch (IOException e) {
            Deadline.Reason why = guard.reason();
            if (why == Deadline.Reason.CANCELLED || request.cancellation().isCancelled()) {
                throw new CancellationException("generation cancelled");
            }
            if (why == Deadline.Reason.FIRST_TOKEN_TIMEOUT) {
                throw new AttemptFailed(new UnavailableException("model server sent no token within "
                        + firstTokenTimeout.toMillis() + " ms"), false, null, true);
            }
            if (why == Deadline.Reason.TOTAL_TIMEOUT) {
                throw new AttemptFailed(new UnavailableException("generation exceeded the total timeout of "
                        + totalTimeout.toMillis() + " ms"), false, null, true);
            }
            throw new AttemptFailed(new UnavailableException("the model server could not be reached or broke the "
                    + "connection", e), tokens == 0, null, true);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancellationException("interrupted");
        } finally {
            guard.disarm();
        }
    }

    private AttemptFailed failed(HttpResponse<InputStream> response) {
        int status = response.statusCode();
        String detail;
        try (InputStream in = response.body()) {
            detail = OpenAiEmbedder.errorDetail(new String(in.readNBytes(8192), StandardCharsets.UTF_8), apiKey);
        } catch (IOException e) {
            detail = "";
        }
        Duration retryAfter = response.headers().firstValue("Retry-After").flatMap(Backoff::parseRetryAfter)
                .orElse(null);
        DmException error = HttpErrors.map(status, "chat completion", model, detail, retryAfter);
        if (status == 429) {
            return new AttemptFailed(error, true, retryAfter, false);
        }
        boolean serverFault = HttpErrors.isServerFault(status);
        return new AttemptFailed(error, serverFault, null, serverFault);
    }

    private byte[] requestBody(GenerationRequest request) {
        ObjectNode root = JSON.createObjectNode();
        root.put("model", model);
        ArrayNode messages = root.putArray("messages");
        for (ChatMessage m : request.messages()) {
            messages.addObject().put("role", m.role().name().toLowerCase(Locale.ROOT)).put("content", m.content());
        }
        root.put("stream", true);
        if (includeUsage) {
            root.putObject("stream_options").put("include_usage", true);
        }
        root.put(maxTokensField, request.maxTokens());
        root.put("temperature", request.temperature());
        root.put("top_p", request.topP());
        if (!request.stop().isEmpty()) {
            ArrayNode stop = root.putArray("stop");
            request.stop().forEach(stop::add);
        }
        try {
            return JSON.writeValueAsBytes(root);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
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
        return "OpenAiLanguageModel[endpoint=" + endpoint + ", model=" + model + ", apiKey="
                + (apiKey == null ? "none" : "[redacted]") + "]";
    }

    /** Settings of an {@link OpenAiLanguageModel}; only {@code model} is required. */
    public static final class Builder {
        private String baseUrl = "https://api.openai.com/v1";
        private String apiKey;
        private String model;
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration firstTokenTimeout = Duration.ofSeconds(60);
        private Duration totalTimeout = Duration.ofMinutes(5);
        private int maxRetries = 3;
        private Duration initialBackoff = Duration.ofMillis(500);
        private Duration maxBackoff = Duration.ofSeconds(10);
        private Duration maxRetryAfter = Duration.ofSeconds(60);
        private int circuitBreakerThreshold = 5;
        private Duration circuitBreakerCoolDown = Duration.ofSeconds(30);
        private boolean includeUsage = true;
        private String maxTokensField = "max_tokens";
        private Clock clock = Clock.systemUTC();
        private HttpClient httpClient;

        private Builder() {
        }

        /** The API root including {@code /v1}, e.g. {@code http://localhost:11434/v1} for Ollama. */
        public Builder baseUrl(String value) {
            baseUrl = value;
            return this;
        }

        /** Sent as {@code Authorization: Bearer …}; optional for local servers. Never logged. */
        public Builder apiKey(String value) {
            apiKey = value;
            return this;
        }

        public Builder model(String value) {
            model = value;
            return this;
        }

        /** Time to open the TCP (and TLS) connection; ignored when {@link #httpClient} is given. */
        public Builder connectTimeout(Duration value) {
            connectTimeout = value;
            return this;
        }

        /** Longest wait, per attempt, from sending the request to the first streamed token. */
        public Builder firstTokenTimeout(Duration value) {
            firstTokenTimeout = value;
            return this;
        }

        /** Longest a whole generation may take, retries and backoff included. */
        public Builder totalTimeout(Duration value) {
            totalTimeout = value;
            return this;
        }

        /** Retries after the first attempt (0 turns retrying off). */
        public Builder maxRetries(int value) {
            maxRetries = value;
            return this;
        }

        /** Backoff before the first retry; it doubles per retry up to {@link #maxBackoff}, with jitter. */
        public Builder initialBackoff(Duration value) {
            initialBackoff = value;
            return this;
        }

        public Builder maxBackoff(Duration value) {
            maxBackoff = value;
            return this;
        }

        /** A 429 whose {@code Retry-After} is longer than this is not waited for but reported. */
        public Builder maxRetryAfter(Duration value) {
            maxRetryAfter = value;
            return this;
        }

        /** Consecutive failed calls that open the circuit breaker. */
        public Builder circuitBreakerThreshold(int value) {
            circuitBreakerThreshold = value;
            return this;
        }

        public Builder circuitBreakerCoolDown(Duration value) {
            circuitBreakerCoolDown = value;
            return this;
        }

        /** Ask for a last chunk carrying {@code usage} ({@code stream_options.include_usage}); on by default. */
        public Builder includeUsage(boolean value) {
            includeUsage = value;
            return this;
        }

        /** {@code max_tokens} (default) or {@code max_completion_tokens} for newer OpenAI models. */
        public Builder maxTokensField(String value) {
            maxTokensField = value;
            return this;
        }

        /** The clock of the circuit breaker's cool-down. */
        public Builder clock(Clock value) {
            clock = value;
            return this;
        }

        /** A host-owned client (its own connect timeout, proxy, executor). */
        public Builder httpClient(HttpClient value) {
            httpClient = value;
            return this;
        }

        public OpenAiLanguageModel build() {
            return new OpenAiLanguageModel(this);
        }

        @Override
        public String toString() {
            return "OpenAiLanguageModel.Builder[baseUrl=" + baseUrl + ", model=" + model + ", apiKey="
                    + (apiKey == null ? "none" : "[redacted]") + "]";
        }
    }
}
