package dev.dmengine.replicate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dmengine.replicate.FakeReplicateServer.Break;
import dev.dmengine.replicate.FakeReplicateServer.NoStream;
import dev.dmengine.replicate.ReplicateWebhookInbox.Delivery;
import dev.dmengine.spi.UnavailableException;
import dev.dmengine.spi.generation.CancellationSignal;
import dev.dmengine.spi.generation.ChatMessage;
import dev.dmengine.spi.generation.GenerationHandler;
import dev.dmengine.spi.generation.GenerationRequest;
import dev.dmengine.spi.generation.GenerationResult;
import dev.dmengine.testkit.Await;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A {@link ReplicateLanguageModel} with a webhook, over real HTTP against the fake Replicate: the
 * prediction is created with the webhook, a delivery to the inbox completes the waiting generation
 * (no poll needed), the fallback poll completes it when no webhook comes, and late or repeated
 * deliveries change nothing.
 */
class ReplicateWebhookLanguageModelTest {

    private static final URI HOOK = URI.create("https://game.example.org/webhooks/replicate");
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Longer than any wait below: a generation that ends within it was not ended by a fallback poll. */
    private static final Duration SLOW_FALLBACK = Duration.ofSeconds(60);
    private static FakeReplicateServer server;
    private ReplicateWebhookInbox inbox;

