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

    /**
     * The embedder to use for one unit of work (a turn, a request), so that the space it writes
     * under and every vector it makes come from one model. An embedder that follows a changing
     * active space (a host re-embedding to a new model) returns the one it delegates to at this
     * moment; every other embedder returns itself.
     */
    default Embedder current() {
        return this;
    }
}
