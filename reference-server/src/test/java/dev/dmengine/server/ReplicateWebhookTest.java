package dev.dmengine.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.dmengine.testkit.Await;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Replicate's webhooks end to end over real HTTP: the server runs {@code dm.model.provider=replicate}
 * against a local fake Replicate whose predictions have no stream and never finish when polled, so
 * a queued ({@code 202}) turn can only end by its webhook. A webhook signed the Standard Webhooks way
 * with {@code dm.model.webhook-secret} completes it; forged, stale and replayed ones change nothing.
 */
class ReplicateWebhookTest {

    static final String HOOK_URL = "https://game.example.org/webhooks/replicate";
    static final String TOKEN = "r8_FakeReplicateToken0123456789";
    static final String REPLY = "The portcullis groans upward. Beyond it, torchlight.";
    static final String SECRET = "whsec_" + Base64.getEncoder().encodeToString(random(24));

    static FakeReplicate replicate;
    static TestServer server;

    @BeforeAll
    static void start() throws IOException {
        replicate = new FakeReplicate();
        server = new TestServer(settings(replicate.baseUrl()));
    }

    @AfterAll
    static void stop() {
        server.close();
        replicate.close();
    }

    static Map<String, String> settings(String replicateBase) {
        return Map.of("dm.model.provider", "replicate", "dm.model.name", "acme/dungeon-master",
                "dm.model.api-key", TOKEN, "dm.model.base-url", replicateBase,
                "dm.model.webhook-url", HOOK_URL, "dm.model.webhook-secret", SECRET);
    }

    // ---------------------------------------------------------------- a fake Replicate

    /** Creates predictions without a stream; a poll always finds them processing; records everything. */
    static final class FakeReplicate implements AutoCloseable {
        final HttpServer http;
        final List<JsonNode> creates = new CopyOnWriteArrayList<>();
        final List<String> cancels = new CopyOnWriteArrayList<>();
        final AtomicInteger gets = new AtomicInteger();
        private final AtomicInteger ids = new AtomicInteger();

        FakeReplicate() throws IOException {
            http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            http.createContext("/v1/", this::api);
            http.start();
        }

        String baseUrl() {
            return "http://127.0.0.1:" + http.getAddress().getPort() + "/v1";
        }

        private void api(HttpExchange ex) throws IOException {
            try (ex) {
                String path = ex.getRequestURI().getPath().substring("/v1/".length());
                if (!("Bearer " + TOKEN).equals(ex.getRequestHeaders().getFirst("Authorization"))) {
                    send(ex, 401, "{\"title\":\"Unauthenticated\",\"status\":401}");
                } else if (ex.getRequestMethod().equals("POST") && path.equals("models/acme/dungeon-master/predictions")) {
                    JsonNode body = Http.MAPPER.readTree(ex.getRequestBody().readAllBytes());
                    String id = "whfake" + ids.incrementAndGet();
                    ObjectNode p = prediction(id, "starting");
                    p.set("input", body.path("input"));
                    creates.add(body);
                    send(ex, 201, p.toString());
                } else if (ex.getRequestMethod().equals("GET") && path.startsWith("predictions/")) {
                    gets.incrementAndGet();
                    send(ex, 200, prediction(path.substring("predictions/".length()), "processing").toString());
                } else if (ex.getRequestMethod().equals("POST") && path.endsWith("/cancel")) {
                    cancels.add(path);
                    send(ex, 200, prediction(path.split("/")[1], "canceled").toString());
                } else {
                    send(ex, 404, "{\"title\":\"Not found\",\"status\":404}");
                }
            }
        }

        ObjectNode prediction(String id, String status) {
            ObjectNode p = Http.MAPPER.createObjectNode().put("id", id).put("model", "acme/dungeon-master")
                    .put("version", "0123456789abcdef0123456789abcdef").put("status", status)
                    .put("created_at", Instant.now().toString());
            p.putNull("output");
            p.putNull("error");
            p.putObject("urls").put("get", baseUrl() + "/predictions/" + id)
                    .put("cancel", baseUrl() + "/predictions/" + id + "/cancel"); // no stream
            return p;
        }

        private static void send(HttpExchange ex, int status, String body) throws IOException {
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(status, b.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(b);
            }
        }

