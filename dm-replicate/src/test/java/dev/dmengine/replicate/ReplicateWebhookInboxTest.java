package dev.dmengine.replicate;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dmengine.replicate.ReplicateWebhookInbox.Delivery;
import dev.dmengine.replicate.ReplicateWebhookInbox.Prediction;
import dev.dmengine.testkit.MutableClock;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ReplicateWebhookInboxTest {

    private final MutableClock clock = new MutableClock(Instant.parse("2025-06-01T10:00:00Z"));
    private final ReplicateWebhookInbox inbox = new ReplicateWebhookInbox(Duration.ofMinutes(2), 3, clock);

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String prediction(String id, String status, String output) {
        return "{\"id\":\"" + id + "\",\"status\":\"" + status + "\",\"output\":" + output + "}";
    }

    @Test
    void parse_keeps_what_a_generation_needs_and_drops_the_echoed_prompt() {
        Prediction p = ReplicateWebhookInbox.parse(bytes("{\"id\":\"ufawqhfynnddngldkgtslldrkq\",\"status\":\"succeeded\","
                + "\"input\":{\"prompt\":\"a long transcript\"},\"logs\":\"many lines\",\"output\":[\"Hi\",\"!\"],"
                + "\"error\":null,\"metrics\":{\"output_token_count\":2},\"model\":\"meta/llama\",\"urls\":{}}"));

        assertThat(p.id()).isEqualTo("ufawqhfynnddngldkgtslldrkq");
        assertThat(p.status()).isEqualTo("succeeded");
        assertThat(p.terminal()).isTrue();
        assertThat(p.json()).contains("\"output\":[\"Hi\",\"!\"]", "output_token_count", "meta/llama")
                .doesNotContain("a long transcript", "many lines", "urls");
    }

    @Test
    void parse_refuses_bodies_that_are_not_predictions_naming_what_is_missing() {
        assertThatThrownBy(() -> ReplicateWebhookInbox.parse(bytes("not json"))).hasMessageContaining("not JSON");
        assertThatThrownBy(() -> ReplicateWebhookInbox.parse(bytes("[1,2]"))).hasMessageContaining("JSON object");
        assertThatThrownBy(() -> ReplicateWebhookInbox.parse(bytes("{\"status\":\"succeeded\"}")))
                .hasMessageContaining("id");
        assertThatThrownBy(() -> ReplicateWebhookInbox.parse(bytes("{\"id\":\"../etc\",\"status\":\"succeeded\"}")))
                .hasMessageContaining("id");
        assertThatThrownBy(() -> ReplicateWebhookInbox.parse(bytes("{\"id\":\"abc\",\"status\":7}")))
                .hasMessageContaining("status");
        assertThatThrownBy(() -> ReplicateWebhookInbox.parse(bytes("{\"id\":\"abc\"}")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("status");
    }

    @Test
    void a_delivery_reaches_the_generation_waiting_for_its_prediction_only() throws Exception {
        try (ReplicateWebhookInbox.Waiter a = inbox.expect("a"); ReplicateWebhookInbox.Waiter b = inbox.expect("b")) {
            assertThat(inbox.deliver(prediction("a", "succeeded", "[\"Hello\"]"))).isEqualTo(Delivery.HANDED_OVER);

            JsonNode got = a.next(Duration.ofSeconds(5).toNanos());
            assertThat(got.path("output").get(0).asText()).isEqualTo("Hello");
            assertThat(b.next(Duration.ofMillis(20).toNanos())).as("b waits on").isNull();
            assertThat(inbox.waiting()).isEqualTo(2);
        }
        assertThat(inbox.waiting()).isZero();
    }

    @Test
    void a_delivery_before_anyone_waits_is_kept_and_handed_to_the_generation_that_comes() throws Exception {
        assertThat(inbox.deliver(prediction("early", "succeeded", "[\"Soon\"]"))).isEqualTo(Delivery.KEPT);
        assertThat(inbox.unclaimed()).isEqualTo(1);

        try (ReplicateWebhookInbox.Waiter w = inbox.expect("early")) {
            assertThat(w.next(Duration.ofSeconds(5).toNanos()).path("status").asText()).isEqualTo("succeeded");
        }
        assertThat(inbox.unclaimed()).isZero();
    }

    @Test
    void an_unfinished_state_arriving_late_never_replaces_the_final_one() throws Exception {
        inbox.deliver(prediction("p", "succeeded", "[\"Done\"]"));
        inbox.deliver(prediction("p", "processing", "null"));

        try (ReplicateWebhookInbox.Waiter w = inbox.expect("p")) {
            assertThat(w.next(Duration.ofSeconds(5).toNanos()).path("status").asText()).isEqualTo("succeeded");
        }
    }

    @Test
    void kept_deliveries_are_bounded_in_number_and_forgotten_after_a_while() throws Exception {
        for (String id : new String[] {"a", "b", "c", "d"}) {
            inbox.deliver(prediction(id, "succeeded", "[]"));
        }
        assertThat(inbox.unclaimed()).isEqualTo(3);
        try (ReplicateWebhookInbox.Waiter a = inbox.expect("a")) {
            assertThat(a.next(Duration.ofMillis(20).toNanos())).as("the eldest was dropped").isNull();
        }

        clock.advance(Duration.ofMinutes(3));
        assertThat(inbox.unclaimed()).isZero();
        try (ReplicateWebhookInbox.Waiter d = inbox.expect("d")) {
            assertThat(d.next(Duration.ofMillis(20).toNanos())).as("expired").isNull();
        }
    }

    @Test
    void waking_a_waiter_ends_its_wait_without_a_delivery() throws Exception {
        try (ReplicateWebhookInbox.Waiter w = inbox.expect("x")) {
            w.wake();
            long start = System.nanoTime();
            assertThat(w.next(Duration.ofSeconds(60).toNanos())).isNull();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
        }
    }
}
