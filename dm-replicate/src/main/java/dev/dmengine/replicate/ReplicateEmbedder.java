package dev.dmengine.replicate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dmengine.replicate.internal.ReplicateApi;
import dev.dmengine.replicate.internal.ReplicateApi.Target;
import dev.dmengine.remote.Secrets;
import dev.dmengine.spi.UnavailableException;
import dev.dmengine.spi.retrieval.Embedder;
import dev.dmengine.spi.retrieval.EmbeddingSpace;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * An {@link Embedder} on a Replicate embedding model, e.g. a BGE model returning 1024-d vectors.
 * Each batch of {@code batchSize} texts is one prediction, created with {@code Prefer: wait} and
 * polled if it has not finished when that returns. The texts go into one input
 * ({@code texts} by default) either as a JSON-encoded string (what BGE models on Replicate take) or
 * as a JSON array; the output must be one vector per text, as an array of arrays or an array of
 * objects with an {@code embedding}.
 */
public final class ReplicateEmbedder implements Embedder {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** How the batch of texts is put into the input. */
    public enum TextsEncoding { JSON_STRING, JSON_ARRAY, NEWLINE_SEPARATED }

    private final ReplicateApi api;
    private final Target target;
    private final EmbeddingSpace space;
    private final String textsField;
    private final TextsEncoding encoding;
    private final Map<String, Object> extraInput;
    private final int batchSize;
    private final Duration timeout;
    private final Duration pollInterval;

    private ReplicateEmbedder(Builder b) {
        this.api = b.settings.api();
        this.target = b.settings.target();
        if (b.dimension < 1) {
            throw new IllegalArgumentException("dimension must be set to the model's vector size, e.g. 1024 for bge-large");
        }
        this.space = new EmbeddingSpace(b.spaceId != null ? b.spaceId : target.describe(), b.dimension);
        this.textsField = ReplicateSettings.requireText(b.textsField, "textsField");
        this.encoding = java.util.Objects.requireNonNull(b.encoding, "textsEncoding");
        this.extraInput = Map.copyOf(b.extraInput);
        if (b.batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be at least 1, was " + b.batchSize);
        }
        this.batchSize = b.batchSize;
        this.timeout = ReplicateSettings.positive(b.timeout, "timeout");
        this.pollInterval = ReplicateSettings.positive(b.pollInterval, "pollInterval");
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
        long deadline = System.nanoTime() + timeout.toNanos();
        ObjectNode input = JSON.createObjectNode();
        extraInput.forEach((k, v) -> input.set(k, JSON.valueToTree(v)));
        switch (encoding) {
            case JSON_STRING -> {
                try {
                    input.put(textsField, JSON.writeValueAsString(batch));
                } catch (JsonProcessingException e) {
                    throw new IllegalStateException(e);
                }
            }
            case JSON_ARRAY -> {
                ArrayNode a = input.putArray(textsField);
                batch.forEach(a::add);
            }
            case NEWLINE_SEPARATED -> input.put(textsField, String.join("\n", batch));
        }
        JsonNode p = api.create(target, input, false, Duration.ofSeconds(60), timeout.plusSeconds(5), deadline);
        String id = p.path("id").asText();
        while (true) {
            switch (p.path("status").asText()) {
                case "succeeded" -> {
                    return vectors(p.get("output"), batch.size(), id);
                }
                case "failed", "canceled", "aborted" -> throw new UnavailableException("embedding prediction " + id
                        + " " + p.path("status").asText() + ": " + Secrets.scrub(p.path("error").asText(""), api.token()));
                default -> { /* starting, processing */ }
            }
            if (System.nanoTime() + pollInterval.toNanos() >= deadline) {
                api.cancel(id);
                throw new UnavailableException("embedding prediction " + id + " did not finish within "
                        + timeout.toSeconds() + " s");
            }
            try {
                TimeUnit.NANOSECONDS.sleep(pollInterval.toNanos());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                api.cancel(id);
                throw new UnavailableException("interrupted while embedding", e);
            }
            p = api.get(id, deadline);
        }
    }

