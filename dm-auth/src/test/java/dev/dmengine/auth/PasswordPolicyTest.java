package dev.dmengine.auth;

import dev.dmengine.spi.InvalidInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PasswordPolicyTest {

    private static final PasswordPolicy POLICY = new PasswordPolicy();
    private static final String EMAIL = "alice.smith@example.org";
    private static final String NAME = "Alice Smith";

    private static InvalidInputException refusal(String password) {
        try {
            POLICY.check(password, EMAIL, NAME);
        } catch (InvalidInputException e) {
            return e;
        }
        throw new AssertionError("the policy accepted a password it should refuse");
    }

    @Test
    void refuses_fewer_than_eight_characters_and_recommends_fifteen() {
        InvalidInputException e = refusal("k7#Qz!p");

        assertThat(e.errors()).singleElement().satisfies(err -> {
            assertThat(err.field()).isEqualTo("password");
            assertThat(err.message()).contains("at least 8").contains("15");
        });
        assertThat(PasswordPolicy.RECOMMENDED_LENGTH).isEqualTo(15);
    }

    @Test
    void counts_characters_as_code_points_not_utf16_units() {
        String fourDragons = "🐉🐉🐉🐉"; // 8 UTF-16 units, 4 characters

        assertThat(PasswordPolicy.length(fourDragons)).isEqualTo(4);
        assertThat(refusal(fourDragons).getMessage()).contains("at least 8");
    }

    @Test
    void accepts_long_passphrases_well_past_64_characters() {
        String phrase = "the quiet lighthouse keeper collects brass compasses, seventeen of them, under the stairs";

        assertThat(PasswordPolicy.length(phrase)).isGreaterThan(64);
        assertThatCode(() -> POLICY.check(phrase, EMAIL, NAME)).doesNotThrowAnyException();
    }

    @Test
    void accepts_up_to_1024_characters_and_refuses_more() {
        String max = "Zq9!vT2#".repeat(128); // 1024
        assertThatCode(() -> POLICY.check(max, EMAIL, NAME)).doesNotThrowAnyException();

        assertThat(refusal(max + "x").getMessage()).contains("at most 1024");
    }

    @Test
    void needs_no_composition_a_random_lowercase_password_passes() {
        assertThatCode(() -> POLICY.check("qmvdrtkw", EMAIL, NAME)).doesNotThrowAnyException();
        assertThatCode(() -> POLICY.check("j7r2kq9w", EMAIL, NAME)).doesNotThrowAnyException();
    }

    @ParameterizedTest
    @ValueSource(strings = {"password", "password1", "Password123!", "qwertyuiop", "iloveyou2", "letmein!",
            "football1", "monkey123456", "12345678", "aaaaaaaaaaaa"})
    void refuses_common_passwords_and_their_trivial_variants(String common) {
        InvalidInputException e = refusal(common);

        assertThat(e.errors()).singleElement().satisfies(err -> {
            assertThat(err.field()).isEqualTo("password");
            assertThat(err.message()).contains("too common or too easy to guess");
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"alice.smith2024", "AliceSmith!!", "smithalice99", "alice.smith@example.org"})
    void refuses_passwords_built_from_the_email_or_display_name(String own) {
        InvalidInputException e = refusal(own);

        assertThat(e.errors()).singleElement().satisfies(err -> {
            assertThat(err.field()).isEqualTo("password");
            assertThat(err.message()).contains("email address or display name");
        });
    }

    @Test
    void the_same_password_is_fine_for_a_player_it_says_nothing_about() {
        String built = "zebedee.quarrington2024";
        assertThatCode(() -> POLICY.check(built, EMAIL, NAME)).doesNotThrowAnyException();
        assertThatThrownBy(() -> POLICY.check(built, "zebedee.quarrington@example.org", "Zeb"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("email address or display name");
    }

    @Test
    void never_echoes_the_password_in_the_message() {
        for (String p : new String[]{"hunter2", "password1", "alice.smith2024", "x".repeat(1100)}) {
            assertThat(refusal(p).getMessage()).doesNotContain(p);
        }
    }

    @Test
    void an_empty_or_missing_password_is_refused_by_name() {
        assertThat(refusal("").getMessage()).contains("password").contains("must not be empty");
        assertThat(refusal(null).getMessage()).contains("must not be empty");
    }

    @Test
    void the_entropy_floor_is_configurable_and_validated() {
        PasswordPolicy lenient = new PasswordPolicy(0);
        assertThatCode(() -> lenient.check("password", EMAIL, NAME)).doesNotThrowAnyException();
        assertThatThrownBy(() -> lenient.check("short", EMAIL, NAME)).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> new PasswordPolicy(-1)).hasMessageContaining("minEntropyBits");
        assertThatThrownBy(() -> new PasswordPolicy(Double.NaN)).hasMessageContaining("minEntropyBits");
    }

    @Test
    void user_words_cover_email_parts_and_name_words() {
        assertThat(PasswordPolicy.userWords("Bo.Li@Example.org", "Sir Galahad"))
                .contains("bo.li@example.org", "example", "galahad", "sir galahad", "sirgalahad", "boli")
                .doesNotContain("bo", "li"); // too short to mean anything
    }
}
