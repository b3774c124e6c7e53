package dev.dmengine.remote;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SseReaderTest {

    private static List<SseReader.Event> readAll(SseReader reader) throws IOException {
        List<SseReader.Event> events = new ArrayList<>();
        SseReader.Event e;
        while ((e = reader.next()) != null) {
            events.add(e);
        }
        return events;
    }

    private static SseReader reader(String body) {
        return new SseReader(new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void crlf_lf_and_cr_line_endings_all_end_lines() throws IOException {
        List<SseReader.Event> events = readAll(reader("data: one\r\n\r\ndata: two\n\ndata: three\r\rdata: four\r\n\n"));

        assertThat(events).extracting(SseReader.Event::data).containsExactly("one", "two", "three", "four");
    }

    @Test
    void a_value_without_the_space_after_the_colon_is_read_whole_and_only_one_space_is_dropped() throws IOException {
        List<SseReader.Event> events = readAll(reader("data:{\"a\":1}\n\ndata:  two spaces\n\n"));

        assertThat(events).extracting(SseReader.Event::data).containsExactly("{\"a\":1}", " two spaces");
    }

    @Test
    void comments_are_skipped_and_a_comment_only_block_dispatches_nothing() throws IOException {
        List<SseReader.Event> events = readAll(reader(": ping\n\n: ping - 2025-01-01\ndata: x\n: inside\n\n"));

        assertThat(events).extracting(SseReader.Event::data).containsExactly("x");
    }

    @Test
    void data_lines_are_joined_with_newlines_and_event_names_and_ids_are_kept() throws IOException {
        List<SseReader.Event> events = readAll(reader("event: output\nid: p1:0\ndata: line one\ndata:\ndata: line three\n\n"
                + "data: unnamed\n\n"));

        assertThat(events).containsExactly(new SseReader.Event("output", "line one\n\nline three", "p1:0"),
                new SseReader.Event("message", "unnamed", null));
    }

    @Test
    void a_leading_byte_order_mark_is_skipped() throws IOException {
        List<SseReader.Event> events = readAll(reader("\uFEFFdata: first\n\n"));

        assertThat(events).extracting(SseReader.Event::data).containsExactly("first");
    }

    @Test
    void an_event_cut_by_the_end_of_the_stream_is_dropped_and_reported() throws IOException {
        SseReader r = reader("data: {\"whole\":true}\n\ndata: {\"id\":\"chatcmpl-1\",\"choices\":[{\"delta\":{\"cont");

        assertThat(readAll(r)).extracting(SseReader.Event::data).containsExactly("{\"whole\":true}");
        assertThat(r.endedMidEvent()).isTrue();
    }

    @Test
    void a_last_event_without_its_blank_line_is_dropped_too() throws IOException {
        SseReader r = reader("data: a\n\ndata: [DONE]\n");

        assertThat(readAll(r)).extracting(SseReader.Event::data).containsExactly("a");
        assertThat(r.endedMidEvent()).isTrue();
    }

    @Test
    void a_stream_ending_between_events_or_after_a_comment_did_not_end_mid_event() throws IOException {
        SseReader r = reader("data: a\n\n: keep-alive\n");

        assertThat(readAll(r)).hasSize(1);
        assertThat(r.endedMidEvent()).isFalse();
    }

    @Test
    void a_line_longer_than_the_bound_fails_the_read() {
        SseReader r = new SseReader(new ByteArrayInputStream(("data: " + "x".repeat(100) + "\n\n")
                .getBytes(StandardCharsets.UTF_8)), 64, 1024);

        assertThatThrownBy(r::next).isInstanceOf(SseReader.EventTooLargeException.class).hasMessageContaining("64");
    }

    @Test
    void an_event_larger_than_the_bound_fails_the_read() {
        String lines = ("data: " + "y".repeat(40) + "\n").repeat(10) + "\n";
        SseReader r = new SseReader(new ByteArrayInputStream(lines.getBytes(StandardCharsets.UTF_8)), 64, 200);

        assertThatThrownBy(r::next).isInstanceOf(SseReader.EventTooLargeException.class).hasMessageContaining("200");
    }

    @Test
    void a_multibyte_character_split_across_reads_is_decoded_whole() throws IOException {
        byte[] body = "data: Ünterwelt — 🐉\n\n".getBytes(StandardCharsets.UTF_8);
        ByteArrayInputStream oneByteAtATime = new ByteArrayInputStream(body) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(1, len));
            }
        };

        assertThat(readAll(new SseReader(oneByteAtATime))).extracting(SseReader.Event::data)
                .containsExactly("Ünterwelt — 🐉");
    }
}