        @Override
        public void close() {
            http.stop(0);
        }
    }

    // ---------------------------------------------------------------- signing, as Replicate does

    static byte[] random(int n) {
        byte[] b = new byte[n];
        new SecureRandom().nextBytes(b);
        return b;
    }

    /** Standard Webhooks: v1,base64(HMAC-SHA256(key = base64-decoded secret after whsec_, id.timestamp.body)). */
    static String sign(String secret, String id, String timestamp, String body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(Base64.getDecoder().decode(secret.substring("whsec_".length())), "HmacSHA256"));
            byte[] sig = mac.doFinal((id + "." + timestamp + "." + body).getBytes(StandardCharsets.UTF_8));
            return "v1," + Base64.getEncoder().encodeToString(sig);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static TestServer.Response webhook(TestServer to, String id, String timestamp, String signature, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(to.uri(ReplicateWebhookApi.PATH)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (id != null) {
            b.header("webhook-id", id);
        }
        if (timestamp != null) {
            b.header("webhook-timestamp", timestamp);
        }
        if (signature != null) {
            b.header("webhook-signature", signature);
        }
        return to.send(b.build());
    }

    static TestServer.Response signedWebhook(TestServer to, String id, String body) {
        String now = Long.toString(Instant.now().getEpochSecond());
        return webhook(to, id, now, sign(SECRET, id, now, body), body);
    }

    /** What Replicate posts when the prediction succeeded: the whole prediction, output as an array of strings. */
    static String succeeded(FakeReplicate fake, String predictionId, JsonNode input, String text) {
        ObjectNode p = fake.prediction(predictionId, "succeeded");
        p.set("input", input);
        var out = p.putArray("output");
        for (String word : text.split("(?<= )")) {
            out.add(word);
        }
        p.put("logs", "Random seed set to: 42\n");
        p.putObject("metrics").put("output_token_count", out.size()).put("predict_time", 1.5);
        p.put("completed_at", Instant.now().toString());
        return p.toString();
    }

    // ---------------------------------------------------------------- a turn

    record Queued(TestServer.Player player, String session, String job) {
    }

    static Queued queueTurn(TestServer on, String text) {
        TestServer.Player p = on.player("Wren");
        String session = on.session(p);
        TestServer.Response r = on.post("/api/sessions/" + session + "/messages", p.access(), Map.of("text", text));
        assertThat(r.status()).isEqualTo(202);
        return new Queued(p, session, r.json().get("jobId").asText());
    }

    static JsonNode job(TestServer on, Queued q) {
        return on.get("/api/jobs/" + q.job(), q.player().access()).json();
    }

    static List<String> roles(TestServer on, Queued q) {
        return on.get("/api/sessions/" + q.session() + "/messages", q.player().access()).json().get("items")
                .findValuesAsText("role");
    }

    @Test
    void a_queued_turn_is_completed_by_its_signed_webhook_and_forgeries_and_a_replay_change_nothing() {
        int before = replicate.creates.size();
        Queued q = queueTurn(server, "I pull the lever by the gate");

        Await.until("the turn created its prediction", Duration.ofSeconds(30), () -> replicate.creates.size() > before);
        JsonNode create = replicate.creates.get(before);
        assertThat(create.path("webhook").asText()).isEqualTo(HOOK_URL);
        assertThat(create.path("webhook_events_filter").toString()).isEqualTo("[\"completed\"]");
        String predictionId = "whfake" + (before + 1);
        assertThat(job(server, q).get("state").asText()).isEqualTo("running");
        String body = succeeded(replicate, predictionId, create.path("input"), REPLY);

        // forged: another secret, the right secret over another body, a stale timestamp, no signature
        String now = Long.toString(Instant.now().getEpochSecond());
        String stale = Long.toString(Instant.now().minus(Duration.ofMinutes(10)).getEpochSecond());
        String otherSecret = "whsec_" + Base64.getEncoder().encodeToString(random(24));
        List<TestServer.Response> forged = List.of(
                webhook(server, "msg_f1", now, sign(otherSecret, "msg_f1", now, body), body),
                webhook(server, "msg_f2", now, sign(SECRET, "msg_f2", now, body.replace("portcullis", "drawbridge")),
                        body),
                webhook(server, "msg_f3", stale, sign(SECRET, "msg_f3", stale, body), body),
                webhook(server, null, null, null, body));
        for (TestServer.Response f : forged) {
            assertThat(f.status()).isEqualTo(401);
            assertThat(f.contentType()).isEqualTo("application/problem+json");
            assertThat(f.json().get("type").asText()).isEqualTo("https://dmengine.dev/problems/unauthenticated");
            assertThat(f.header("WWW-Authenticate")).startsWith("Webhook-Signature");
        }
        assertThat(forged.get(0).json().get("detail").asText()).contains("no webhook-signature matches");
        assertThat(forged.get(2).json().get("detail").asText()).contains("webhook-timestamp");
        assertThat(forged.get(3).json().get("detail").asText()).contains("missing webhook-id");
        assertThat(job(server, q).get("state").asText()).as("no forgery ended the turn").isEqualTo("running");
        assertThat(roles(server, q)).containsExactly("player");

        // the real one
        TestServer.Response accepted = signedWebhook(server, "msg_2mR8zVtYz0", body);
        assertThat(accepted.status()).isEqualTo(204);
        JsonNode done = Await.value("the job succeeded", Duration.ofSeconds(30), () -> {
            JsonNode j = job(server, q);
            return j.get("state").asText().equals("running") ? null : j;
        });
        assertThat(done.get("state").asText()).isEqualTo("succeeded");
        JsonNode page = server.get("/api/sessions/" + q.session() + "/messages", q.player().access()).json();
        assertThat(page.get("items").findValuesAsText("role")).containsExactly("player", "dm");
        JsonNode dm = page.get("items").get(1);
        assertThat(dm.get("id").asText()).isEqualTo(done.at("/result/dmMessageId").asText());
        assertThat(dm.get("content").asText()).isEqualTo(REPLY);
        assertThat(dm.at("/attributes/mode").asText()).isEqualTo("webhook");
        assertThat(dm.at("/attributes/prediction_id").asText()).isEqualTo(predictionId);
        assertThat(replicate.cancels).as("a finished prediction is not cancelled").isEmpty();

        // the same delivery again: acknowledged as a duplicate, nothing done
        TestServer.Response replay = signedWebhook(server, "msg_2mR8zVtYz0", body);
        assertThat(replay.status()).isEqualTo(200);
        assertThat(replay.json().get("status").asText()).isEqualTo("duplicate");
        assertThat(replay.json().get("detail").asText()).contains("msg_2mR8zVtYz0", "nothing was done");
        assertThat(roles(server, q)).containsExactly("player", "dm");
        assertThat(job(server, q).at("/result/dmMessageId").asText()).isEqualTo(done.at("/result/dmMessageId").asText());
        assertThat(replicate.creates).hasSize(before + 1);
    }

    @Test
    void an_authentic_webhook_that_is_not_a_prediction_is_a_400_and_an_oversized_one_a_413() {
        TestServer.Response notPrediction = signedWebhook(server, "msg_np1", "{\"hello\":\"world\"}");
        assertThat(notPrediction.status()).isEqualTo(400);
        assertThat(notPrediction.json().get("type").asText()).isEqualTo("https://dmengine.dev/problems/malformed-request");
        assertThat(notPrediction.json().get("detail").asText()).contains("not a Replicate prediction", "id");

        String big = "{\"id\":\"whbig\",\"status\":\"succeeded\",\"logs\":\"" + "x".repeat(ReplicateWebhookApi.MAX_BODY)
                + "\"}";
        TestServer.Response tooLarge = signedWebhook(server, "msg_big", big);
        assertThat(tooLarge.status()).isEqualTo(413);
        assertThat(tooLarge.json().get("detail").asText()).contains(Integer.toString(ReplicateWebhookApi.MAX_BODY));
    }

    @Test
    void without_the_webhook_settings_the_route_does_not_exist() {
        try (TestServer plain = new TestServer()) {
            String body = "{\"id\":\"abc\",\"status\":\"succeeded\"}";
            TestServer.Response r = signedWebhook(plain, "msg_x", body);
            assertThat(r.status()).isEqualTo(404);
            assertThat(r.json().get("type").asText()).isEqualTo("https://dmengine.dev/problems/not-found");
        }
    }
}
