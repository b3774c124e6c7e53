package dev.dmengine.postgres.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dmengine.spi.InvalidInputException;

import org.junit.jupiter.api.Test;

class ChecksTest {

    @Test
    void accepts_ordinary_text_and_emoji() {
        assertThat(Checks.text("content", "The goblin drops a \uD83D\uDDE1", 100)).isNotNull();
        assertThat(Checks.text("content", null, 100)).isNull();
    }

    @Test
    void rejects_nul_characters_naming_the_field_and_position() {
        assertThatThrownBy(() -> Checks.text("content", "ab\0c", 100)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("content").hasMessageContaining("NUL").hasMessageContaining("index 2");
    }

    @Test
    void rejects_unpaired_surrogates_which_are_not_valid_utf8() {
        assertThatThrownBy(() -> Checks.text("content", "x\uDC00", 100)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("surrogate");
        assertThatThrownBy(() -> Checks.text("content", "\uD800x", 100)).isInstanceOf(InvalidInputException.class);
    }

    @Test
    void rejects_text_over_the_limit() {
        assertThatThrownBy(() -> Checks.text("title", "x".repeat(11), 10)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("title").hasMessageContaining("10");
    }

    @Test
    void measures_json_in_utf8_bytes() {
        String threeByteChars = "{\"a\": \"" + "\u20AC".repeat(100) + "\"}"; // 300 bytes of euro signs
        assertThat(Checks.json("sheet", threeByteChars, 400)).isEqualTo(threeByteChars);
        assertThatThrownBy(() -> Checks.json("sheet", threeByteChars, 200)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("sheet").hasMessageContaining("bytes");
        assertThatThrownBy(() -> Checks.json("sheet", "{\"a\": \"\\u0000\"}", 200))
                .isInstanceOf(InvalidInputException.class);
    }

    @Test
    void names_both_dimensions_when_a_vector_does_not_fit_the_space() {
        assertThatThrownBy(() -> Checks.vector("vector", new float[3], 384)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("3").hasMessageContaining("384");
        assertThatThrownBy(() -> Checks.vector("vector", new float[] {1, Float.NaN}, 2))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("finite");
    }
}
