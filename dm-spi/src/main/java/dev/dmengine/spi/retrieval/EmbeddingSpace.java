package dev.dmengine.spi.retrieval;

import java.util.Objects;

/**
 * Where vectors of one embedding model live. Vectors of different spaces are never
 * compared; switching models builds a new space.
 */
public record EmbeddingSpace(String modelId, int dimension) {

    public static final int MAX_DIMENSION = 16_000;

    public EmbeddingSpace {
        Objects.requireNonNull(modelId, "modelId");
        if (modelId.isBlank() || modelId.length() > 200) {
            throw new IllegalArgumentException("modelId must be 1 to 200 characters");
        }
        if (dimension < 1 || dimension > MAX_DIMENSION) {
            throw new IllegalArgumentException("dimension must be 1 to " + MAX_DIMENSION + ", was " + dimension);
        }
    }

    @Override
    public String toString() {
        return modelId + "/" + dimension;
    }
}
