package dev.dmengine.spi.retrieval;

import java.util.List;

/** Turns text into vectors of one {@link EmbeddingSpace}. Implementations are thread-safe. */
public interface Embedder {

    /** The model and dimension of every vector this embedder returns. */
    EmbeddingSpace space();

    /** One vector per text, in order; each of {@code space().dimension()} floats. */
    List<float[]> embedAll(List<String> texts);

    default float[] embed(String text) {
        return embedAll(List.of(text)).getFirst();
    }
}
