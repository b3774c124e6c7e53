package dev.dmengine.testkit;

import dev.dmengine.spi.retrieval.Embedder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What every {@link Embedder} must do. Extend it and return an embedder; a heavy one (a
 * loaded model) may be shared between tests, since embedders hold no per-call state.
 * Comparisons are by cosine similarity with generous margins, so that batched inference and
 * remote models that are not bit-for-bit deterministic still pass.
 */
public abstract class EmbedderContract {

    protected static final List<String> TEXTS = List.of(
            "The red dragon attacks the village at dawn.",
            "You find a rusty key under the innkeeper's bed.",
            "Roll for initiative!",
            "The goblin king demands a toll of ten gold pieces.",
            "\u00c7a va? Der Drache \u00fcber dem Dorf \ud83d\udc09");

    protected Embedder embedder;

    protected abstract Embedder newEmbedder();

    /** The least cosine similarity two embeddings of the same text must have. */
    protected double sameTextSimilarity() {
        return 0.999;
    }

    @BeforeEach
    void freshEmbedder() {
        embedder = newEmbedder();
    }

    protected static double cosine(float[] a, float[] b) {
        assertThat(a).hasSameSizeAs(b);
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
            na += (double) a[i] * a[i];
            nb += (double) b[i] * b[i];
        }
        if (na == 0 || nb == 0) {
            return na == nb ? 1 : 0;
        }
        return dot / Math.sqrt(na * nb);
    }

    @Test
    void every_vector_has_the_spaces_dimension() {
        int dimension = embedder.space().dimension();

        assertThat(embedder.embed("The tavern is loud tonight.")).hasSize(dimension);
        assertThat(embedder.embedAll(TEXTS)).hasSize(TEXTS.size()).allSatisfy(v -> assertThat(v).hasSize(dimension));
    }

    @Test
    void the_current_embedder_makes_vectors_of_the_space_it_names() {
        Embedder current = embedder.current();

        assertThat(current.current().space()).isEqualTo(current.space());
        assertThat(current.embedAll(TEXTS)).hasSize(TEXTS.size())
                .allSatisfy(v -> assertThat(v).hasSize(current.space().dimension()));
    }

    @Test
    void vectors_are_finite_and_not_all_zero() {
        for (float[] v : embedder.embedAll(TEXTS)) {
            boolean nonZero = false;
            for (float x : v) {
                assertThat(Float.isFinite(x)).isTrue();
                nonZero |= x != 0f;
            }
            assertThat(nonZero).isTrue();
        }
    }

    @Test
    void same_text_gives_the_same_vector() {
        float[] a = embedder.embed("A wizard did it.");
        float[] b = embedder.embed("A wizard did it.");

        assertThat(cosine(a, b)).isGreaterThanOrEqualTo(sameTextSimilarity());
    }

    @Test
    void batch_equals_singles_in_order() {
        List<float[]> batch = embedder.embedAll(TEXTS);

        for (int i = 0; i < TEXTS.size(); i++) {
            assertThat(cosine(batch.get(i), embedder.embed(TEXTS.get(i)))).as("text %d", i)
                    .isGreaterThanOrEqualTo(sameTextSimilarity());
        }
    }

    @Test
    void empty_batch_gives_no_vectors() {
        assertThat(embedder.embedAll(List.of())).isEmpty();
    }

    @Test
    void similar_texts_are_closer_than_unrelated_ones() {
        float[] dragon = embedder.embed("The red dragon attacks the village.");
        float[] sameStory = embedder.embed("A red dragon attacked our village at dawn.");
        float[] unrelated = embedder.embed("Quarterly tax forms are due next week.");

        assertThat(cosine(dragon, sameStory)).isGreaterThan(cosine(dragon, unrelated));
    }

    @Test
    void distinct_texts_get_distinct_vectors() {
        float[] a = embedder.embed("Open the north door.");
        float[] b = embedder.embed("Sell the shield to the blacksmith.");

        assertThat(cosine(a, b)).isLessThan(sameTextSimilarity());
    }

    @Test
    void concurrent_callers_get_the_same_vectors_as_a_single_caller() {
        List<float[]> expected = TEXTS.stream().map(embedder::embed).toList();

        List<List<float[]>> results = Concurrently.run(6, t -> t % 2 == 0
                ? embedder.embedAll(TEXTS)
                : TEXTS.stream().map(embedder::embed).toList());

        for (List<float[]> result : results) {
            assertThat(result).hasSize(TEXTS.size());
            for (int i = 0; i < TEXTS.size(); i++) {
                assertThat(cosine(result.get(i), expected.get(i))).isGreaterThanOrEqualTo(sameTextSimilarity());
            }
        }
    }
}
