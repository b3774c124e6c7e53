package dev.dmengine.replicate;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dmengine.replicate.FakeReplicateServer.Break;
import dev.dmengine.replicate.FakeReplicateServer.CreateThenFail;
import dev.dmengine.replicate.FakeReplicateServer.CreateThenStall;
import dev.dmengine.replicate.FakeReplicateServer.ErrorEvent;
import dev.dmengine.replicate.FakeReplicateServer.MalformedDone;
import dev.dmengine.replicate.FakeReplicateServer.NoStream;
import dev.dmengine.replicate.FakeReplicateServer.RemoteCancel;
import dev.dmengine.replicate.FakeReplicateServer.Slow;
import dev.dmengine.replicate.FakeReplicateServer.Stall;
import dev.dmengine.replicate.FakeReplicateServer.Status;
import dev.dmengine.spi.DmException;
import dev.dmengine.spi.NotFoundException;
import dev.dmengine.spi.PermissionDeniedException;
import dev.dmengine.spi.UnavailableException;
import dev.dmengine.spi.generation.CancellationSignal;
import dev.dmengine.spi.generation.ChatMessage;
import dev.dmengine.spi.generation.GenerationHandler;
import dev.dmengine.spi.generation.GenerationRequest;
import dev.dmengine.spi.generation.GenerationResult;
import dev.dmengine.testkit.MutableClock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static dev.dmengine.replicate.FakeReplicateServer.problem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The prediction lifecycle, streams, retries, ambiguous creates, timeouts and cancels over real HTTP. */
class ReplicateResilienceTest {

