package dev.dmengine.openai;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dmengine.openai.FakeOpenAiServer.Malformed;
import dev.dmengine.openai.FakeOpenAiServer.Slow;
import dev.dmengine.openai.FakeOpenAiServer.Stall;
import dev.dmengine.openai.FakeOpenAiServer.StallAfter;
import dev.dmengine.openai.FakeOpenAiServer.Status;
import dev.dmengine.spi.DmException;
import dev.dmengine.spi.NotFoundException;
import dev.dmengine.spi.PermissionDeniedException;
import dev.dmengine.spi.RateLimitedException;
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

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Retries, timeouts, cancellation, error mapping and the circuit breaker, over real HTTP. */
class OpenAiResilienceTest {

    private static final String KEY = "sk-test-very-secret-key-987654321";
    private static FakeOpenAiServer server;

    @BeforeAll
    static void start() throws IOException {
        server = new FakeOpenAiServer();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @BeforeEach
    void reset() {
        server.reset();
    }

    private static OpenAiLanguageModel.Builder model() {
        return OpenAiLanguageModel.builder().baseUrl(server.baseUrl()).apiKey(KEY).model("fake-model")
                .initialBackoff(Duration.ofMillis(10)).maxBackoff(Duration.ofMillis(50))
                .firstTokenTimeout(Duration.ofSeconds(20)).totalTimeout(Duration.ofSeconds(60));
    }

    private static GenerationRequest.Builder request() {
        return GenerationRequest.builder().message(ChatMessage.system("You are the DM."))
                .message(ChatMessage.user("I open the door.")).maxTokens(12);
    }

    static final class Recording implements GenerationHandler {
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

    private static Recording run(OpenAiLanguageModel m, GenerationRequest r) {
        Recording h = new Recording();
        m.generate(r, h);
        return h;
    }

    @Test
    void sends_a_streaming_chat_completion_request_with_the_prompt_and_parameters() {
        Recording h = run(model().build(), request().stop(List.of("\n\n")).temperature(0.5).topP(0.9).build());

        assertThat(h.error).isNull();
        JsonNode sent = server.chatRequests.getFirst();
        assertThat(sent.path("model").asText()).isEqualTo("fake-model");
        assertThat(sent.path("stream").asBoolean()).isTrue();
        assertThat(sent.path("max_tokens").asInt()).isEqualTo(12);
        assertThat(sent.path("temperature").asDouble()).isEqualTo(0.5);
        assertThat(sent.path("top_p").asDouble()).isEqualTo(0.9);
        assertThat(sent.path("stop").get(0).asText()).isEqualTo("\n\n");
        assertThat(sent.path("messages").get(0).path("role").asText()).isEqualTo("system");
        assertThat(sent.path("messages").get(1).path("role").asText()).isEqualTo("user");
        assertThat(sent.path("messages").get(1).path("content").asText()).isEqualTo("I open the door.");
        assertThat(server.authorizations.getFirst()).isEqualTo("Bearer " + KEY);
    }

    @Test
    void the_result_records_completion_id_model_parameters_and_usage() {
        Recording h = run(model().build(), request().build());

        assertThat(h.result.finishReason()).isEqualTo("length");
        assertThat(h.result.outputTokens()).isEqualTo(12);
        assertThat(h.result.attributes()).containsEntry("model", "fake-model")
                .containsEntry("param.max_tokens", "12").containsEntry("usage.prompt_tokens", "42")
                .containsKey("completion_id");
    }

    @Test
    void a_429_is_retried_after_its_retry_after() {
        server.nextChat(new Status(429, "1", "{\"error\":{\"message\":\"Rate limit reached\"}}"));
        long start = System.nanoTime();

        Recording h = run(model().build(), request().build());

        assertThat(h.error).isNull();
        assertThat(h.result.text()).isNotBlank();
        assertThat(server.chatRequests).hasSize(2);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(900));
    }

    @Test
    void a_429_asking_for_a_longer_wait_than_allowed_is_reported_as_rate_limited() {
        server.nextChat(new Status(429, "120", "{\"error\":{\"message\":\"slow down\"}}"));

        Recording h = run(model().maxRetryAfter(Duration.ofSeconds(5)).build(), request().build());

        assertThat(h.error).isInstanceOf(RateLimitedException.class);
        assertThat(((RateLimitedException) h.error).retryAfter()).isEqualTo(Duration.ofSeconds(120));
        assertThat(server.chatRequests).hasSize(1);
    }

    @Test
    void a_500_then_success_is_retried_and_only_the_success_is_streamed() {
        server.nextChat(new Status(500, null, "{\"error\":{\"message\":\"boom\"}}"));

        Recording h = run(model().build(), request().build());

        assertThat(h.error).isNull();
        assertThat(String.join("", h.tokens)).isEqualTo(h.result.text());
        assertThat(h.result.attributes()).containsEntry("attempts", "2");
        assertThat(server.chatRequests).hasSize(2);
    }

    @Test
    void persistent_5xx_ends_with_a_retriable_unavailable_error_after_the_retries() {
        server.nextChat(new Status(503, null, "down"), new Status(503, null, "down"), new Status(503, null, "down"));

        Recording h = run(model().maxRetries(2).build(), request().build());

        assertThat(h.error).isInstanceOf(UnavailableException.class);
        assertThat(((DmException) h.error).isRetriable()).isTrue();
        assertThat(server.chatRequests).hasSize(3);
    }

    @Test
    void a_stream_stalling_past_the_first_token_timeout_is_tried_again_and_its_reply_streams_once() {
        server.nextChat(new Stall());

        Recording h = run(model().firstTokenTimeout(Duration.ofMillis(300)).build(), request().build());

        assertThat(h.error).isNull();
        assertThat(h.result).isNotNull();
        assertThat(String.join("", h.tokens)).isEqualTo(h.result.text());
        assertThat(server.chatRequests).as("the stalled attempt and the one that answered").hasSize(2);
    }

    @Test
    void a_stream_stalling_on_every_attempt_is_a_retriable_error_with_nothing_emitted() {
        for (int i = 0; i < 10; i++) {
            server.nextChat(new Stall());
        }
        long start = System.nanoTime();

        Recording h = run(model().firstTokenTimeout(Duration.ofMillis(300)).build(), request().build());

        assertThat(h.tokens).isEmpty();
        assertThat(h.result).isNull();
        assertThat(h.error).isInstanceOf(UnavailableException.class).hasMessageContaining("no token within");
        assertThat(((DmException) h.error).isRetriable()).isTrue();
        assertThat(server.chatRequests).as("one attempt and the retry policy's three retries, no more").hasSize(4);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
    }

    @Test
    void a_stream_that_goes_quiet_after_three_tokens_ends_at_the_idle_timeout_not_retried() {
        server.nextChat(new StallAfter(3), new StallAfter(3));
        long start = System.nanoTime();

        Recording h = run(model().idleTimeout(Duration.ofSeconds(2)).totalTimeout(Duration.ofMinutes(2)).build(),
                request().build());

        assertThat(h.tokens).hasSize(3); // the player saw them: another attempt would repeat them
        assertThat(h.result).isNull();
        assertThat(h.error).isInstanceOf(UnavailableException.class)
                .hasMessage("model server went quiet for 2000 ms in the middle of its reply (after 3 chunks of text)");
        assertThat(((DmException) h.error).isRetriable()).as("the player may play the turn again").isTrue();
        assertThat(server.chatRequests).as("but the adapter made no second attempt").hasSize(1);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("well before the total timeout")
                .isLessThan(Duration.ofSeconds(60));
    }

    @Test
    void a_slow_stream_whose_chunks_come_within_the_idle_timeout_completes() {
        server.nextChat(new Slow(200)); // 16 chunks, 3.2 s in all: longer than the idle timeout, each gap a tenth of it

        Recording h = run(model().idleTimeout(Duration.ofSeconds(2)).build(), request().maxTokens(16).build());

        assertThat(h.error).isNull();
        assertThat(h.tokens).hasSize(16);
        assertThat(String.join("", h.tokens)).isEqualTo(h.result.text());
    }

    @Test
    void a_cancel_from_another_thread_mid_stream_aborts_the_stream() throws Exception {
        server.nextChat(new Slow(40));
        CancellationSignal signal = new CancellationSignal();
        CountDownLatch firstToken = new CountDownLatch(1);
        Recording h = new Recording();
        GenerationHandler handler = new GenerationHandler() {
            @Override
            public void onToken(String token) {
                h.onToken(token);
                firstToken.countDown();
            }

            @Override
            public void onComplete(GenerationResult result) {
                h.onComplete(result);
            }

            @Override
            public void onError(Throwable error) {
                h.onError(error);
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

        model().build().generate(request().maxTokens(40).cancellation(signal).build(), handler);
        canceller.join();

        assertThat(h.error).isInstanceOf(CancellationException.class);
        assertThat(h.result).isNull();
        assertThat(h.tokens).isNotEmpty().hasSizeLessThan(40);
    }

    @Test
    void a_generation_past_the_total_timeout_fails_retriably_after_its_first_tokens() {
        server.nextChat(new Slow(200));

        Recording h = run(model().totalTimeout(Duration.ofMillis(1500)).build(), request().maxTokens(40).build());

        assertThat(h.error).isInstanceOf(UnavailableException.class).hasMessageContaining("total timeout");
        assertThat(h.tokens).hasSizeLessThan(40);
        assertThat(server.chatRequests).hasSize(1);
    }

    @Test
    void a_malformed_event_fails_the_generation_with_an_unavailable_error() {
        server.nextChat(new Malformed());

        Recording h = run(model().build(), request().build());

        assertThat(h.tokens).isEmpty();
        assertThat(h.error).isInstanceOf(UnavailableException.class).hasMessageContaining("malformed");
    }

    @Test
    void a_server_that_ignores_stream_true_is_read_as_one_completion() {
        server.nextChat(new FakeOpenAiServer.NotStreaming());

        Recording h = run(model().build(), request().build());

        assertThat(h.error).isNull();
        assertThat(h.tokens).containsExactly("The door creaks.");
        assertThat(h.result.text()).isEqualTo("The door creaks.");
        assertThat(h.result.outputTokens()).isEqualTo(4);
        assertThat(h.result.attributes()).containsEntry("completion_id", "chatcmpl-whole");
    }

    @Test
    void a_rejected_key_is_permission_denied_without_retry_and_the_key_never_appears() {
        server.nextChat(new Status(401, null, "{\"error\":{\"message\":\"Incorrect API key provided: " + KEY + "\"}}"));

        Recording h = run(model().build(), request().build());

        assertThat(h.error).isInstanceOf(PermissionDeniedException.class);
        assertThat(h.error.getMessage()).doesNotContain(KEY).doesNotContain(KEY.substring(0, 12));
        assertThat(server.chatRequests).hasSize(1);
    }

    @Test
    void an_unknown_model_is_not_found() {
        server.nextChat(new Status(404, null, "{\"error\":{\"message\":\"model 'x' not found\"}}"));

        Recording h = run(model().build(), request().build());

        assertThat(h.error).isInstanceOf(NotFoundException.class);
        assertThat(server.chatRequests).hasSize(1);
    }

    @Test
    void to_string_redacts_the_key() {
        assertThat(model().build().toString()).doesNotContain(KEY).contains("[redacted]");
        assertThat(model().toString()).doesNotContain(KEY);
    }

    @Test
    void the_circuit_opens_after_consecutive_failures_and_closes_after_the_cool_down() {
        MutableClock clock = new MutableClock();
        OpenAiLanguageModel m = model().maxRetries(0).circuitBreakerThreshold(2)
                .circuitBreakerCoolDown(Duration.ofSeconds(30)).clock(clock).build();
        server.nextChat(new Status(500, null, "a"), new Status(500, null, "b"));

        assertThat(run(m, request().build()).error).isInstanceOf(UnavailableException.class);
        assertThat(run(m, request().build()).error).isInstanceOf(UnavailableException.class);
        Recording failedFast = run(m, request().build());

        assertThat(failedFast.error).isInstanceOf(UnavailableException.class).hasMessageContaining("circuit open");
        assertThat(server.chatRequests).hasSize(2);

        clock.advance(Duration.ofSeconds(31));
        Recording recovered = run(m, request().build());

        assertThat(recovered.error).isNull();
        assertThat(server.chatRequests).hasSize(3);
    }

    @Test
    void a_missing_model_setting_is_named() {
        assertThatThrownBy(() -> OpenAiLanguageModel.builder().baseUrl(server.baseUrl()).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("model");
        assertThatThrownBy(() -> OpenAiLanguageModel.builder().baseUrl("ftp://x").model("m").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("baseUrl");
    }

    @Test
    void embeddings_are_batched_and_a_503_is_retried() {
        OpenAiEmbedder e = OpenAiEmbedder.builder().baseUrl(server.baseUrl()).model("fake-embed")
                .dimension(FakeOpenAiServer.DIMENSION).batchSize(2).initialBackoff(Duration.ofMillis(10)).build();
        server.nextEmbedding(new Status(503, null, "warming up"));

        List<float[]> vectors = e.embedAll(List.of("a b", "c d", "e f", "g h", "i j"));

        assertThat(vectors).hasSize(5);
        assertThat(vectors.get(4)).containsExactly(FakeOpenAiServer.hashEmbed("i j"));
        assertThat(server.embedRequests.get()).isEqualTo(4); // 3 batches + 1 retry
    }

    @Test
    void an_embedding_of_the_wrong_dimension_is_reported_with_the_setting_to_fix() {
        OpenAiEmbedder e = OpenAiEmbedder.builder().baseUrl(server.baseUrl()).model("fake-embed").dimension(1536)
                .build();

        assertThatThrownBy(() -> e.embed("hello")).isInstanceOf(UnavailableException.class)
                .hasMessageContaining("1536").hasMessageContaining("dimension");
    }
}
