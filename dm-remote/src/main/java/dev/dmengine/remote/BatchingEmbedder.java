package dev.dmengine.remote;

import dev.dmengine.spi.UnavailableException;
import dev.dmengine.spi.retrieval.Embedder;

import java.util.ArrayList;
import java.util.List;

/**
 * The {@link Embedder} of a remote model that takes texts in batches: {@link #embedAll} cuts the
 * texts into batches of {@code batchSize}, calls {@link #embedBatch} for each in order and joins
 * the vectors. {@link #checkDimension} gives every adapter the same message for a model that
 * returns vectors of another size than configured.
 */
public abstract class BatchingEmbedder implements Embedder {

    private final int batchSize;

    protected BatchingEmbedder(int batchSize) {
        this.batchSize = HttpModelBuilder.atLeast(batchSize, 1, "batchSize");
    }

    @Override
    public final List<float[]> embedAll(List<String> texts) {
        List<float[]> out = new ArrayList<>(texts.size());
        for (int from = 0; from < texts.size(); from += batchSize) {
            List<String> batch = texts.subList(from, Math.min(texts.size(), from + batchSize));
            List<float[]> vectors = embedBatch(batch);
            if (vectors.size() != batch.size()) {
                throw new UnavailableException(space().modelId() + " returned " + vectors.size() + " vectors for "
                        + batch.size() + " texts");
            }
            out.addAll(vectors);
        }
        return out;
    }

    /** One vector per text of the batch (at most {@code batchSize} texts), in order. */
    protected abstract List<float[]> embedBatch(List<String> batch);

    /** Fails, naming the setting to fix, unless a vector of {@code actual} floats fits this embedder's space. */
    protected final void checkDimension(int actual) {
        if (actual != space().dimension()) {
            throw new UnavailableException("embedding model " + space().modelId() + " returned " + actual
                    + " dimensions, configured " + space().dimension() + ": fix the dimension setting");
        }
    }
}
