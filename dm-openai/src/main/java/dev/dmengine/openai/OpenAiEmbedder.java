package dev.dmengine.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dmengine.openai.internal.OpenAiJson;
import dev.dmengine.remote.AttemptFailure;
import dev.dmengine.remote.BatchingEmbedder;
import dev.dmengine.remote.HttpModelBuilder;
import dev.dmengine.remote.Operation;
import dev.dmengine.remote.RemoteEndpoint;
import dev.dmengine.remote.RetryPolicy;
import dev.dmengine.spi.UnavailableException;
import dev.dmengine.spi.retrieval.EmbeddingSpace;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

/**
 * An {@link dev.dmengine.spi.retrieval.Embedder} on an OpenAI-compatible
 * {@code POST {baseUrl}/embeddings}: texts go out in batches of {@code batchSize} as
 * {@code {"model", "input": [...]}}, and the vectors come back in {@code data[].embedding}, put in
 * order by {@code data[].index}. Embedding is idempotent, so dm-remote's policy retries 408, 409,
 * 429, 5xx and connection failures; a circuit breaker fails fast while the server is down. Every
 * vector must have the configured dimension.
 */
public final class OpenAiEmbedder extends BatchingEmbedder {

    private final RemoteEndpoint endpoint;
    private final URI embeddings;
    private final String model;
    private final Operation operation;
    private final EmbeddingSpace space;
    private final Duration timeout;
    private final boolean sendDimensions;

    private OpenAiEmbedder(Builder b) {
        super(b.batchSize);
        this.endpoint = b.remote();
        this.embeddings = endpoint.resolve("embeddings");
        this.model = HttpModelBuilder.requireText(b.model, "model");
        this.operation = Operation.of("embedding", "model", model);
        if (b.dimension < 1) {
            throw new IllegalArgumentException("dimension must be set to the model's vector size, e.g. 1536");
        }
        this.space = new EmbeddingSpace(b.spaceId != null ? b.spaceId : model, b.dimension);
        this.timeout = HttpModelBuilder.positive(b.timeout, "timeout");
        this.sendDimensions = b.sendDimensions;
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public EmbeddingSpace space() {
        return space;
    }

    @Override
    protected List<float[]> embedBatch(List<String> batch) {
        byte[] body = requestBody(batch);
        return endpoint.call("embedding", n -> post(body, batch.size()), deadline(), null);
    }

    /** Every attempt may take {@code timeout}, every wait the longest one the policy allows. */
    private long deadline() {
        RetryPolicy p = endpoint.retryPolicy();
        long perAttempt = timeout.toNanos() + p.maxServerDelay().toNanos();
        return System.nanoTime() + perAttempt * (p.maxRetries() + 1L);
    }

    private List<float[]> post(byte[] body, int expected) throws AttemptFailure {
        HttpRequest request = endpoint.request(embeddings, timeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        HttpResponse<String> response;
        try {
            response = endpoint.http().send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw endpoint.errors().unreachable(e, true); // embedding is idempotent
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UnavailableException("interrupted while embedding", e);
        }
        if (response.statusCode() != 200) {
            throw endpoint.errors().failure(operation, response.statusCode(), response.headers(), response.body());
        }
        return parse(response.body(), expected);
    }

    private List<float[]> parse(String body, int expected) throws AttemptFailure {
        JsonNode data;
        try {
            data = OpenAiJson.object(body).get("data");
        } catch (IOException e) {
            throw AttemptFailure.fatal(new UnavailableException("embedding server sent malformed JSON"));
        }
        if (data == null || !data.isArray() || data.size() != expected) {
            throw AttemptFailure.fatal(new UnavailableException("embedding server returned "
                    + (data == null ? "no" : data.size()) + " vectors for " + expected + " texts"));
        }
        float[][] ordered = new float[expected][];
        for (int i = 0; i < data.size(); i++) {
            JsonNode item = data.get(i);
            int index = item.path("index").asInt(i);
            JsonNode embedding = item.get("embedding");
            if (index < 0 || index >= expected || ordered[index] != null || embedding == null || !embedding.isArray()) {
                throw AttemptFailure.fatal(new UnavailableException("embedding server returned a malformed data[" + i
                        + "]"));
            }
            checkDimension(embedding.size());
            ordered[index] = floats(embedding);
        }
        return List.of(ordered);
    }

    private static float[] floats(JsonNode array) {
        float[] v = new float[array.size()];
        for (int d = 0; d < v.length; d++) {
            v[d] = (float) array.get(d).asDouble();
        }
        return v;
    }

    private byte[] requestBody(List<String> batch) {
        ObjectNode root = OpenAiJson.MAPPER.createObjectNode();
        root.put("model", model);
        ArrayNode input = root.putArray("input");
        batch.forEach(input::add);
        root.put("encoding_format", "float");
        if (sendDimensions) {
            root.put("dimensions", space.dimension());
        }
        try {
            return OpenAiJson.MAPPER.writeValueAsBytes(root);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return "OpenAiEmbedder[endpoint=" + embeddings + ", space=" + space + ", apiKey="
                + (endpoint.hasApiKey() ? "[redacted]" : "none") + "]";
    }

    /**
     * Settings of an {@link OpenAiEmbedder}; {@code model} and {@code dimension} are required. The
     * shared ones are {@link HttpModelBuilder}'s.
     */
    public static final class Builder extends HttpModelBuilder<Builder> {
        private String model;
        private String spaceId;
        private int dimension;
        private int batchSize = 64;
        private Duration timeout = Duration.ofSeconds(60);
        private boolean sendDimensions;

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

        /** The vector size the model returns (e.g. 1536, 768 for nomic-embed-text, 384 for all-minilm). */
        public Builder dimension(int value) {
            dimension = value;
            return this;
        }

        /** The embedding space's model id; the model name by default. */
        public Builder spaceId(String value) {
            spaceId = value;
            return this;
        }

        /** Texts per request; 64 by default. */
        public Builder batchSize(int value) {
            batchSize = value;
            return this;
        }

        /** Longest wait for one batch's response. */
        public Builder timeout(Duration value) {
            timeout = value;
            return this;
        }

        /** Send {@code dimensions} (OpenAI text-embedding-3 models shorten their vectors to it). */
        public Builder sendDimensions(boolean value) {
            sendDimensions = value;
            return this;
        }

        public OpenAiEmbedder build() {
            return new OpenAiEmbedder(this);
        }

        private RemoteEndpoint remote() {
            return endpoint(OpenAiLanguageModel.PROVIDER, null);
        }

        @Override
        public String toString() {
            return super.toString() + "[model=" + model + "]";
        }
    }
}
