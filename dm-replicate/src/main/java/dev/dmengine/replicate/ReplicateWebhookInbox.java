package dev.dmengine.replicate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dmengine.remote.HttpModelBuilder;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Where verified webhook deliveries meet the generations waiting for them. A
 * {@link ReplicateLanguageModel} built with {@link ReplicateLanguageModel.Builder#webhook webhook(url, inbox)}
 * creates its predictions with that webhook and, where it would otherwise poll, waits here for
 * its prediction; the host hands every delivery it has verified ({@link ReplicateWebhooks}) to
 * {@link #deliver(Prediction)}, and the waiting generation goes on at once.
 *
 * <p>A delivery for a prediction nobody waits for is kept for a short while
 * ({@code keepUnclaimed}, 2 minutes by default, at most {@code maxUnclaimed} of them, 256), so a
 * webhook that overtakes the response of its own create is not lost; after that it is dropped. So a
 * late or repeated delivery is harmless: it finds no waiter, or a waiter that has already seen the
 * prediction end. Only what a generation needs is kept of a prediction ({@link #parse}): id,
 * status, output, error, metrics, model and version — not its input, which repeats the prompt.
 *
 * <p>The inbox lives in one process. A webhook delivered to another instance of the host does not
 * reach a generation waiting here unless the host relays it (the reference server does, over its
 * event bus); otherwise that generation still ends through its fallback poll
 * ({@link ReplicateLanguageModel.Builder#fallbackPollInterval}). Thread-safe.
 */
public final class ReplicateWebhookInbox {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,128}");
    private static final List<String> KEPT_FIELDS = List.of("id", "status", "output", "error", "metrics", "model",
            "version");
    /** What a waiter is woken with when its generation is aborted (a timeout, a cancel). */
    private static final JsonNode WAKE = MissingNode.getInstance();

    /** What became of a delivery. */
    public enum Delivery {
        /** A generation in this process was waiting for the prediction and has it now. */
        HANDED_OVER,
        /** Nobody here waits for it (yet, or any more): kept for a short while, then dropped. */
        KEPT
    }

    /**
     * The parts of a webhook's prediction that a generation needs.
     *
     * @param json the prediction reduced to id, status, output, error, metrics, model and version
     */
    public record Prediction(String id, String status, String json) {
        public Prediction {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(status, "status");
            Objects.requireNonNull(json, "json");
        }

        /** Succeeded, failed, canceled or aborted: the prediction will not change any more. */
        public boolean terminal() {
            return switch (status) {
                case "succeeded", "failed", "canceled", "aborted" -> true;
                default -> false;
            };
        }
    }

    private record Kept(Prediction prediction, Instant at) {
    }

    private final Duration keepUnclaimed;
    private final int maxUnclaimed;
    private final Clock clock;
    private final Map<String, Waiter> waiting = new HashMap<>();
    private final LinkedHashMap<String, Kept> unclaimed = new LinkedHashMap<>();

    /** An inbox that keeps up to 256 unclaimed deliveries for 2 minutes. */
    public ReplicateWebhookInbox() {
        this(Duration.ofMinutes(2), 256, Clock.systemUTC());
    }

    public ReplicateWebhookInbox(Duration keepUnclaimed, int maxUnclaimed, Clock clock) {
        this.keepUnclaimed = HttpModelBuilder.positive(keepUnclaimed, "keepUnclaimed");
        if (maxUnclaimed < 0) {
            throw new IllegalArgumentException("maxUnclaimed must be 0 or more, was " + maxUnclaimed);
        }
        this.maxUnclaimed = maxUnclaimed;
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Reads a webhook's body (a prediction object, as {@code GET /v1/predictions/{id}} answers it).
     *
     * @throws IllegalArgumentException naming what is wrong when the body is not JSON, not an
     *                                  object, or has no prediction {@code id} or {@code status}
     */
    public static Prediction parse(byte[] body) {
        JsonNode node;
        try {
            node = JSON.readTree(Objects.requireNonNull(body, "body"));
        } catch (IOException e) {
            throw new IllegalArgumentException("the body is not JSON");
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("the body is not a JSON object");
        }
        JsonNode id = node.get("id");
        if (id == null || !id.isTextual() || !ID.matcher(id.asText()).matches()) {
            throw new IllegalArgumentException("the body has no prediction id (id: 1 to 128 of A-Z a-z 0-9 _ -)");
        }
        JsonNode status = node.get("status");
        if (status == null || !status.isTextual() || status.asText().isBlank() || status.asText().length() > 32) {
            throw new IllegalArgumentException("the body has no prediction status (status: a word such as succeeded)");
        }
        ObjectNode slim = JSON.createObjectNode();
        for (String field : KEPT_FIELDS) {
            if (node.has(field)) {
                slim.set(field, node.get(field));
            }
        }
        return new Prediction(id.asText(), status.asText(), slim.toString());
    }

    /** {@link #parse} of the JSON text, then {@link #deliver(Prediction)}. */
    public Delivery deliver(String predictionJson) {
        return deliver(parse(predictionJson.getBytes(StandardCharsets.UTF_8)));
    }

    /** Hands a verified delivery to the generation waiting for its prediction, or keeps it a while. */
    public Delivery deliver(Prediction prediction) {
        JsonNode node = read(prediction);
        synchronized (this) {
            Waiter w = waiting.get(prediction.id());
            if (w != null) {
                w.queue.offer(node);
                return Delivery.HANDED_OVER;
            }
            keep(prediction);
            return Delivery.KEPT;
        }
    }

    /** How many generations wait here now. */
    public synchronized int waiting() {
        return waiting.size();
    }

    /** How many deliveries nobody has claimed are kept now. */
    public synchronized int unclaimed() {
        forgetOld();
        return unclaimed.size();
    }

    /** Registers a generation waiting for this prediction; a delivery kept for it is handed over at once. */
    Waiter expect(String predictionId) {
        Waiter w = new Waiter(this, predictionId);
        synchronized (this) {
            waiting.put(predictionId, w);
            Kept early = unclaimed.remove(predictionId);
            if (early != null && !expired(early)) {
                w.queue.offer(read(early.prediction()));
            }
        }
        return w;
    }

    private synchronized void forget(Waiter w) {
        waiting.remove(w.predictionId, w);
    }

    /** Keeps the newest news of a prediction; an unfinished state never replaces a final one. */
    private void keep(Prediction p) {
        forgetOld();
        if (maxUnclaimed == 0) {
            return;
        }
        Kept before = unclaimed.get(p.id());
        if (before != null && before.prediction().terminal() && !p.terminal()) {
            return;
        }
        unclaimed.remove(p.id());
        unclaimed.put(p.id(), new Kept(p, clock.instant()));
        while (unclaimed.size() > maxUnclaimed) {
            Iterator<String> eldest = unclaimed.keySet().iterator();
            eldest.next();
            eldest.remove();
        }
    }

    private void forgetOld() {
        Iterator<Kept> it = unclaimed.values().iterator();
        while (it.hasNext()) {
            if (expired(it.next())) {
                it.remove();
            } else {
                break; // insertion order is time order
            }
        }
    }

    private boolean expired(Kept k) {
        return k.at().plus(keepUnclaimed).isBefore(clock.instant());
    }

    private static JsonNode read(Prediction p) {
        try {
            return JSON.readTree(p.json());
        } catch (IOException e) {
            throw new IllegalArgumentException("the prediction is not JSON", e);
        }
    }

    @Override
    public synchronized String toString() {
        return "ReplicateWebhookInbox[waiting=" + waiting.size() + ", unclaimed=" + unclaimed.size() + "]";
    }

    /**
     * One generation's wait: the deliveries of its prediction in arrival order, and a wake-up when
     * the generation is aborted. Without an inbox (no webhook) it only waits, for the poll interval.
     */
    static final class Waiter implements AutoCloseable {
        private final ReplicateWebhookInbox inbox;
        private final String predictionId;
        private final LinkedBlockingQueue<JsonNode> queue = new LinkedBlockingQueue<>();

        private Waiter(ReplicateWebhookInbox inbox, String predictionId) {
            this.inbox = inbox;
            this.predictionId = predictionId;
        }

        /** A waiter that only sleeps and wakes (the adapter without a webhook). */
        static Waiter alone() {
            return new Waiter(null, "");
        }

        /**
         * The next delivery of the prediction, or null after {@code nanos} or when woken.
         *
         * @throws InterruptedException when the thread is interrupted
         */
        JsonNode next(long nanos) throws InterruptedException {
            JsonNode got = queue.poll(nanos, TimeUnit.NANOSECONDS);
            return got == WAKE ? null : got;
        }

        /** Ends the current wait at once (the generation was aborted). */
        void wake() {
            queue.offer(WAKE);
        }

        @Override
        public void close() {
            if (inbox != null) {
                inbox.forget(this);
            }
        }
    }
}
