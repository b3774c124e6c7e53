package dev.dmengine.replicate;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dmengine.remote.BatchingEmbedder;
import dev.dmengine.remote.HttpModelBuilder;
import dev.dmengine.replicate.internal.ReplicateApi;
import dev.dmengine.replicate.internal.ReplicateApi.Create;
import dev.dmengine.replicate.internal.ReplicateApi.Target;
import dev.dmengine.spi.UnavailableException;
import dev.dmengine.spi.retrieval.EmbeddingSpace;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * An {@link dev.dmengine.spi.retrieval.Embedder} on a Replicate embedding model, e.g. a BGE model
 * returning 1024-d vectors. Each batch of {@code batchSize} texts is one prediction, created with
 * {@code Prefer: wait} and polled if it has not finished when that returns. The texts go into one
 * input ({@code texts} by default) either as a JSON-encoded string (what BGE models on Replicate
 * take), a JSON array or newline-separated; the vectors are read from the output at
 * {@link Builder#outputPointer(String) outputPointer} — by default the output itself when it is
 * an array, else its {@code embeddings} or {@code vectors} — one per text, each an array or an
 * object with an {@code embedding}.
 */
public final class ReplicateEmbedder extends BatchingEmbedder {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** How the batch of texts is put into the input. */
    public enum TextsEncoding { JSON_STRING, JSON_ARRAY, NEWLINE_SEPARATED }

    private final ReplicateApi api;
    private final Target target;
    private final EmbeddingSpace space;
    private final String textsField;
    private final TextsEncoding encoding;
    private final Map<String, Object> extraInput;
    private final JsonPointer outputPointer;
    private final Duration timeout;
    private final Duration pollInterval;

    private ReplicateEmbedder(Builder b) {
        super(b.batchSize);
        this.target = b.target();
        this.api = b.api();
        if (b.dimension < 1) {
            throw new IllegalArgumentException("dimension must be set to the model's vector size, e.g. 1024 for bge-large");
        }
        this.space = new EmbeddingSpace(b.spaceId != null ? b.spaceId : target.describe(), b.dimension);
        this.textsField = HttpModelBuilder.requireText(b.textsField, "textsField");
        this.encoding = java.util.Objects.requireNonNull(b.encoding, "textsEncoding");
        this.extraInput = Map.copyOf(b.extraInput);
        this.outputPointer = pointer(b.outputPointer);
        this.timeout = HttpModelBuilder.positive(b.timeout, "timeout");
        this.pollInterval = HttpModelBuilder.positive(b.pollInterval, "pollInterval");
    }

    private static JsonPointer pointer(String value) {
        if (value == null) {
            return null;
        }
        try {
            return JsonPointer.compile(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("outputPointer must be a JSON Pointer such as /embeddings or \"\", was "
                    + value, e);
        }
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
        long deadline = System.nanoTime() + timeout.toNanos();
        JsonNode p = api.create(new Create(target, input(batch), false, Duration.ofSeconds(60),
                timeout.plusSeconds(5)), deadline);
        String id = p.path("id").asText();
        while (true) {
            switch (p.path("status").asText()) {
                case "succeeded" -> {
                    return vectors(p.get("output"), batch.size(), id);
                }
                case "failed", "canceled", "aborted" -> throw new UnavailableException("embedding prediction " + id
                        + " " + p.path("status").asText() + ": " + api.scrub(p.path("error").asText("")));
                default -> { /* starting, processing */ }
            }
            waitToPoll(id, deadline);
            p = api.get(id, deadline);
        }
    }

    private ObjectNode input(List<String> batch) {
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
        return input;
    }

    private void waitToPoll(String id, long deadline) {
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
    }

    private List<float[]> vectors(JsonNode output, int expected, String id) {
        JsonNode list = vectorList(output);
        if (list == null || !list.isArray() || list.size() != expected) {
            throw new UnavailableException("embedding prediction " + id + " returned "
                    + (list == null || !list.isArray() ? "no list of" : list.size()) + " vectors for " + expected
                    + " texts" + (outputPointer == null ? "" : " at " + outputPointer));
        }
        List<float[]> out = new ArrayList<>(expected);
        for (JsonNode item : list) {
            JsonNode v = item.isObject() ? item.get("embedding") : item;
            if (v == null || !v.isArray()) {
                throw new UnavailableException("embedding prediction " + id + " returned a malformed vector");
            }
            checkDimension(v.size());
            float[] f = new float[v.size()];
            for (int i = 0; i < f.length; i++) {
                f[i] = (float) v.get(i).asDouble();
            }
            out.add(f);
        }
        return out;
    }

    /** The array of vectors in the output: at the configured pointer, else the output or its embeddings/vectors. */
    private JsonNode vectorList(JsonNode output) {
        if (output == null) {
            return null;
        }
        if (outputPointer != null) {
            JsonNode at = output.at(outputPointer);
            return at.isMissingNode() ? null : at;
        }
        if (output.isObject()) {
            return output.has("embeddings") ? output.get("embeddings") : output.get("vectors");
        }
        return output;
    }

    @Override
    public String toString() {
        return "ReplicateEmbedder[" + target.describe() + ", space=" + space + ", token=[redacted]]";
    }

    /** Settings of a {@link ReplicateEmbedder}: a token, a target ({@link ReplicateBuilder}) and the dimension are required. */
    public static final class Builder extends ReplicateBuilder<Builder> {
        private int dimension;
        private String spaceId;
        private String textsField = "texts";
        private TextsEncoding encoding = TextsEncoding.JSON_STRING;
        private final Map<String, Object> extraInput = new LinkedHashMap<>();
        private String outputPointer;
        private int batchSize = 32;
        private Duration timeout = Duration.ofMinutes(2);
        private Duration pollInterval = Duration.ofMillis(500);

        private Builder() {
        }

        @Override
        protected Builder self() {
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

        /** The input that carries the texts; {@code texts} by default. */
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

        /**
         * Where the list of vectors is in the prediction's output, as a JSON Pointer (RFC 6901):
         * {@code ""} for the output itself, {@code /embeddings}, {@code /data/vectors}… Unset, the
         * output itself is used when it is an array, else its {@code embeddings} or {@code vectors}.
         */
        public Builder outputPointer(String value) {
            outputPointer = value;
            return this;
        }

        /** Texts per prediction; 32 by default. */
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

        public ReplicateEmbedder build() {
            return new ReplicateEmbedder(this);
        }
    }
}
