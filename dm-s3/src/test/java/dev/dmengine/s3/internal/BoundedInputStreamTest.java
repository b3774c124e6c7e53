package dev.dmengine.s3.internal;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BoundedInputStreamTest {

    @Test
    void passes_a_source_within_the_limit_through() throws IOException {
        try (InputStream in = new BoundedInputStream(new ByteArrayInputStream(new byte[10]), 10)) {
            assertThat(in.readAllBytes()).hasSize(10);
        }
    }

    @Test
    void fails_on_the_first_byte_past_the_limit_rather_than_cutting_the_object() {
        InputStream in = new BoundedInputStream(new ByteArrayInputStream(new byte[11]), 10);

        assertThatThrownBy(in::readAllBytes).isInstanceOf(IOException.class).hasMessageContaining("10 bytes");
    }

    @Test
    void counts_single_byte_reads_and_skips() throws IOException {
        InputStream in = new BoundedInputStream(new ByteArrayInputStream(new byte[4]), 3);
        assertThat(in.skip(2)).isEqualTo(2);
        assertThat(in.read()).isZero();

        assertThatThrownBy(in::read).isInstanceOf(IOException.class);
    }
}