    private List<float[]> vectors(JsonNode output, int expected, String id) {
        JsonNode list = output;
        if (list != null && list.isObject()) {
            list = list.has("embeddings") ? list.get("embeddings") : list.get("vectors");
        }
        if (list == null || !list.isArray() || list.size() != expected) {
            throw new UnavailableException("embedding prediction " + id + " returned "
                    + (list == null || !list.isArray() ? "no list of" : list.size()) + " vectors for " + expected
                    + " texts");
        }
        List<float[]> out = new ArrayList<>(expected);
        for (JsonNode item : list) {
            JsonNode v = item.isObject() ? item.get("embedding") : item;
            if (v == null || !v.isArray()) {
                throw new UnavailableException("embedding prediction " + id + " returned a malformed vector");
            }
            if (v.size() != space.dimension()) {
                throw new UnavailableException("embedding model " + target.describe() + " returned " + v.size()
                        + " dimensions, configured " + space.dimension() + ": fix the dimension setting");
            }
            float[] f = new float[v.size()];
            for (int i = 0; i < f.length; i++) {
                f[i] = (float) v.get(i).asDouble();
            }
            out.add(f);
        }
        return out;
    }

    @Override
    public String toString() {
        return "ReplicateEmbedder[" + target.describe() + ", space=" + space + ", token=[redacted]]";
    }

    /** Settings of a {@link ReplicateEmbedder}: a token, a target and the dimension are required. */
    public static final class Builder {
        private final ReplicateSettings settings = new ReplicateSettings();
        private int dimension;
        private String spaceId;
        private String textsField = "texts";
        private TextsEncoding encoding = TextsEncoding.JSON_STRING;
        private final Map<String, Object> extraInput = new LinkedHashMap<>();
        private int batchSize = 32;
        private Duration timeout = Duration.ofMinutes(2);
        private Duration pollInterval = Duration.ofMillis(500);

        private Builder() {
        }

        public Builder baseUrl(String value) {
            settings.baseUrl = value;
            return this;
        }

        public Builder apiToken(String value) {
            settings.apiToken = value;
            return this;
        }

        /** Reads the token from the {@code REPLICATE_API_TOKEN} environment variable. */
        public Builder apiTokenFromEnvironment() {
            settings.apiToken = System.getenv("REPLICATE_API_TOKEN");
            settings.tokenFromEnvironment = true;
            return this;
        }

        public Builder model(String ownerSlashName) {
            settings.model(ownerSlashName);
            return this;
        }

        public Builder version(String version) {
            settings.version(version);
            return this;
        }

        public Builder deployment(String ownerSlashName) {
            settings.deployment(ownerSlashName);
            return this;
        }

        /** The size of the model's vectors, e.g. 1024 for bge-large-en-v1.5. */
        public Builder dimension(int value) {
            dimension = value;
            return this;
        }

        /** The embedding space's model id; the target's name by default. */
        public Builder spaceId(String value) {
            spaceId = value;
            return this;
        }

        public Builder textsField(String value) {
            textsField = value;
            return this;
        }

        public Builder textsEncoding(TextsEncoding value) {
            encoding = value;
            return this;
        }

        /** A fixed input every prediction carries, e.g. {@code normalize_embeddings: true}. */
        public Builder extraInput(String name, Object value) {
            extraInput.put(name, value);
            return this;
        }

        public Builder batchSize(int value) {
            batchSize = value;
            return this;
        }

        /** Longest one batch may take, polling included; also its {@code Cancel-After}. */
        public Builder timeout(Duration value) {
            timeout = value;
            return this;
        }

        public Builder pollInterval(Duration value) {
            pollInterval = value;
            return this;
        }

        public Builder connectTimeout(Duration value) {
            settings.connectTimeout = value;
            return this;
        }

        public Builder requestTimeout(Duration value) {
            settings.requestTimeout = value;
            return this;
        }

        public Builder maxRetries(int value) {
            settings.maxRetries = value;
            return this;
        }

        public Builder initialBackoff(Duration value) {
            settings.initialBackoff = value;
            return this;
        }

        public Builder circuitBreakerThreshold(int value) {
            settings.circuitBreakerThreshold = value;
            return this;
        }

        public Builder circuitBreakerCoolDown(Duration value) {
            settings.circuitBreakerCoolDown = value;
            return this;
        }

        public Builder clock(java.time.Clock value) {
            settings.clock = value;
            return this;
        }

        public Builder httpClient(java.net.http.HttpClient value) {
            settings.httpClient = value;
            return this;
        }

        public ReplicateEmbedder build() {
            return new ReplicateEmbedder(this);
        }

        @Override
        public String toString() {
            return "ReplicateEmbedder.Builder[" + settings + "]";
        }
    }
}