    private static final String TOKEN = ReplicateLanguageModelTest.TOKEN;
    private static FakeReplicateServer server;

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
    }

    private static ReplicateLanguageModel.Builder model() {
        return ReplicateLanguageModel.builder().baseUrl(server.baseUrl()).apiToken(TOKEN)
                .model("meta/meta-llama-3-8b-instruct")
                .initialBackoff(Duration.ofMillis(10)).maxBackoff(Duration.ofMillis(50))
                .pollInterval(Duration.ofMillis(10))
                .firstTokenTimeout(Duration.ofSeconds(20)).totalTimeout(Duration.ofSeconds(60));
    }

    private static GenerationRequest.Builder request() {
        return GenerationRequest.builder().message(ChatMessage.system("You are the Dungeon Master."))
                .message(ChatMessage.user("I light a torch.")).maxTokens(20);
    }

    static class Recording implements GenerationHandler {
        final List<String> tokens = new CopyOnWriteArrayList<>();
        volatile GenerationResult result;
        volatile Throwable error;

        @Override
        public void onToken(String token) {
            tokens.add(token);
        }

        @Override
        public void onComplete(GenerationResult r) {
            result = r;
        }

        @Override
        public void onError(Throwable e) {
            error = e;
        }
    }

    private static Recording run(ReplicateLanguageModel m, GenerationRequest r) {
        Recording h = new Recording();
        m.generate(r, h);
        return h;
    }

    private static String expectedText(GenerationRequest r) {
        JsonNode input = ReplicatePromptFormat.llama3().input(r);
        return String.join("", FakeReplicateServer.tokensFor(input));
    }

    @Test
    void creates_an_official_model_prediction_with_the_shaped_input_stream_and_deadline() {
        GenerationRequest r = request().temperature(0.6).topP(0.9).stop(List.of("<|eot_id|>", "\n\nUser:")).build();

        Recording h = run(model().totalTimeout(Duration.ofSeconds(90)).build(), r);

        assertThat(h.error).isNull();
        assertThat(server.createPaths).containsExactly("models/meta/meta-llama-3-8b-instruct/predictions");
        JsonNode body = server.createBodies.getFirst();
        assertThat(body.path("stream").asBoolean()).isTrue();
        JsonNode input = body.path("input");
        assertThat(input.path("prompt").asText()).isEqualTo("I light a torch.");
        assertThat(input.path("system_prompt").asText()).isEqualTo("You are the Dungeon Master.");
        assertThat(input.path("max_tokens").asInt()).isEqualTo(20);
        assertThat(input.path("temperature").asDouble()).isEqualTo(0.6);
        assertThat(input.path("top_p").asDouble()).isEqualTo(0.9);
        assertThat(input.path("stop_sequences").asText()).isEqualTo("<|eot_id|>,\n\nUser:");
        assertThat(server.createHeaders.getFirst()).containsEntry("Cancel-After", "95s").doesNotContainKey("Prefer");
    }

    @Test
    void the_result_records_prediction_id_model_version_and_parameters() {
        Recording h = run(model().build(), request().build());

        String id = server.predictions.keySet().iterator().next();
        assertThat(h.result.attributes())
                .containsEntry("provider", "replicate")
                .containsEntry("prediction_id", id)
                .containsEntry("model", "meta/meta-llama-3-8b-instruct")
                .containsEntry("version", FakeReplicateServer.VERSION)
                .containsEntry("param.max_tokens", "20")
                .containsEntry("param.temperature", "0.8")
                .containsEntry("mode", "stream");
    }

    @Test
    void streamed_text_with_multi_line_events_equals_the_models_output() {
        GenerationRequest r = request().maxTokens(40).build();

        Recording h = run(model().build(), r);

        assertThat(h.result.text()).isEqualTo(expectedText(r)).contains("\n\n");
    }

    @Test
    void a_model_version_and_a_deployment_use_their_own_endpoints() {
        Recording v = run(model().version("acme/llama:" + FakeReplicateServer.VERSION).build(), request().build());
        Recording d = run(model().deployment("acme/dm-narrator").build(), request().build());

        assertThat(v.error).isNull();
        assertThat(d.error).isNull();
        assertThat(server.createPaths).containsExactly("predictions", "deployments/acme/dm-narrator/predictions");
        assertThat(server.createBodies.getFirst().path("version").asText())
                .isEqualTo(FakeReplicateServer.VERSION);
        assertThat(d.result.attributes()).containsEntry("deployment", "acme/dm-narrator");
    }

    @Test
    void without_a_stream_url_the_prediction_is_polled_through_its_lifecycle() {
        server.nextCreate(new NoStream());
        GenerationRequest r = request().build();

        Recording h = run(model().build(), r);

        assertThat(h.error).isNull();
        assertThat(h.result.text()).isEqualTo(expectedText(r));
        assertThat(h.result.attributes()).containsEntry("mode", "poll");
        assertThat(h.result.outputTokens()).isEqualTo(20);
        FakeReplicateServer.Prediction p = server.predictions.values().iterator().next();
        assertThat(p.statusesSeen).startsWith("processing").endsWith("succeeded").containsOnly("processing",
                "succeeded");
        assertThat(h.tokens.size()).isGreaterThan(1);
    }

    @Test
    void non_streaming_mode_creates_with_prefer_wait_and_needs_no_poll_when_it_finishes() {
        server.preferWaitCompletes = true;
        GenerationRequest r = request().build();

        Recording h = run(model().streaming(false).build(), r);

        assertThat(h.result.text()).isEqualTo(expectedText(r));
        assertThat(server.createHeaders.getFirst()).containsEntry("Prefer", "wait=10");
        assertThat(server.createBodies.getFirst().has("stream")).isFalse();
        assertThat(server.gets.get()).isZero();
    }

    @Test
    void a_stream_that_breaks_off_is_finished_by_polling_without_repeating_text() {
        server.nextStream(new Break(5));
        GenerationRequest r = request().maxTokens(30).build();

        Recording h = run(model().build(), r);

        assertThat(h.error).isNull();
        assertThat(h.result.text()).isEqualTo(expectedText(r));
        assertThat(String.join("", h.tokens)).isEqualTo(h.result.text());
        assertThat(h.result.attributes()).containsEntry("mode", "stream+poll");
        assertThat(server.createBodies).hasSize(1);
    }

    @Test
    void a_429_is_retried_after_its_retry_after_header() {
        server.nextCreate(new Status(429, "1", problem(429, "Request was throttled", "Request was throttled.")));
        long start = System.nanoTime();

        Recording h = run(model().build(), request().build());

        assertThat(h.error).isNull();
        assertThat(server.createBodies).hasSize(2);
        assertThat(server.predictions).hasSize(1);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(900));
    }

    @Test
    void a_429_without_header_is_retried_after_the_available_in_hint_of_its_body() {
        server.nextCreate(new Status(429, null, problem(429, "Request was throttled",
                "Request was throttled. Expected available in 1 second.")));
        long start = System.nanoTime();

        Recording h = run(model().build(), request().build());

        assertThat(h.error).isNull();
        assertThat(server.predictions).hasSize(1);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(900));
    }

    @Test
    void a_500_that_created_nothing_is_checked_then_retried_and_makes_one_prediction() {
        server.nextCreate(new Status(500, null, problem(500, "Internal Server Error", "boom")));

        Recording h = run(model().build(), request().build());

        assertThat(h.error).isNull();
        assertThat(server.lists.get()).isEqualTo(1);
        assertThat(server.createBodies).hasSize(2);
        assertThat(server.predictions).hasSize(1);
    }

    @Test
    void an_ambiguous_500_after_the_prediction_was_created_adopts_it_instead_of_creating_another() {
        server.nextCreate(new CreateThenFail());
        GenerationRequest r = request().build();

        Recording h = run(model().build(), r);

        assertThat(h.error).isNull();
        assertThat(h.result.text()).isEqualTo(expectedText(r));
        assertThat(server.createBodies).hasSize(1);
        assertThat(server.predictions).hasSize(1);
        assertThat(h.result.attributes()).containsEntry("prediction_id",
                server.predictions.keySet().iterator().next());
    }

    @Test
    void a_create_that_times_out_after_sending_is_resolved_by_lookup_without_a_duplicate() {
        server.nextCreate(new CreateThenStall());

        Recording h = run(model().requestTimeout(Duration.ofMillis(500)).build(), request().build());

        assertThat(h.error).isNull();
        assertThat(server.createBodies).hasSize(1);
        assertThat(server.predictions).hasSize(1);
        assertThat(server.lists.get()).isEqualTo(1);
    }

    @Test
    void an_earlier_prediction_with_the_same_input_is_not_adopted_twice() {
        GenerationRequest r = request().build();
        run(model().build(), r);
        ReplicateLanguageModel m = model().build();
        run(m, r);
        server.nextCreate(new CreateThenFail());

        Recording h = run(m, r);

        assertThat(h.error).isNull();
        assertThat(server.predictions).hasSize(3);
        assertThat(server.createBodies).hasSize(3);
    }

    @Test
    void a_stream_stalling_past_the_first_token_timeout_fails_retriably_emits_nothing_and_cancels() {
        server.nextStream(new Stall());
        long start = System.nanoTime();

        Recording h = run(model().firstTokenTimeout(Duration.ofMillis(400)).build(), request().build());

        assertThat(h.tokens).isEmpty();
        assertThat(h.result).isNull();
        assertThat(h.error).isInstanceOf(UnavailableException.class).hasMessageContaining("no token within");
        assertThat(((DmException) h.error).isRetriable()).isTrue();
        assertThat(server.cancels).containsExactlyElementsOf(server.predictions.keySet());
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(15));
    }

    @Test
    void a_cancel_from_another_thread_mid_stream_aborts_and_cancels_the_prediction() throws Exception {
        server.nextStream(new Slow(30));
        CancellationSignal signal = new CancellationSignal();
        CountDownLatch firstToken = new CountDownLatch(1);
        Recording h = new Recording() {
            @Override
            public void onToken(String token) {
                super.onToken(token);
                firstToken.countDown();
            }
        };
        Thread canceller = Thread.ofVirtual().start(() -> {
            try {
                if (firstToken.await(20, TimeUnit.SECONDS)) {
                    signal.cancel();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });

        model().build().generate(request().maxTokens(40).cancellation(signal).build(), h);
        canceller.join();

        assertThat(h.error).isInstanceOf(CancellationException.class);
        assertThat(h.result).isNull();
        assertThat(h.tokens).isNotEmpty().hasSizeLessThan(40);
        assertThat(server.cancels).containsExactlyElementsOf(server.predictions.keySet());
    }

    @Test
    void a_generation_past_the_total_timeout_fails_retriably_and_cancels_the_prediction() {
        server.nextStream(new Slow(200));

        Recording h = run(model().totalTimeout(Duration.ofMillis(1500)).build(), request().maxTokens(40).build());

        assertThat(h.error).isInstanceOf(UnavailableException.class).hasMessageContaining("total timeout");
        assertThat(h.tokens).hasSizeLessThan(40);
        assertThat(server.cancels).containsExactlyElementsOf(server.predictions.keySet());
    }

    @Test
    void a_429_asking_for_a_longer_wait_than_allowed_is_reported_as_rate_limited() {
        server.nextCreate(new Status(429, "300", problem(429, "Request was throttled", "Request was throttled.")));

        Recording h = run(model().maxRetryAfter(Duration.ofSeconds(10)).build(), request().build());

        assertThat(h.error).isInstanceOf(dev.dmengine.spi.RateLimitedException.class);
        assertThat(((dev.dmengine.spi.RateLimitedException) h.error).retryAfter()).isEqualTo(Duration.ofSeconds(300));
        assertThat(server.createBodies).hasSize(1);
    }

    @Test
    void an_embedding_of_the_wrong_dimension_names_the_setting_to_fix() {
        ReplicateEmbedder e = ReplicateEmbedder.builder().baseUrl(server.baseUrl()).apiToken(TOKEN)
                .model("nateraw/bge-large-en-v1.5").dimension(768).build();

        assertThatThrownBy(() -> e.embed("hello")).isInstanceOf(UnavailableException.class)
                .hasMessageContaining("1024").hasMessageContaining("768").hasMessageContaining("dimension");
    }

    @Test
    void a_cancel_in_the_handler_cancels_the_prediction_too() {
        CancellationSignal signal = new CancellationSignal();
        Recording h = new Recording() {
            @Override
            public void onToken(String token) {
                super.onToken(token);
                signal.cancel();
            }
        };

        model().build().generate(request().cancellation(signal).build(), h);

        assertThat(h.error).isInstanceOf(CancellationException.class);
        assertThat(h.tokens).hasSize(1);
        assertThat(server.cancels).hasSize(1);
    }

    @Test
    void a_malformed_done_event_fails_the_generation() {
        server.nextStream(new MalformedDone());

        Recording h = run(model().build(), request().build());

        assertThat(h.error).isInstanceOf(UnavailableException.class).hasMessageContaining("malformed");
        assertThat(h.result).isNull();
    }

    @Test
    void an_error_event_fails_the_generation_with_its_detail() {
        server.nextStream(new ErrorEvent("CUDA out of memory"));

        Recording h = run(model().build(), request().build());

        assertThat(h.error).isInstanceOf(UnavailableException.class).hasMessageContaining("CUDA out of memory");
        assertThat(server.cancels).as("a failed prediction needs no cancel").isEmpty();
    }

    @Test
    void a_done_with_reason_canceled_that_we_did_not_ask_for_is_a_retriable_failure() {
        server.nextStream(new RemoteCancel());

        Recording h = run(model().build(), request().build());

        assertThat(h.error).isInstanceOf(UnavailableException.class).hasMessageContaining("canceled");
    }

    @Test
    void a_rejected_token_is_permission_denied_and_never_echoed() {
        Recording h = run(model().apiToken("r8_WrongTokenWrongTokenWrongToken12345").build(), request().build());

        assertThat(h.error).isInstanceOf(PermissionDeniedException.class)
                .hasMessageNotContaining("r8_WrongTokenWrongTokenWrongToken12345");
        assertThat(server.predictions).isEmpty();
    }

    @Test
    void an_unknown_model_is_not_found() {
        server.nextCreate(new Status(404, null, problem(404, "Not found", "The requested resource could not be found.")));

        Recording h = run(model().build(), request().build());

        assertThat(h.error).isInstanceOf(NotFoundException.class);
    }

    @Test
    void the_circuit_opens_after_consecutive_failures_and_closes_after_the_cool_down() {
        MutableClock clock = new MutableClock();
        ReplicateLanguageModel m = model().maxRetries(0).circuitBreakerThreshold(2)
                .circuitBreakerCoolDown(Duration.ofSeconds(30)).clock(clock).build();
        server.nextCreate(new Status(503, null, "{}"), new Status(503, null, "{}"));

        assertThat(run(m, request().build()).error).isInstanceOf(UnavailableException.class);
        assertThat(run(m, request().build()).error).isInstanceOf(UnavailableException.class);
        Recording failedFast = run(m, request().build());

        assertThat(failedFast.error).isInstanceOf(UnavailableException.class).hasMessageContaining("circuit open");
        assertThat(server.createBodies).hasSize(2);

        clock.advance(Duration.ofSeconds(31));
        assertThat(run(m, request().build()).error).isNull();
    }

    @Test
    void settings_are_validated_and_the_token_is_redacted() {
        assertThatThrownBy(() -> ReplicateLanguageModel.builder().apiToken(TOKEN).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("model(owner/name)");
        assertThatThrownBy(() -> ReplicateLanguageModel.builder().model("meta/llama").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("REPLICATE_API_TOKEN");
        assertThatThrownBy(() -> ReplicateLanguageModel.builder().version("not-a-version"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("version");
        assertThat(model().build().toString()).doesNotContain(TOKEN);
        assertThat(model().toString()).doesNotContain(TOKEN);
    }

    @Test
    void a_conversation_becomes_a_transcript_and_formats_are_configurable() {
        ReplicatePromptFormat older = ReplicatePromptFormat.builder().systemPromptField(null)
                .maxTokensField("max_new_tokens").stopField("stop").stopAsCommaSeparated(false)
                .promptTemplate("<s>[INST] {prompt} [/INST]").extraInput("min_tokens", 0).build();
        GenerationRequest r = GenerationRequest.builder().message(ChatMessage.system("Be brief."))
                .message(ChatMessage.user("Hi")).message(ChatMessage.assistant("Hello, traveller."))
                .message(ChatMessage.user("Where am I?")).stop(List.of("User:")).build();

        JsonNode input = older.input(r);

        assertThat(input.path("prompt").asText())
                .isEqualTo("Be brief.\n\nUser: Hi\n\nAssistant: Hello, traveller.\n\nUser: Where am I?\n\nAssistant:");
        assertThat(input.has("system_prompt")).isFalse();
        assertThat(input.path("max_new_tokens").asInt()).isEqualTo(512);
        assertThat(input.path("stop").get(0).asText()).isEqualTo("User:");
        assertThat(input.path("prompt_template").asText()).isEqualTo("<s>[INST] {prompt} [/INST]");
        assertThat(input.path("min_tokens").asInt()).isZero();
    }

    @Test
    void embeddings_are_polled_when_prefer_wait_returns_early_and_keep_batch_order() {
        ReplicateEmbedder e = ReplicateEmbedder.builder().baseUrl(server.baseUrl()).apiToken(TOKEN)
                .model("nateraw/bge-large-en-v1.5").dimension(FakeReplicateServer.EMBED_DIMENSION).batchSize(2)
                .pollInterval(Duration.ofMillis(10)).build();

        List<float[]> vectors = e.embedAll(List.of("one", "two", "three"));

        assertThat(vectors).hasSize(3);
        assertThat(vectors.get(2)).containsExactly(FakeReplicateServer.hashEmbed("three"));
        assertThat(server.createBodies).hasSize(2);
        assertThat(server.createBodies.getFirst().path("input").path("texts").asText()).isEqualTo("[\"one\",\"two\"]");
        assertThat(server.createHeaders.getFirst()).containsEntry("Prefer", "wait=60");
    }
}
