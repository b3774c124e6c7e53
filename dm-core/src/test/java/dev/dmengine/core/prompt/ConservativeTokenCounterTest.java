package dev.dmengine.core.prompt;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ConservativeTokenCounterTest {

    private final ConservativeTokenCounter counter = ConservativeTokenCounter.INSTANCE;

    @Test
    void counts_at_least_one_token_per_three_utf8_bytes() {
        assertThat(counter.count("")).isZero();
        assertThat(counter.count("abc")).isEqualTo(1);
        assertThat(counter.count("abcd")).isEqualTo(2);
        String mixed = "Drachen — 龍 and 🐉!";
        assertThat(counter.count(mixed)).isEqualTo((ConservativeTokenCounter.bytes(mixed) + 2) / 3);
    }

    @Test
    void counts_at_least_one_token_per_word() {
        assertThat(counter.count("a b c d e f")).isEqualTo(6);
    }

    @Test
    void errs_high_against_the_usual_four_characters_a_token() {
        String english = "The party walks into the tavern and orders a round of ale for everyone present.";
        assertThat(counter.count(english)).isGreaterThan(english.length() / 4);
    }
}