    @BeforeAll
    static void start() throws IOException {
        server = new FakeReplicateServer();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @BeforeEach
    void reset() {
        server.reset();
        inbox = new ReplicateWebhookInbox();
    }

    private ReplicateLanguageModel.Builder model(Duration fallback) {
        return ReplicateLanguageModel.builder().baseUrl(server.baseUrl()).apiToken(ReplicateLanguageModelTest.TOKEN)
                .model("meta/meta-llama-3-8b-instruct")
                .pollInterval(Duration.ofMillis(10))
                .webhook(HOOK, inbox).fallbackPollInterval(fallback)
                .firstTokenTimeout(Duration.ofSeconds(100)).totalTimeout(Duration.ofSeconds(120));
    }

    private static GenerationRequest request(CancellationSignal cancel) {
        return GenerationRequest.builder().message(ChatMessage.system("You are the Dungeon Master."))
                .message(ChatMessage.user("I light a torch.")).maxTokens(20).cancellation(cancel).build();
    }

    /** A generation running on its own thread. */
    static final class Running implements GenerationHandler {
        final List<String> tokens = new CopyOnWriteArrayList<>();
        final CompletableFuture<GenerationResult> done = new CompletableFuture<>();

        @Override
        public void onToken(String token) {
            tokens.add(token);
        }

        @Override
        public void onComplete(GenerationResult result) {
            done.complete(result);
        }

        @Override
        public void onError(Throwable error) {
            done.completeExceptionally(error);
        }

        GenerationResult result() {
            return done.orTimeout(30, java.util.concurrent.TimeUnit.SECONDS).join();
        }

        Throwable error() {
            try {
                done.orTimeout(30, java.util.concurrent.TimeUnit.SECONDS).join();
            } catch (java.util.concurrent.CompletionException e) {
                return e.getCause();
            } catch (CancellationException e) { // join throws a cancellation as it is
                return e;
            }
            throw new AssertionError("the generation did not fail");
        }
    }

    private static Running run(ReplicateLanguageModel m, GenerationRequest r) {
        Running h = new Running();
        Thread.ofVirtual().start(() -> m.generate(r, h));
        return h;
    }

    private FakeReplicateServer.Prediction waitingPrediction() {
        Await.until("a generation waits in the inbox", () -> inbox.waiting() == 1);
        return server.predictions.values().iterator().next();
    }

    private static String finished(FakeReplicateServer.Prediction p) {
        p.complete();
        return p.json().toString();
    }

    private static String expectedText(GenerationRequest r) {
        return String.join("", FakeReplicateServer.tokensFor(ReplicatePromptFormat.llama3().input(r)));
    }

    @Test
    void predictions_are_created_with_the_webhook_for_the_completed_event_only() {
        Running h = run(model(Duration.ofMillis(20)).build(), request(new CancellationSignal()));
        h.result();

        JsonNode body = server.createBodies.getFirst();
        assertThat(body.path("webhook").asText()).isEqualTo(HOOK.toString());
        assertThat(body.path("webhook_events_filter")).hasSize(1);
        assertThat(body.path("webhook_events_filter").get(0).asText()).isEqualTo("completed");
        assertThat(body.path("stream").asBoolean()).isTrue();
    }

    @Test
    void a_delivered_webhook_completes_the_waiting_generation_without_polling() {
        server.nextCreate(new NoStream());
        GenerationRequest r = request(new CancellationSignal());
        Running h = run(model(SLOW_FALLBACK).build(), r);

        Delivery d = inbox.deliver(finished(waitingPrediction()));

        assertThat(d).isEqualTo(Delivery.HANDED_OVER);
        GenerationResult result = h.result();
        assertThat(result.text()).isEqualTo(expectedText(r));
        assertThat(result.attributes()).containsEntry("mode", "webhook");
        assertThat(server.gets.get()).as("no poll was needed").isZero();
        assertThat(inbox.waiting()).isZero();
    }

    @Test
    void without_a_webhook_the_fallback_poll_still_completes_the_generation() {
        server.nextCreate(new NoStream());
        GenerationRequest r = request(new CancellationSignal());

        GenerationResult result = run(model(Duration.ofMillis(20)).build(), r).result();

        assertThat(result.text()).isEqualTo(expectedText(r));
        assertThat(result.attributes()).containsEntry("mode", "poll");
        assertThat(server.gets.get()).isPositive();
        assertThat(inbox.waiting()).isZero();
    }

    @Test
    void a_webhook_that_overtakes_the_create_response_is_kept_for_its_generation() {
        server.nextCreate(new NoStream());
        server.beforeCreateAnswer = p -> inbox.deliver(JSON.createObjectNode().put("id", p.id)
                .put("status", "succeeded").set("output", JSON.createArrayNode().add("Early").add(" bird.")).toString());

        GenerationResult result = run(model(SLOW_FALLBACK).build(), request(new CancellationSignal())).result();

        assertThat(result.text()).isEqualTo("Early bird.");
        assertThat(result.attributes()).containsEntry("mode", "webhook");
        assertThat(server.gets.get()).isZero();
        assertThat(inbox.unclaimed()).isZero();
    }

    @Test
    void a_stream_that_breaks_is_finished_by_the_webhook_without_repeating_text() {
        server.nextStream(new Break(4));
        GenerationRequest r = request(new CancellationSignal());
        Running h = run(model(SLOW_FALLBACK).build(), r);

        FakeReplicateServer.Prediction p = waitingPrediction();
        Await.until("the stream broke and the prediction was read once", () -> server.gets.get() == 1);
        inbox.deliver(finished(p));

        GenerationResult result = h.result();
        assertThat(result.text()).isEqualTo(expectedText(r));
        assertThat(String.join("", h.tokens)).isEqualTo(expectedText(r));
        assertThat(result.attributes()).containsEntry("mode", "stream+webhook");
    }

    @Test
    void a_failed_prediction_delivered_by_webhook_fails_the_generation_with_its_error() {
        server.nextCreate(new NoStream());
        Running h = run(model(SLOW_FALLBACK).build(), request(new CancellationSignal()));

        ObjectNode failed = JSON.createObjectNode().put("id", waitingPrediction().id).put("status", "failed")
                .put("error", "CUDA out of memory");
        inbox.deliver(failed.toString());

        assertThat(h.error()).isInstanceOf(UnavailableException.class).hasMessageContaining("CUDA out of memory");
        assertThat(server.cancels).as("a failed prediction is over: nothing to cancel").isEmpty();
    }

    @Test
    void a_cancel_ends_the_wait_for_the_webhook_at_once_and_cancels_the_prediction() {
        server.nextCreate(new NoStream());
        CancellationSignal cancel = new CancellationSignal();
        Running h = run(model(SLOW_FALLBACK).build(), request(cancel));
        FakeReplicateServer.Prediction p = waitingPrediction();

        cancel.cancel();

        assertThat(h.error()).isInstanceOf(CancellationException.class);
        assertThat(server.cancels).containsExactly(p.id);
        assertThat(inbox.waiting()).isZero();
    }

    @Test
    void late_and_repeated_deliveries_are_harmless() {
        server.nextCreate(new NoStream(), new NoStream());
        ReplicateLanguageModel m = model(SLOW_FALLBACK).build();
        GenerationRequest r = request(new CancellationSignal());
        Running first = run(m, r);
        FakeReplicateServer.Prediction p1 = waitingPrediction();
        String done1 = finished(p1);
        inbox.deliver(done1);
        String text1 = first.result().text();

        // the same webhook again, twice, after its generation ended: nobody waits for it
        assertThat(inbox.deliver(done1)).isEqualTo(Delivery.KEPT);
        assertThat(inbox.deliver(done1)).isEqualTo(Delivery.KEPT);
        assertThat(inbox.unclaimed()).isEqualTo(1);

        // the next generation gets its own prediction and its own webhook, untouched by the stale one
        GenerationRequest r2 = GenerationRequest.builder().message(ChatMessage.user("I open the door.")).maxTokens(12)
                .build();
        Running second = run(m, r2);
        Await.until("the second generation waits", () -> inbox.waiting() == 1 && server.predictions.size() == 2);
        FakeReplicateServer.Prediction p2 = server.predictions.values().stream().filter(p -> !p.id.equals(p1.id))
                .findFirst().orElseThrow();
        inbox.deliver(finished(p2));

        assertThat(second.result().text()).isEqualTo(expectedText(r2)).isNotEqualTo(text1);
        assertThat(first.tokens).as("the first generation heard nothing more").hasSize(20);
        assertThat(inbox.waiting()).isZero();
    }
}
