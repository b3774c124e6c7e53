package dev.dmengine.replicate;

import dev.dmengine.replicate.ReplicateWebhooks.Status;
import dev.dmengine.testkit.MutableClock;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ReplicateWebhooksTest {

    // The Standard Webhooks specification's published example (Replicate signs the same way).
    private static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private static final String ID = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    private static final String TIMESTAMP = "1614265330";
    private static final byte[] BODY = "{\"test\": 2432232314}".getBytes(StandardCharsets.UTF_8);
    private static final String SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    private final MutableClock clock = new MutableClock(Instant.ofEpochSecond(1614265330 + 10));
    private final ReplicateWebhooks webhooks = new ReplicateWebhooks(SECRET, Duration.ofMinutes(5), clock, 100);

    @Test
    void accepts_the_specifications_example_delivery() {
        assertThat(webhooks.verify(ID, TIMESTAMP, SIGNATURE, BODY).status()).isEqualTo(Status.ACCEPTED);
    }

    @Test
    void accepts_when_any_of_several_signatures_matches() {
        String header = "v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= v2,whatever " + SIGNATURE;

        assertThat(webhooks.verify(ID, TIMESTAMP, header, BODY).status()).isEqualTo(Status.ACCEPTED);
    }

    @Test
    void a_second_delivery_of_the_same_id_is_a_duplicate() {
        webhooks.verify(ID, TIMESTAMP, SIGNATURE, BODY);

        assertThat(webhooks.verify(ID, TIMESTAMP, SIGNATURE, BODY).status()).isEqualTo(Status.DUPLICATE);
    }

    @Test
    void rejects_a_bad_signature_and_a_changed_body() {
        assertThat(webhooks.verify(ID, TIMESTAMP, "v1,g1hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", BODY).status())
                .isEqualTo(Status.REJECTED);
        assertThat(webhooks.verify(ID, TIMESTAMP, SIGNATURE, "{\"test\": 2432232315}".getBytes(StandardCharsets.UTF_8))
                .status()).isEqualTo(Status.REJECTED);
        assertThat(webhooks.verify("msg_other", TIMESTAMP, SIGNATURE, BODY).status()).isEqualTo(Status.REJECTED);
    }

    @Test
    void a_rejected_delivery_is_not_remembered_as_seen() {
        webhooks.verify(ID, TIMESTAMP, "v1,bm9wZQ==", BODY);

        assertThat(webhooks.verify(ID, TIMESTAMP, SIGNATURE, BODY).status()).isEqualTo(Status.ACCEPTED);
    }

    @Test
    void rejects_a_timestamp_older_or_newer_than_the_tolerance() {
        clock.set(Instant.ofEpochSecond(1614265330).plus(Duration.ofMinutes(6)));
        assertThat(webhooks.verify(ID, TIMESTAMP, SIGNATURE, BODY).status()).isEqualTo(Status.REJECTED);

        clock.set(Instant.ofEpochSecond(1614265330).minus(Duration.ofMinutes(6)));
        assertThat(webhooks.verify(ID, TIMESTAMP, SIGNATURE, BODY).reason()).contains("webhook-timestamp");
    }

    @Test
    void rejects_missing_headers_and_a_timestamp_that_is_not_a_number() {
        assertThat(webhooks.verify(null, TIMESTAMP, SIGNATURE, BODY).status()).isEqualTo(Status.REJECTED);
        assertThat(webhooks.verify(ID, null, SIGNATURE, BODY).status()).isEqualTo(Status.REJECTED);
        assertThat(webhooks.verify(ID, TIMESTAMP, null, BODY).status()).isEqualTo(Status.REJECTED);
        assertThat(webhooks.verify(ID, "yesterday", SIGNATURE, BODY).status()).isEqualTo(Status.REJECTED);
    }

    @Test
    void remembers_a_bounded_number_of_ids() {
        ReplicateWebhooks small = new ReplicateWebhooks(SECRET, Duration.ofMinutes(5), clock, 2);
        String ts = Long.toString(clock.instant().getEpochSecond());
        for (String id : new String[] {"a", "b", "c"}) {
            assertThat(small.verify(id, ts, small.signature(id, ts, BODY), BODY).status()).isEqualTo(Status.ACCEPTED);
        }

        assertThat(small.verify("c", ts, small.signature("c", ts, BODY), BODY).status()).isEqualTo(Status.DUPLICATE);
        assertThat(small.verify("a", ts, small.signature("a", ts, BODY), BODY).status())
                .as("the eldest id was forgotten").isEqualTo(Status.ACCEPTED);
    }

    @Test
    void the_secret_must_be_a_whsec_key_and_is_never_printed() {
        assertThatThrownBy(() -> new ReplicateWebhooks("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("whsec_");
        assertThat(webhooks.toString()).doesNotContain("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
    }
}
