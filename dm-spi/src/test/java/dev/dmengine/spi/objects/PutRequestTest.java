package dev.dmengine.spi.objects;

import dev.dmengine.spi.InvalidInputException;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PutRequestTest {

    private static final String SHA = "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9";

    private static PutRequest.Builder valid() {
        return PutRequest.builder().key("p/portrait/" + SHA).contentType("image/png").contentLength(11).sha256(SHA);
    }

    @Test
    void content_types_are_type_slash_subtype_with_optional_parameters() {
        for (String ok : new String[] {"image/png", "text/plain; charset=utf-8", "text/plain;charset=UTF-8",
                "application/vnd.dm+json", "multipart/form-data; boundary=\"a b\"", "text/markdown; a=1; b=2"}) {
            assertThat(valid().contentType(ok).build().contentType()).isEqualTo(ok);
        }
        for (String bad : new String[] {null, "", "text", "text/", "/plain", " text/plain", "text/plain ",
                "text/plain;", "text/plain; charset", "text/plain; a=b c", "text/plain\r\nX-Evil: 1",
                "text/pl\u00e4in", "text/plain; q=\"un\"closed\"", "a/" + "b".repeat(254)}) {
            assertThatThrownBy(() -> valid().contentType(bad).build()).as("%s", bad)
                    .isInstanceOfSatisfying(InvalidInputException.class, e ->
                            assertThat(e.errors()).extracting(InvalidInputException.FieldError::field)
                                    .containsExactly("contentType"));
        }
    }

    @Test
    void the_sha256_is_kept_in_lowercase_and_must_be_64_hex_digits() {
        assertThat(valid().sha256(SHA.toUpperCase()).build().sha256()).isEqualTo(SHA);
        assertThatThrownBy(() -> valid().sha256(SHA.substring(1)).build()).hasMessageContaining("sha256");
        assertThatThrownBy(() -> valid().sha256(SHA.replace('b', 'g')).build()).hasMessageContaining("sha256");
        assertThatThrownBy(() -> valid().sha256(null).build()).hasMessageContaining("sha256");
    }

    @Test
    void length_is_one_byte_to_five_gibibytes() {
        assertThat(valid().contentLength(PutRequest.MAX_CONTENT_LENGTH).build().contentLength())
                .isEqualTo(5L * 1024 * 1024 * 1024);
        assertThatThrownBy(() -> valid().contentLength(0).build()).hasMessageContaining("contentLength");
        assertThatThrownBy(() -> valid().contentLength(PutRequest.MAX_CONTENT_LENGTH + 1).build())
                .hasMessageContaining("contentLength");
        assertThatThrownBy(() -> PutRequest.builder().key("a").contentType("a/b").sha256(SHA).build())
                .as("length never set").hasMessageContaining("contentLength");
    }

    @Test
    void the_ttl_is_optional_and_at_most_seven_days() {
        assertThat(valid().build().requestedTtl()).isEmpty();
        assertThat(valid().ttl(Duration.ofDays(7)).build().requestedTtl()).contains(Duration.ofDays(7));
        assertThat(valid().build().withTtl(Duration.ofMinutes(1)).ttl()).isEqualTo(Duration.ofMinutes(1));
        assertThatThrownBy(() -> valid().ttl(Duration.ofDays(7).plusSeconds(1)).build()).hasMessageContaining("ttl");
        assertThatThrownBy(() -> valid().ttl(Duration.ofSeconds(-1)).build()).hasMessageContaining("ttl");
    }
}
