package dev.dmengine.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dmengine.remote.Backoff;
import dev.dmengine.remote.CircuitBreaker;
import dev.dmengine.remote.ExceptionMapper;
import dev.dmengine.remote.Secrets;
import dev.dmengine.spi.DmException;
import dev.dmengine.spi.UnavailableException;
import dev.dmengine.spi.retrieval.Embedder;
import dev.dmengine.spi.retrieval.EmbeddingSpace;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * An {@link Embedder} on an OpenAI-compatible {@code POST {baseUrl}/embeddings}: texts go out in
 * batches of {@code batchSize} as {@code {"model", "input": [...]}}, and the vectors come back in
 * {@code data[].embedding}, put in order by {@code data[].index}. Embedding is idempotent, so 429,
 * 5xx and connection failures are retried with backoff; a circuit breaker fails fast while the
 * server is down. Every vector must have the configured dimension.
 */
public final class OpenAiEmbedder implements Embedder {

    private static final Logger LOG = LoggerFactory.getLogger(OpenAiEmbedder.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI endpoint;
    private final String apiKey;
    private final String model;
    private final EmbeddingSpace space;
    private final int batchSize;
    private final Duration timeout;
    private final int maxRetries;
    private final Backoff backoff;
    private final Duration maxRetryAfter;
    private final boolean sendDimensions;
    private final HttpClient http;
    private final CircuitBreaker breaker;

    private OpenAiEmbedder(Builder b) {
        this.endpoint = resolve(b.baseUrl, "embeddings");
        this.apiKey = b.apiKey == null || b.apiKey.isBlank() ? null : b.apiKey;
        this.model = OpenAiLanguageModel.requireText(b.model, "model");
        if (b.dimension < 1) {
            throw new IllegalArgumentException("dimension must be set to the model's vector size, e.g. 1536");
        }
        this.space = new EmbeddingSpace(b.spaceId != null ? b.spaceId : model, b.dimension);
        if (b.batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be at least 1, was " + b.batchSize);
        }
        this.batchSize = b.batchSize;
        this.timeout = OpenAiLanguageModel.positive(b.timeout, "timeout");
        if (b.maxRetries < 0) {
            throw new IllegalArgumentException("maxRetries must be 0 or more, was " + b.maxRetries);
        }
        this.maxRetries = b.maxRetries;
        this.backoff = new Backoff(OpenAiLanguageModel.positive(b.initialBackoff, "initialBackoff"),
                OpenAiLanguageModel.positive(b.maxBackoff, "maxBackoff"));
        this.maxRetryAfter = OpenAiLanguageModel.positive(b.maxRetryAfter, "maxRetryAfter");
        this.sendDimensions = b.sendDimensions;
        this.http = b.httpClient != null ? b.httpClient : HttpClient.newBuilder()
                .connectTimeout(OpenAiLanguageModel.positive(b.connectTimeout, "connectTimeout"))
                .version(HttpClient.Version.HTTP_1_1)
                .build();
        this.breaker = new CircuitBreaker(b.circuitBreakerThreshold,
                OpenAiLanguageModel.positive(b.circuitBreakerCoolDown, "circuitBreakerCoolDown"),
                Objects.requireNonNull(b.clock, "clock"));
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public EmbeddingSpace space() {
        return space;
    }

    @Override
    public List<float[]> embedAll(List<String> texts) {
        List<float[]> out = new ArrayList<>(texts.size());
        for (int from = 0; from < texts.size(); from += batchSize) {
            out.addAll(embedBatch(texts.subList(from, Math.min(texts.size(), from + batchSize))));
        }
        return out;
    }

    private List<float[]> embedBatch(List<String> batch) {
        byte[] body = requestBody(batch);
        for (int attempt = 1; ; attempt++) {
            if (!breaker.tryAcquire()) {
                throw new UnavailableException("embedding server at " + endpoint.getHost()
                        + " is failing; not calling it until " + breaker.openUntil() + " (circuit open)");
            }
            DmException error;
            Duration wait = null;
            boolean retry;
            try {
                HttpRequest.Builder rb = HttpRequest.newBuilder(endpoint).timeout(timeout)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
                if (apiKey != null) {
                    rb.header("Authorization", "Bearer " + apiKey);
                }
                HttpResponse<String> response = http.send(rb.build(), HttpResponse.BodyHandlers.ofString());
                int status = response.statusCode();
                if (status == 200) {
                    List<float[]> vectors = parse(response.body(), batch.size());
                    breaker.onSuccess();
                    return vectors;
                }
                wait = response.headers().firstValue("Retry-After").flatMap(Backoff::parseRetryAfter).orElse(null);
                error = ExceptionMapper.map(status, "embedding", model, errorDetail(response.body(), apiKey), wait);
                retry = status == 429 || ExceptionMapper.isServerFault(status);
                if (ExceptionMapper.isServerFault(status)) {
                    breaker.onFailure();
                } else {
                    breaker.onNeutral();
                }
            } catch (IOException e) {
                breaker.onFailure();
                error = new UnavailableException("embedding server at " + endpoint.getHost()
                        + " could not be reached or timed out: " + e.getClass().getSimpleName());
                retry = true;
            } catch (InterruptedException e) {
                breaker.onNeutral();
                Thread.currentThread().interrupt();
                throw new UnavailableException("interrupted while embedding", e);
            } catch (UnavailableException e) {
                breaker.onFailure();
                throw e;
            }
            if (!retry || attempt > maxRetries || (wait != null && wait.compareTo(maxRetryAfter) > 0)) {
                throw error;
            }
            Duration delay = wait != null ? wait : backoff.delay(attempt);
            LOG.debug("embedding attempt {} failed ({}); retrying in {} ms", attempt, error.getMessage(),
                    delay.toMillis());
            try {
                Thread.sleep(delay);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new UnavailableException("interrupted while waiting to retry an embedding", e);
            }
        }
    }

    private List<float[]> parse(String body, int expected) {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (IOException e) {
            throw new UnavailableException("embedding server sent malformed JSON");
        }
        JsonNode data = root == null ? null : root.get("data");
        if (data == null || !data.isArray() || data.size() != expected) {
            throw new UnavailableException("embedding server returned " + (data == null ? "no" : data.size())
                    + " vectors for " + expected + " texts");
        }
        float[][] ordered = new float[expected][];
        for (int i = 0; i < data.size(); i++) {
            JsonNode item = data.get(i);
            int index = item.path("index").asInt(i);
            JsonNode embedding = item.get("embedding");
            if (index < 0 || index >= expected || ordered[index] != null || embedding == null || !embedding.isArray()) {
                throw new UnavailableException("embedding server returned a malformed data[" + i + "]");
            }
            if (embedding.size() != space.dimension()) {
                throw new UnavailableException("embedding model " + model + " returned " + embedding.size()
                        + " dimensions, configured " + space.dimension() + ": fix the dimension setting");
            }
            float[] v = new float[embedding.size()];
            for (int d = 0; d < v.length; d++) {
                v[d] = (float) embedding.get(d).asDouble();
            }
            ordered[index] = v;
        }
        return List.of(ordered);
    }

    private byte[] requestBody(List<String> batch) {
        ObjectNode root = JSON.createObjectNode();
        root.put("model", model);
        ArrayNode input = root.putArray("input");
        batch.forEach(input::add);
        root.put("encoding_format", "float");
        if (sendDimensions) {
            root.put("dimensions", space.dimension());
        }
        try {
            return JSON.writeValueAsBytes(root);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static URI resolve(String baseUrl, String path) {
        String base = OpenAiLanguageModel.requireText(baseUrl, "baseUrl");
        URI uri;
        try {
            uri = URI.create(base.endsWith("/") ? base + path : base + "/" + path);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("baseUrl is not a valid URL: " + base, e);
        }
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
            throw new IllegalArgumentException("baseUrl must be an http or https URL, was " + base);
        }
        return uri;
    }

    /** The message of an OpenAI-style error body ({@code {"error": {"message": …}}}), else the raw body. */
    static String errorDetail(String body, String apiKey) {
        String detail = body == null ? "" : body;
        try {
            JsonNode root = JSON.readTree(detail);
            if (root != null && root.has("error")) {
                JsonNode e = root.get("error");
                detail = e.isTextual() ? e.asText() : e.path("message").asText(e.toString());
            } else if (root != null && root.has("detail")) {
                detail = root.get("detail").asText();
            }
        } catch (IOException notJson) {
            // keep the raw text
        }
        return Secrets.scrub(detail, apiKey);
    }

    @Override
    public String toString() {
        return "OpenAiEmbedder[endpoint=" + endpoint + ", space=" + space + ", apiKey="
                + (apiKey == null ? "none" : "[redacted]") + "]";
    }

    /** Settings of an {@link OpenAiEmbedder}; {@code model} and {@code dimension} are required. */
    public static final class Builder {
        private String baseUrl = "https://api.openai.com/v1";
        private String apiKey;
        private String model;
        private String spaceId;
        private int dimension;
        private int batchSize = 64;
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration timeout = Duration.ofSeconds(60);
        private int maxRetries = 3;
        private Duration initialBackoff = Duration.ofMillis(500);
        private Duration maxBackoff = Duration.ofSeconds(10);
        private Duration maxRetryAfter = Duration.ofSeconds(60);
        private boolean sendDimensions;
        private int circuitBreakerThreshold = 5;
        private Duration circuitBreakerCoolDown = Duration.ofSeconds(30);
        private Clock clock = Clock.systemUTC();
        private HttpClient httpClient;

        private Builder() {
        }

        public Builder baseUrl(String value) {
            baseUrl = value;
            return this;
        }

        public Builder apiKey(String value) {
            apiKey = value;
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

        public Builder batchSize(int value) {
            batchSize = value;
            return this;
        }

        public Builder connectTimeout(Duration value) {
            connectTimeout = value;
            return this;
        }

        /** Longest wait for one batch's response. */
        public Builder timeout(Duration value) {
            timeout = value;
            return this;
        }

        public Builder maxRetries(int value) {
            maxRetries = value;
            return this;
        }

        public Builder initialBackoff(Duration value) {
            initialBackoff = value;
            return this;
        }

        public Builder maxBackoff(Duration value) {
            maxBackoff = value;
            return this;
        }

        public Builder maxRetryAfter(Duration value) {
            maxRetryAfter = value;
            return this;
        }

        /** Send {@code dimensions} (OpenAI text-embedding-3 models shorten their vectors to it). */
        public Builder sendDimensions(boolean value) {
            sendDimensions = value;
            return this;
        }

        public Builder circuitBreakerThreshold(int value) {
            circuitBreakerThreshold = value;
            return this;
        }

        public Builder circuitBreakerCoolDown(Duration value) {
            circuitBreakerCoolDown = value;
            return this;
        }

        public Builder clock(Clock value) {
            clock = value;
            return this;
        }

        public Builder httpClient(HttpClient value) {
            httpClient = value;
            return this;
        }

        public OpenAiEmbedder build() {
            return new OpenAiEmbedder(this);
        }

        @Override
        public String toString() {
            return "OpenAiEmbedder.Builder[baseUrl=" + baseUrl + ", model=" + model + ", apiKey="
                    + (apiKey == null ? "none" : "[redacted]") + "]";
        }
    }
}
