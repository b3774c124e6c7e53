package dev.dmengine.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dmengine.testkit.Await;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two instances on one Redis (the machine's, {@code DM_TEST_REDIS_URL}, under a key prefix of this
 * class, deleted afterwards): a queued turn waits for its webhook on instance A, Replicate calls
 * instance B (the edge may pick either), and B relays the verified delivery over the event bus to
 * A, whose turn completes with the reply — no poll could have ended it, the fake's predictions
 * never finish when polled.
 */
class ReplicateWebhookRelayIT {

    static final String REDIS_URL = System.getenv().getOrDefault("DM_TEST_REDIS_URL", "redis://127.0.0.1:6379");
    static final String PREFIX = "dmtest:hooks:" + UUID.randomUUID().toString().substring(0, 8) + ":";

    static ReplicateWebhookTest.FakeReplicate replicate;
    static TestServer a;
    static TestServer b;

    @BeforeAll
    static void start() throws IOException {
        replicate = new ReplicateWebhookTest.FakeReplicate();
        Map<String, String> cfg = new HashMap<>(ReplicateWebhookTest.settings(replicate.baseUrl()));
        cfg.put("dm.redis.url", REDIS_URL);
        cfg.put("dm.redis.key-prefix", PREFIX);
        a = new TestServer(cfg);
        b = new TestServer(cfg);
    }

    @AfterAll
    static void stop() {
        try {
            a.close();
            b.close();
            replicate.close();
        } finally {
            deleteKeys();
        }
    }

    private static void deleteKeys() {
        URI uri = URI.create(REDIS_URL);
        try (RedisClient client = RedisClient.builder().hostAndPort(uri.getHost(), uri.getPort() == -1 ? 6379
                : uri.getPort()).build()) {
            String cursor = ScanParams.SCAN_POINTER_START;
            ScanParams match = new ScanParams().match(PREFIX + "*").count(1_000);
            do {
                ScanResult<String> page = client.scan(cursor, match);
                if (!page.getResult().isEmpty()) {
                    client.del(page.getResult().toArray(String[]::new));
                }
                cursor = page.getCursor();
            } while (!ScanParams.SCAN_POINTER_START.equals(cursor));
        }
    }

    @Test
    void a_webhook_delivered_to_another_instance_completes_the_turn_waiting_on_this_one() {
        ReplicateWebhookTest.Queued q = ReplicateWebhookTest.queueTurn(a, "I whistle for the ferryman");
        Await.until("A created the prediction", Duration.ofSeconds(30), () -> replicate.creates.size() == 1);
        String body = ReplicateWebhookTest.succeeded(replicate, "whfake1", replicate.creates.getFirst().path("input"),
                ReplicateWebhookTest.REPLY);

        TestServer.Response atB = ReplicateWebhookTest.signedWebhook(b, "msg_relay1", body);

        assertThat(atB.status()).isEqualTo(204);
        JsonNode done = Await.value("A's job ended", Duration.ofSeconds(30), () -> {
            JsonNode j = ReplicateWebhookTest.job(a, q);
            return j.get("state").asText().equals("running") ? null : j;
        });
        assertThat(done.get("state").asText()).isEqualTo("succeeded");
        JsonNode items = a.get("/api/sessions/" + q.session() + "/messages", q.player().access()).json().get("items");
        assertThat(items.findValuesAsText("role")).containsExactly("player", "dm");
        assertThat(items.get(1).get("content").asText()).isEqualTo(ReplicateWebhookTest.REPLY);
        assertThat(items.get(1).at("/attributes/mode").asText()).isEqualTo("webhook");

        // the same delivery to A afterwards (replay memory is per instance): authentic, and harmless
        TestServer.Response atA = ReplicateWebhookTest.signedWebhook(a, "msg_relay1", body);
        assertThat(atA.status()).isIn(200, 204);
        assertThat(ReplicateWebhookTest.roles(a, q)).containsExactly("player", "dm");
        assertThat(replicate.creates).hasSize(1);
        assertThat(replicate.cancels).isEmpty();
        assertThat(List.of(a, b)).allSatisfy(s -> assertThat(s.get("/health", null).status()).isEqualTo(200));
    }
}
