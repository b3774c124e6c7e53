package dev.dmengine.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dmengine.openai.internal.ChatReply;
import dev.dmengine.openai.internal.OpenAiJson;
import dev.dmengine.remote.AttemptFailure;
import dev.dmengine.remote.Deadline;
import dev.dmengine.remote.HttpModelBuilder;
import dev.dmengine.remote.Operation;
import dev.dmengine.remote.Provider;
import dev.dmengine.remote.RemoteEndpoint;
import dev.dmengine.remote.RemoteLanguageModel;
import dev.dmengine.remote.SseReader;
import dev.dmengine.spi.DmException;
import dev.dmengine.spi.PermissionDeniedException;
import dev.dmengine.spi.UnavailableException;
import dev.dmengine.spi.generation.ChatMessage;
import dev.dmengine.spi.generation.GenerationHandler;
import dev.dmengine.spi.generation.GenerationRequest;
import dev.dmengine.spi.generation.GenerationResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A {@link dev.dmengine.spi.generation.LanguageModel} on any OpenAI-compatible server (OpenAI,
 * Ollama, vLLM, llama.cpp server, LM Studio): {@code POST {baseUrl}/chat/completions} with
 * {@code "stream": true}, read as server-sent events whose {@code data} is a
 * {@code chat.completion.chunk}, until {@code data: [DONE]} (or a {@code finish_reason} and the
 * end of the stream).
 *
 * <p>Only {@code content} reaches the handler. Reasoning ({@code reasoning},
 * {@code reasoning_content}), tool calls and role-only chunks are signs of life that stop the
 * first-token timer but are never shown; the reasoning's length (and, with
 * {@link Builder#keepReasoning}, its text) goes into the result's attributes. A
 * {@code refusal} fails the generation with a {@link PermissionDeniedException} ("the model
 * refused: …"), an empty reply with an {@link UnavailableException} saying why.
 *
 * <p>Retries are dm-remote's policy (see {@link dev.dmengine.remote}): transport failures, 408,
 * 409, 429 and 5xx (as {@code x-should-retry} allows) are retried after the server's
 * {@code retry-after-ms} / {@code Retry-After} or backoff, but only while no token has reached
 * the handler. The API key is sent as a bearer token and never logged, printed or put in an
 * exception.
 */
public final class OpenAiLanguageModel extends RemoteLanguageModel {

    private static final Logger LOG = LoggerFactory.getLogger(OpenAiLanguageModel.class);
    static final Provider PROVIDER = Provider.named("model server", "API key")
            .withErrorDetail(OpenAiJson::errorDetail);
    private static final Set<String> MAX_TOKENS_FIELDS = Set.of("max_tokens", "max_completion_tokens");
    private static final int MAX_KEPT_REASONING = 16_000;

    /** How a stream ended. */
    private enum StreamEnd { DONE, END_OF_STREAM, CUT_MID_EVENT }

    /** A response with status 200, and the max-tokens field of the request that got it. */
    private record Opened(HttpResponse<InputStream> response, String maxTokensField) {
    }

    private final RemoteEndpoint endpoint;
    private final URI chat;
    private final String model;
    private final Operation operation;
    private final Duration firstTokenTimeout;
    private final Duration totalTimeout;
    private final Duration idleTimeout;
    private final boolean includeUsage;
    private final boolean adaptMaxTokensField;
    private final boolean keepReasoning;
    private final AtomicReference<String> maxTokensField;

    private OpenAiLanguageModel(Builder b) {
        this.endpoint = b.remote();
        this.chat = endpoint.resolve("chat/completions");
        this.model = HttpModelBuilder.requireText(b.model, "model");
        this.operation = Operation.of("chat completion", "model", model);
        this.firstTokenTimeout = HttpModelBuilder.positive(b.firstTokenTimeout, "firstTokenTimeout");
        this.totalTimeout = HttpModelBuilder.positive(b.totalTimeout, "totalTimeout");
        this.idleTimeout = HttpModelBuilder.positive(b.idleTimeout, "idleTimeout");
        this.includeUsage = b.includeUsage;
        this.adaptMaxTokensField = b.adaptMaxTokensField;
        this.keepReasoning = b.keepReasoning;
        if (!MAX_TOKENS_FIELDS.contains(b.maxTokensField)) {
            throw new IllegalArgumentException("maxTokensField must be max_tokens or max_completion_tokens, was "
                    + b.maxTokensField);
        }
        this.maxTokensField = new AtomicReference<>(b.maxTokensField);
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String modelId() {
        return model;
    }

    /** The field the token limit is sent in now ({@code max_completion_tokens} once a server refused {@code max_tokens}). */
    public String maxTokensField() {
        return maxTokensField.get();
    }

    @Override
    protected GenerationResult doGenerate(GenerationRequest request, GenerationHandler handler) {
        long deadline = System.nanoTime() + totalTimeout.toNanos();
        return endpoint.call("chat completion", n -> attempt(request, handler, deadline, n), deadline,
                request.cancellation());
    }

    private GenerationResult attempt(GenerationRequest request, GenerationHandler handler, long deadline, int attempt)
            throws AttemptFailure {
        Deadline guard = arm(request, deadline);
        ChatReply reply = new ChatReply();
        try {
            Opened opened = open(request, guard, deadline);
            StreamEnd end = isJson(opened.response())
                    ? readWhole(opened.response(), reply, guard, request, handler)
                    : readStream(opened.response(), reply, guard, request, handler);
            if (guard.reason() != null) {
                throw new IOException("stream aborted");
            }
            return finish(reply, end, request, opened.maxTokensField(), attempt);
        } catch (IOException e) {
            throw broken(e, guard, request, reply);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancellationException("interrupted");
        } finally {
            guard.disarm();
        }
    }

    private Deadline arm(GenerationRequest request, long deadline) {
        long left = deadline - System.nanoTime();
        Deadline guard = new Deadline();
        guard.arm(Math.min(firstTokenTimeout.toNanos(), left), left, idleTimeout.toNanos());
        request.cancellation().onCancel(() -> guard.abort(Deadline.Reason.CANCELLED));
        return guard;
    }

    /**
     * Sends the request; a server that refuses {@code max_tokens} for this model (OpenAI's
     * o-series: HTTP 400 naming it) gets it again once as {@code max_completion_tokens}, which is
     * then sent from the first attempt on.
     */
    private Opened open(GenerationRequest request, Deadline guard, long deadline)
            throws IOException, InterruptedException, AttemptFailure {
        String field = maxTokensField.get();
        HttpResponse<InputStream> response = send(requestBody(request, field), guard, deadline);
        if (response.statusCode() == 200) {
            return new Opened(response, field);
        }
        String error = drain(response);
        if (response.statusCode() == 400 && adaptMaxTokensField && field.equals("max_tokens")
                && rejectsMaxTokens(error)) {
            field = "max_completion_tokens";
            maxTokensField.set(field);
            LOG.info("{} refuses max_tokens; sending max_completion_tokens from now on", model);
            response = send(requestBody(request, field), guard, deadline);
            if (response.statusCode() == 200) {
                return new Opened(response, field);
            }
            error = drain(response);
        }
        throw endpoint.errors().failure(operation, response.statusCode(), response.headers(), error);
    }

    private HttpResponse<InputStream> send(byte[] body, Deadline guard, long deadline)
            throws IOException, InterruptedException {
        HttpRequest request = endpoint.request(chat, Duration.ofNanos(Math.max(1, deadline - System.nanoTime())))
                .header("Content-Type", "application/json")
                .header("Accept", "text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        CompletableFuture<HttpResponse<InputStream>> pending = endpoint.http().sendAsync(request,
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
        return response;
    }

    private static String drain(HttpResponse<InputStream> response) {
        try (InputStream in = response.body()) {
            return new String(in.readNBytes(8192), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /** Whether a 400 says this model takes {@code max_completion_tokens} instead of {@code max_tokens}. */
    static boolean rejectsMaxTokens(String body) {
        try {
            JsonNode error = OpenAiJson.object(body).path("error");
            String message = OpenAiJson.message(error);
            return "max_tokens".equals(error.path("param").asText())
                    || message.contains("max_tokens") && message.contains("max_completion_tokens");
        } catch (IOException notJson) {
            return body.contains("max_tokens") && body.contains("max_completion_tokens");
        }
    }

    private static boolean isJson(HttpResponse<InputStream> response) {
        return response.headers().firstValue("Content-Type").orElse("").startsWith("application/json");
    }

    private StreamEnd readStream(HttpResponse<InputStream> response, ChatReply reply, Deadline guard,
                                 GenerationRequest request, GenerationHandler handler) throws IOException, AttemptFailure {
        try (SseReader sse = new SseReader(response.body())) {
            SseReader.Event event;
            while ((event = sse.next()) != null) {
                String data = event.data().trim();
                if (data.startsWith("[DONE]")) {
                    return StreamEnd.DONE;
                }
                if (data.isEmpty()) {
                    continue;
                }
                JsonNode chunk = parse(data);
                guard.chunkArrived(); // any parsed chunk is a sign of life, reasoning included
                failOnError(chunk, event.event(), reply);
                emit(reply.applyChunk(chunk), reply, guard, request, handler);
            }
            return sse.endedMidEvent() ? StreamEnd.CUT_MID_EVENT : StreamEnd.END_OF_STREAM;
        } catch (SseReader.EventTooLargeException e) {
            throw AttemptFailure.fatal(new UnavailableException("model server sent a malformed stream: "
                    + e.getMessage()));
        }
    }

    /** A server that ignores {@code "stream": true} answers one {@code chat.completion}: read as one token. */
    private StreamEnd readWhole(HttpResponse<InputStream> response, ChatReply reply, Deadline guard,
                                GenerationRequest request, GenerationHandler handler) throws IOException, AttemptFailure {
        JsonNode whole;
        try (InputStream in = response.body()) {
            whole = OpenAiJson.object(in);
        } catch (IOException e) {
            if (guard.reason() != null) {
                throw e;
            }
            throw AttemptFailure.fatal(new UnavailableException("model server sent a malformed completion"));
        }
        guard.firstChunkArrived();
        failOnError(whole, "message", reply);
        if (whole.path("choices").path(0).isMissingNode()) {
            throw AttemptFailure.fatal(new UnavailableException("model server sent a completion without choices"));
        }
        emit(reply.applyCompletion(whole), reply, guard, request, handler);
        return StreamEnd.DONE;
    }

    private JsonNode parse(String data) throws AttemptFailure {
        try {
            return OpenAiJson.object(data);
        } catch (IOException e) {
            throw AttemptFailure.fatal(new UnavailableException("model server sent a malformed stream event: "
                    + endpoint.scrub(data)));
        }
    }

    /**
     * A {@code {"error": …}} chunk (vLLM, Ollama, llama.cpp and OpenAI report failures mid-stream
     * so): a client error it names by code (400, 413…) is mapped and not retried; anything else
     * is the server failing, retried while no token was shown.
     */
    private void failOnError(JsonNode chunk, String eventName, ChatReply reply) throws AttemptFailure {
        JsonNode error = chunk.get("error");
        if (error == null || error.isNull()) {
            if (!"error".equals(eventName)) {
                return;
            }
            error = chunk;
        }
        String message = endpoint.scrub(OpenAiJson.message(error));
        int code = error.path("code").asInt(0);
        if (code >= 400 && code < 500 && code != 408 && code != 409 && code != 429) {
            DmException e = endpoint.errors().exception(operation, code, "reported mid-stream: " + message, null, false);
            throw AttemptFailure.fatal(e).neutral();
        }
        AttemptFailure f = AttemptFailure.retriable(new UnavailableException(
                "model server reported an error mid-stream: " + message));
        throw reply.tokens() == 0 ? f : f.notRetriable();
    }

    private static void emit(String text, ChatReply reply, Deadline guard, GenerationRequest request,
                             GenerationHandler handler) {
        if (text.isEmpty()) {
            return;
        }
        handler.onToken(text);
        if (request.cancellation().isCancelled()) {
            guard.abort(Deadline.Reason.CANCELLED);
            throw new CancellationException("generation cancelled after " + reply.tokens() + " chunks");
        }
    }

    private GenerationResult finish(ChatReply reply, StreamEnd end, GenerationRequest request, String field,
                                    int attempt) throws AttemptFailure {
        if (end != StreamEnd.DONE && reply.finishReason() == null) {
            throw unfinished(reply, end);
        }
        if (!reply.refusal().isBlank()) {
            throw AttemptFailure.fatal(new PermissionDeniedException("the model refused: "
                    + endpoint.scrub(reply.refusal()))).neutral();
        }
        if (reply.text().isEmpty()) {
            throw AttemptFailure.fatal(new UnavailableException(emptyReply(reply))).neutral();
        }
        return result(reply, request, field, attempt);
    }

    /** A stream that stopped without a finish: retried only while the player has seen nothing of it. */
    private static AttemptFailure unfinished(ChatReply reply, StreamEnd end) {
        String why = end == StreamEnd.CUT_MID_EVENT
                ? "model server cut the stream in the middle of an event"
                : "model server ended the stream before it finished";
        AttemptFailure f = AttemptFailure.retriable(new UnavailableException(why
                + (reply.tokens() == 0 ? "" : " (after " + reply.tokens() + " chunks of text)")));
        return reply.tokens() == 0 ? f : f.notRetriable();
    }

    private static String emptyReply(ChatReply reply) {
        String finish = reply.finishReason() == null ? "stop" : reply.finishReason();
        if (finish.equals("content_filter")) {
            return "the model's reply was withheld by the provider's content filter";
        }
        if (!reply.reasoning().isEmpty()) {
            return "the model reasoned (" + reply.reasoning().length() + " characters) but gave no reply"
                    + (finish.equals("length") ? ": its token limit ran out while it was thinking" : "")
                    + " (finish_reason " + finish + ")";
        }
        return "the model gave an empty reply (finish_reason " + finish + ")";
    }

    private AttemptFailure broken(IOException e, Deadline guard, GenerationRequest request, ChatReply reply) {
        Deadline.Reason why = guard.reason();
        if (why == Deadline.Reason.CANCELLED || request.cancellation().isCancelled()) {
            throw new CancellationException("generation cancelled");
        }
        if (why == Deadline.Reason.FIRST_TOKEN_TIMEOUT) {
            // nothing reached the handler: another attempt is safe, as the official clients retry timeouts
            return AttemptFailure.retriable(new UnavailableException("model server sent no token within "
                    + firstTokenTimeout.toMillis() + " ms (nor any other chunk)"));
        }
        if (why == Deadline.Reason.IDLE_TIMEOUT) {
            // a stream that went quiet: retried only while the player has seen nothing of it
            AttemptFailure f = AttemptFailure.retriable(new UnavailableException("model server went quiet for "
                    + idleTimeout.toMillis() + " ms in the middle of its reply"
                    + (reply.tokens() == 0 ? "" : " (after " + reply.tokens() + " chunks of text)")));
            return reply.tokens() == 0 ? f : f.notRetriable();
        }
        if (why == Deadline.Reason.TOTAL_TIMEOUT) {
            return AttemptFailure.fatal(new UnavailableException("generation exceeded the total timeout of "
                    + totalTimeout.toMillis() + " ms"));
        }
        AttemptFailure f = endpoint.errors().unreachable(e, true);
        return reply.tokens() == 0 ? f : f.notRetriable();
    }

    private GenerationResult result(ChatReply reply, GenerationRequest request, String field, int attempt) {
        Map<String, String> attributes = new LinkedHashMap<>();
        attributes.put("provider", "openai-compatible");
        attributes.put("model", reply.servedModel() != null ? reply.servedModel() : model);
        if (reply.completionId() != null) {
            attributes.put("completion_id", reply.completionId());
        }
        attributes.put("param." + field, Integer.toString(request.maxTokens()));
        attributes.put("param.temperature", Double.toString(request.temperature()));
        attributes.put("param.top_p", Double.toString(request.topP()));
        attributes.put("attempts", Integer.toString(attempt));
        int outputTokens = reply.tokens();
        JsonNode usage = reply.usage();
        if (usage != null) {
            outputTokens = usage.path("completion_tokens").asInt(outputTokens);
            if (usage.hasNonNull("prompt_tokens")) {
                attributes.put("usage.prompt_tokens", usage.get("prompt_tokens").asText());
            }
            JsonNode reasoningTokens = usage.path("completion_tokens_details").path("reasoning_tokens");
            if (reasoningTokens.isNumber()) {
                attributes.put("usage.reasoning_tokens", reasoningTokens.asText());
            }
        }
        if (!reply.reasoning().isEmpty()) {
            attributes.put("reasoning_chars", Integer.toString(reply.reasoning().length()));
            if (keepReasoning) {
                String r = reply.reasoning();
                attributes.put("reasoning", r.length() > MAX_KEPT_REASONING ? r.substring(0, MAX_KEPT_REASONING) + "…" : r);
            }
        }
        String finish = reply.finishReason() == null ? "stop" : reply.finishReason();
        return new GenerationResult(reply.text(), finish, outputTokens, attributes);
    }

    private byte[] requestBody(GenerationRequest request, String field) {
        ObjectNode root = OpenAiJson.MAPPER.createObjectNode();
        root.put("model", model);
        ArrayNode messages = root.putArray("messages");
        for (ChatMessage m : request.messages()) {
            messages.addObject().put("role", m.role().name().toLowerCase(Locale.ROOT)).put("content", m.content());
        }
        root.put("stream", true);
        if (includeUsage) {
            root.putObject("stream_options").put("include_usage", true);
        }
        root.put(field, request.maxTokens());
        root.put("temperature", request.temperature());
        root.put("top_p", request.topP());
        if (!request.stop().isEmpty()) {
            ArrayNode stop = root.putArray("stop");
            request.stop().forEach(stop::add);
        }
        try {
            return OpenAiJson.MAPPER.writeValueAsBytes(root);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return "OpenAiLanguageModel[endpoint=" + chat + ", model=" + model + ", apiKey="
                + (endpoint.hasApiKey() ? "[redacted]" : "none") + "]";
    }

    /**
     * Settings of an {@link OpenAiLanguageModel}; only {@code model} is required. The shared ones
     * (base URL, key, connect timeout, retries, circuit breaker, HTTP client) are
     * {@link HttpModelBuilder}'s; the base URL defaults to {@code https://api.openai.com/v1}.
     */
    public static final class Builder extends HttpModelBuilder<Builder> {
        private String model;
        private Duration firstTokenTimeout = Duration.ofSeconds(60);
        private Duration totalTimeout = Duration.ofMinutes(5);
        private Duration idleTimeout = Duration.ofSeconds(60);
        private boolean includeUsage = true;
        private String maxTokensField = "max_tokens";
        private boolean adaptMaxTokensField = true;
        private boolean keepReasoning;

        private Builder() {
            super("https://api.openai.com/v1");
        }

        @Override
        protected Builder self() {
            return this;
        }

        public Builder model(String value) {
            model = value;
            return this;
        }

        /**
         * Longest wait, per attempt, from sending the request to the first chunk the server
         * streams — any chunk: a thinking model's reasoning counts, a {@code : ping} comment does not.
         */
        public Builder firstTokenTimeout(Duration value) {
            firstTokenTimeout = value;
            return this;
        }

        /** Longest a whole generation may take, retries and backoff included. */
        public Builder totalTimeout(Duration value) {
            totalTimeout = value;
            return this;
        }

        /**
         * Longest quiet spell, per attempt, between two chunks once the first came (60 s by
         * default): a server that stalls in the middle of a reply ends the turn then, not at the
         * total timeout. Reasoning chunks count as chunks; {@code : ping} comments do not.
         */
        public Builder idleTimeout(Duration value) {
            idleTimeout = value;
            return this;
        }

        /** Ask for a last chunk carrying {@code usage} ({@code stream_options.include_usage}); on by default. */
        public Builder includeUsage(boolean value) {
            includeUsage = value;
            return this;
        }

        /** {@code max_tokens} (default) or {@code max_completion_tokens} (OpenAI's o-series and newer models). */
        public Builder maxTokensField(String value) {
            maxTokensField = value;
            return this;
        }

        /**
         * When a server answers 400 naming {@code max_tokens} (OpenAI's o-series do), send the
         * request again at once with {@code max_completion_tokens} and keep that field; on by default.
         */
        public Builder adaptMaxTokensField(boolean value) {
            adaptMaxTokensField = value;
            return this;
        }

        /**
         * Keep the model's reasoning text in the result's {@code reasoning} attribute (cut to 16,000
         * characters); off by default — only its length, {@code reasoning_chars}, is recorded. It is
         * never streamed to the handler either way.
         */
        public Builder keepReasoning(boolean value) {
            keepReasoning = value;
            return this;
        }

        public OpenAiLanguageModel build() {
            return new OpenAiLanguageModel(this);
        }

        private RemoteEndpoint remote() {
            return endpoint(PROVIDER, null); // the key is optional: local servers take none
        }

        @Override
        public String toString() {
            return super.toString() + "[model=" + model + "]";
        }
    }
}
