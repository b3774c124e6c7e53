package dev.dmengine.core.retrieval;

import dev.dmengine.spi.retrieval.Embedder;
import dev.dmengine.testkit.EmbedderContract;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HashingEmbedderTest extends EmbedderContract {

    @Override
    protected Embedder newEmbedder() {
        return new HashingEmbedder();
    }

    private static double cos(float[] a, float[] b) {
        double dot = 0;
        for (int i = 0; i < a.length; i++) {
            dot += a[i] * b[i];
        }
        return dot;
    }

    @Test
    void vectors_are_unit_length_even_for_text_without_words() {
        HashingEmbedder e = new HashingEmbedder();
        for (String text : new String[]{"The goblin's cave", "", "!!!", "龍の洞窟"}) {
            assertThat(cos(e.embed(text), e.embed(text))).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
        }
    }

    @Test
    void shared_words_make_texts_close_and_case_and_apostrophes_do_not_matter() {
        HashingEmbedder e = new HashingEmbedder();
        float[] cave = e.embed("The goblin's cave lies north of the river.");
        assertThat(cos(cave, e.embed("the GOBLINS cave lies north of the river"))).isGreaterThan(0.95);
        assertThat(cos(cave, e.embed("Where is the goblin cave?"))).isGreaterThan(cos(cave, e.embed("I order an ale.")));
    }

    @Test
    void refuses_silly_dimensions() {
        assertThatThrownBy(() -> new HashingEmbedder(8)).hasMessageContaining("16 to 4096");
        assertThat(new HashingEmbedder(64).space().dimension()).isEqualTo(64);
    }
}
