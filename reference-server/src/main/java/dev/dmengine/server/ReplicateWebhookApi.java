package dev.dmengine.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dmengine.replicate.ReplicateWebhookInbox;
import dev.dmengine.replicate.ReplicateWebhooks;
import dev.dmengine.spi.infra.Event;
import dev.dmengine.spi.infra.EventBus;
import dev.dmengine.spi.infra.Subscription;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * {@code POST /webhooks/replicate}: Replicate's call when a prediction made with
 * {@code dm.model.webhook-url} ends. No login: the Standard Webhooks signature
 * ({@code webhook-id}, {@code webhook-timestamp}, {@code webhook-signature}, keyed with
 * {@code dm.model.webhook-secret}) is the credential, checked over the raw body before anything
 * else is read from it. Answers:
 * <ul>
 *   <li>{@code 204} — authentic and new: handed to the generation waiting for the prediction;</li>
 *   <li>{@code 200} with {@code {"status": "duplicate"}} — authentic, but this {@code webhook-id}
 *       was accepted before (Replicate resends with the same id; a replay by anyone else is the
 *       same bytes): nothing is done. Not a 4xx: Replicate retries every 4xx and 5xx, so a refusal
 *       would only bring the same delivery back until its last retry;</li>
 *   <li>{@code 401} — no, a wrong, or a stale (more than 5 minutes) signature: nothing is done;</li>
 *   <li>{@code 400} — authentic but not a prediction; {@code 413} — over {@value #MAX_BODY} bytes.</li>
 * </ul>
 * Without the settings the route does not exist (404).
 *
 * <p>Several instances: Replicate calls whichever instance the edge picks, while the generation
 * waits in the instance that created the prediction. With {@code dm.redis.url} each delivery is
 * handed to this instance's inbox and published on the event bus (topic {@value #TOPIC}), which
 * every instance follows and hands to its own inbox; so the waiting generation goes on whichever
 * instance was called. Without Redis there is one instance, and nothing to relay. If the relay
 * fails, the generation still ends by its fallback poll.
 */
final class ReplicateWebhookApi implements AutoCloseable {

    static final String PATH = "/webhooks/replicate";
    /** The event bus topic on which instances relay deliveries to each other. */
    static final String TOPIC = "replicate.webhooks";
    /** A completed prediction echoes its input (the whole prompt) and logs: room for both. */
    static final int MAX_BODY = 256 * 1024;
    private static final Duration RESUBSCRIBE = Duration.ofSeconds(5);
    private static final Logger LOG = LoggerFactory.getLogger(ReplicateWebhookApi.class);

    private final ReplicateWebhooks verifier;
    private final ReplicateWebhookInbox inbox;
    private final Optional<EventBus> relay;
    private final String origin = UUID.randomUUID().toString();
    private volatile Subscription subscription;
    private volatile boolean closed;

    /**
     * @param relay the event bus shared by the instances, when there are several (Redis); empty
     *              for one instance
     */
    ReplicateWebhookApi(ServerSettings.Webhook settings, ReplicateWebhookInbox inbox, Optional<EventBus> relay) {
        this.verifier = new ReplicateWebhooks(settings.secret());
        this.inbox = inbox;
        this.relay = relay;
        warnAbout(settings);
        if (relay.isPresent() && !follow()) { // at once if the bus answers, so that no delivery is missed
            Thread.ofVirtual().name("replicate-webhook-relay").start(this::followUntilClosed);
        }
    }

    private static void warnAbout(ServerSettings.Webhook settings) {
        if (!settings.url().getPath().endsWith(PATH)) {
            LOG.warn("dm.model.webhook-url {} does not end in {}, where this server receives Replicate's webhooks: "
                    + "make sure the edge maps it there", settings.url(), PATH);
        }
        if (settings.url().getScheme().equalsIgnoreCase("http")) {
            LOG.warn("dm.model.webhook-url {} is plain http: Replicate's deliveries (the DM's replies) would cross the "
                    + "network unencrypted; use https for a deployment", settings.url());
        }
    }

    void routes(Routes r) {
        r.post(PATH, this::receive);
    }

    private void receive(ServerRequest req, ServerResponse res) {
        byte[] body = Http.raw(req, MAX_BODY);
        ReplicateWebhooks.Verdict verdict = verifier.verify(header(req, "webhook-id"),
                header(req, "webhook-timestamp"), header(req, "webhook-signature"), body);
        switch (verdict.status()) {
            case REJECTED -> throw new HttpProblem(401, "unauthenticated", "Authentication required",
                    "the webhook is not signed with dm.model.webhook-secret: " + verdict.reason(),
                    Map.of("WWW-Authenticate", "Webhook-Signature realm=\"replicate\""), List.of());
            case DUPLICATE -> {
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("status", "duplicate");
                out.put("detail", verdict.reason() + "; nothing was done");
                Http.json(res, out);
                return;
            }
            case ACCEPTED -> { /* read it */ }
        }
        ReplicateWebhookInbox.Prediction prediction;
        try {
            prediction = ReplicateWebhookInbox.parse(body);
        } catch (IllegalArgumentException e) {
            throw HttpProblem.malformed("the webhook is not a Replicate prediction: " + e.getMessage());
        }
        ReplicateWebhookInbox.Delivery here = inbox.deliver(prediction);
        LOG.debug("Replicate webhook for prediction {} ({}): {}", prediction.id(), prediction.status(), here);
        if (here == ReplicateWebhookInbox.Delivery.KEPT) {
            relay.ifPresent(bus -> publish(bus, prediction));
        }
        Http.noContent(res);
    }

    private static String header(ServerRequest req, String name) {
        return req.headers().first(HeaderNames.create(name)).orElse(null);
    }

    /** Hands the delivery to the other instances; one that fails to reach them falls back to their polls. */
    private void publish(EventBus bus, ReplicateWebhookInbox.Prediction prediction) {
        ObjectNode relayed = Http.MAPPER.createObjectNode().put("origin", origin);
        try {
            relayed.set("prediction", Http.MAPPER.readTree(prediction.json()));
            bus.publish(TOPIC, "prediction", relayed.toString());
        } catch (IOException | RuntimeException e) {
            LOG.warn("could not relay the webhook of prediction {} to the other instances ({}); a generation waiting "
                    + "there ends by its fallback poll", prediction.id(), e.getMessage());
        }
    }

    /** A delivery another instance received: for a generation waiting here, if any. */
    private void relayed(Event event) {
        try {
            JsonNode data = Http.MAPPER.readTree(event.data());
            if (origin.equals(data.path("origin").asText())) {
                return; // handed over here already
            }
            inbox.deliver(ReplicateWebhookInbox.parse(data.path("prediction").toString()
                    .getBytes(StandardCharsets.UTF_8)));
        } catch (IOException | RuntimeException e) { // a listener that throws is unsubscribed
            LOG.warn("ignoring relayed webhook event {}: {}", event.id(), e.getMessage());
        }
    }

    /** Subscribes to the relay topic from now on; false (logged) when the bus cannot be reached. */
    private boolean follow() {
        EventBus bus = relay.orElseThrow();
        try {
            Subscription s = bus.subscribe(TOPIC, bus.lastId(TOPIC), this::relayed);
            subscription = s;
            if (closed) {
                s.close();
            }
            return true;
        } catch (RuntimeException e) {
            LOG.warn("cannot follow Replicate webhooks relayed by other instances yet ({}); retrying every {} s",
                    e.getMessage(), RESUBSCRIBE.toSeconds());
            return false;
        }
    }

    private void followUntilClosed() {
        while (!closed) {
            try {
                Thread.sleep(RESUBSCRIBE);
            } catch (InterruptedException e) {
                return;
            }
            if (!closed && follow()) {
                LOG.info("following Replicate webhooks relayed by other instances");
                return;
            }
        }
    }

    /** Whether deliveries received by other instances reach this one (always true without a relay). */
    boolean following() {
        return relay.isEmpty() || subscription != null;
    }

    @Override
    public void close() {
        closed = true;
        Subscription s = subscription;
        if (s != null) {
            s.close();
        }
    }

    @Override
    public String toString() {
        return "ReplicateWebhookApi[" + PATH + ", relay=" + relay.isPresent() + "]";
    }
}
