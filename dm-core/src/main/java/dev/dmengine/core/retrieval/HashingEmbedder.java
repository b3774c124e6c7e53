package dev.dmengine.core.retrieval;

import dev.dmengine.spi.retrieval.Embedder;
import dev.dmengine.spi.retrieval.EmbeddingSpace;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The zero-dependency default embedder: feature hashing of words, word bigrams and
 * character trigrams, L2-normalised. Deterministic and thread-safe (stateless).
 *
 * <p>It captures lexical overlap, not meaning: "the goblin's cave" is close to "goblin
 * cave", far from "the orc's den". Good enough for an offline game and for tests; use a
 * sentence-embedding model (dm-onnx) for semantic retrieval.
 */
public final class HashingEmbedder implements Embedder {

    /** The model id of this embedder's space; bump it if the feature set ever changes. */
    public static final String MODEL_ID = "dm-hashing-ngram-v1";
    public static final int DEFAULT_DIMENSION = 384;

    private static final float WORD_WEIGHT = 1.0f;
    private static final float BIGRAM_WEIGHT = 0.7f;
    private static final float TRIGRAM_WEIGHT = 0.35f;

    private final EmbeddingSpace space;
    private final int dimension;

    public HashingEmbedder() {
        this(DEFAULT_DIMENSION);
    }

    public HashingEmbedder(int dimension) {
        if (dimension < 16 || dimension > 4096) {
            throw new IllegalArgumentException("hashing embedder dimension must be 16 to 4096, was " + dimension);
        }
        this.dimension = dimension;
        this.space = new EmbeddingSpace(MODEL_ID, dimension);
    }

    @Override
    public EmbeddingSpace space() {
        return space;
    }

    @Override
    public List<float[]> embedAll(List<String> texts) {
        Objects.requireNonNull(texts, "texts");
        List<float[]> out = new ArrayList<>(texts.size());
        for (String text : texts) {
            out.add(embed(text));
        }
        return out;
    }

    @Override
    public float[] embed(String text) {
        Objects.requireNonNull(text, "text");
        float[] v = new float[dimension];
        List<String> words = words(text);
        long previous = 0;
        for (int i = 0; i < words.size(); i++) {
            String w = words.get(i);
            long h = hash(0x9E3779B97F4A7C15L, w, 0, w.length());
            add(v, h, WORD_WEIGHT);
            if (i > 0) {
                add(v, mix(previous * 31 + h), BIGRAM_WEIGHT);
            }
            previous = h;
            trigrams(v, w);
        }
        double norm = 0;
        for (float x : v) {
            norm += x * x;
        }
        if (norm == 0) {
            v[0] = 1f; // no features: a fixed unit vector keeps every output L2-normalised
            return v;
        }
        float inv = (float) (1.0 / Math.sqrt(norm));
        for (int i = 0; i < v.length; i++) {
            v[i] *= inv;
        }
        return v;
    }

    private void trigrams(float[] v, String w) {
        String padded = "#" + w + "#";
        for (int i = 0; i + 3 <= padded.length(); i++) {
            add(v, hash(0xC2B2AE3D27D4EB4FL, padded, i, i + 3), TRIGRAM_WEIGHT);
        }
    }

    private void add(float[] v, long h, float weight) {
        int index = (int) Long.remainderUnsigned(h >>> 1, dimension);
        v[index] += (h & 1L) == 0 ? weight : -weight; // signed hashing cancels collisions on average
    }

    private static List<String> words(String text) {
        List<String> words = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        text.codePoints().forEach(cp -> {
            if (Character.isLetterOrDigit(cp)) {
                current.appendCodePoint(Character.toLowerCase(cp));
            } else if (cp == '\'' || cp == '\u2019') {
                // drop apostrophes inside words: "goblin's" -> "goblins"
            } else if (!current.isEmpty()) {
                words.add(current.toString());
                current.setLength(0);
            }
        });
        if (!current.isEmpty()) {
            words.add(current.toString());
        }
        return words;
    }

    private static long hash(long seed, String s, int from, int to) {
        long h = seed;
        for (int i = from; i < to; i++) {
            h = (h ^ s.charAt(i)) * 0x100000001B3L;
        }
        return mix(h);
    }

    private static long mix(long z) { // SplitMix64 finaliser
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
