package dev.dmengine.onnx;

import dev.dmengine.spi.retrieval.Embedder;
import dev.dmengine.testkit.EmbedderContract;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The Embedder contract on the real model, plus what is particular to MiniLM. */
class MiniLmEmbedderTest extends EmbedderContract {

    @Override
    protected Embedder newEmbedder() {
        return MiniLmEmbedder.builder().batchSize(2).build();
    }

    @Test
    void the_space_is_minilm_with_384_dimensions() {
        assertThat(embedder.space().modelId()).isEqualTo("all-minilm-l6-v2-q");
        assertThat(embedder.space().dimension()).isEqualTo(384);
    }

    @Test
    void vectors_are_unit_length_so_cosine_is_a_dot_product() {
        float[] v = embedder.embed("The innkeeper slides a key across the counter.");
        double norm = 0;
        for (float x : v) {
            norm += x * x;
        }

        assertThat(Math.sqrt(norm)).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-3));
    }

    @Test
    void a_long_list_is_embedded_in_batches_in_order() {
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            texts.add("Room " + i + " holds " + (i % 2 == 0 ? "a sleeping dragon" : "a pile of tax forms"));
        }

        List<float[]> vectors = embedder.embedAll(texts);

        assertThat(vectors).hasSize(7);
        assertThat(cosine(vectors.get(0), vectors.get(2))).isGreaterThan(cosine(vectors.get(0), vectors.get(1)));
    }

    @Test
    void an_embedder_with_its_own_executor_gives_the_same_vectors() {
        var pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            Embedder parallel = MiniLmEmbedder.builder().executor(pool).build();

            assertThat(cosine(parallel.embed(TEXTS.get(1)), embedder.embed(TEXTS.get(1))))
                    .isGreaterThanOrEqualTo(0.999);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void the_vectors_are_langchain4js_own_for_the_same_model_so_stored_vectors_stay_valid() {
        var theirs = new dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel(
                Runnable::run);
        for (String text : TEXTS) {
            float[] expected = theirs.embed(text).content().vector();

            assertThat(cosine(embedder.embed(text), expected)).as(text).isGreaterThanOrEqualTo(0.9999);
        }
    }

    @Test
    void more_threads_give_the_same_vectors() {
        Embedder twoThreads = MiniLmEmbedder.builder().threads(2).build();

        assertThat(cosine(twoThreads.embed(TEXTS.get(0)), embedder.embed(TEXTS.get(0)))).isGreaterThanOrEqualTo(0.9999);
    }

    @Test
    void a_thread_count_outside_1_to_64_is_refused_with_its_limits() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> MiniLmEmbedder.builder().threads(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("threads must be 1 to 64, was 0");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> MiniLmEmbedder.builder().threads(65))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("threads must be 1 to 64, was 65");
    }
}
