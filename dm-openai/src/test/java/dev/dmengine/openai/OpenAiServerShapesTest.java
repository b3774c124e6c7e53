package dev.dmengine.openai;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dmengine.openai.ReplayServer.Dropped;
import dev.dmengine.spi.DmException;
import dev.dmengine.spi.InvalidInputException;
import dev.dmengine.spi.PermissionDeniedException;
import dev.dmengine.spi.UnavailableException;
import dev.dmengine.spi.generation.ChatMessage;
import dev.dmengine.spi.generation.GenerationHandler;
import dev.dmengine.spi.generation.GenerationRequest;
import dev.dmengine.spi.generation.GenerationResult;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static dev.dmengine.openai.ReplayServer.paced;
import static dev.dmengine.openai.ReplayServer.status;
import static dev.dmengine.openai.ReplayServer.stream;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The adapter against what real servers send: each test replays a recorded stream shape
 * (src/test/resources/replay, sources in its README) from a local HTTP server and checks what
 * the handler saw, the result or the failure, and how many requests went out.
 */
class OpenAiServerShapesTest {

    private static ReplayServer server;

    @BeforeAll
    static void start() throws IOException {
        server = new ReplayServer();
        server.next(stream("openai-usage-last.sse")); // a first exchange warms the JVM's HTTP client up
        run(model().build());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @BeforeEach
    void reset() {
        server.reset();
    }

    static OpenAiLanguageModel.Builder model() {
        return OpenAiLanguageModel.builder().baseUrl(server.baseUrl()).model("replayed-model")
                .initialBackoff(Duration.ofMillis(10)).maxBackoff(Duration.ofMillis(50))
                .firstTokenTimeout(Duration.ofSeconds(20)).totalTimeout(Duration.ofSeconds(60));
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

    static Recording run(OpenAiLanguageModel m) {
        Recording h = new Recording();
        m.generate(GenerationRequest.builder().message(ChatMessage.system("You are the DM."))
                .message(ChatMessage.user("I open the door.")).maxTokens(64).build(), h);
        return h;
    }

    @Nested
    class Thinking_models {

        @Test
        void ollama_reasoning_longer_than_the_first_token_timeout_keeps_the_call_alive_and_is_never_shown() {
            // 12 reasoning chunks 150 ms apart: the first comes at once, the answer 1.8 s in; the
            // first-token timeout is 1 s, which only content used to stop
            server.next(paced("ollama-qwen3-thinking.sse", 150));

            Recording h = run(model().firstTokenTimeout(Duration.ofSeconds(1)).build());

            assertThat(h.error).isNull();
            assertThat(h.tokens).containsExactly("The", " door", " groans", " open", " onto", " a", " cold", " crypt", ".");
            assertThat(h.result.text()).isEqualTo("The door groans open onto a cold crypt.").doesNotContain("Okay");
            assertThat(h.result.attributes()).containsEntry("reasoning_chars",
                    Integer.toString("Okay, the player opens the door. Describe the crypt.".length())).containsEntry("attempts", "1")
                    .doesNotContainKey("reasoning");
            assertThat(h.result.outputTokens()).isEqualTo(21);
            assertThat(server.requests).hasSize(1);
        }

        @Test
        void llamacpp_reasoning_content_next_to_null_content_is_kept_apart_and_on_request_recorded() {
            server.next(stream("llamacpp-reasoning-content.sse"));

            Recording h = run(model().keepReasoning(true).build());

            assertThat(h.error).isNull();
            assertThat(String.join("", h.tokens)).isEqualTo("The hinges shriek.");
            assertThat(h.result.attributes()).containsEntry("reasoning", "We need to narrate the door.")
                    .containsEntry("usage.prompt_tokens", "85").containsEntry("model", "gpt-oss-20b");
            assertThat(h.result.outputTokens()).isEqualTo(12);
        }

        @Test
        void vllm_reasoning_parser_output_with_a_usage_only_last_chunk() {
            server.next(stream("vllm-reasoning-parser.sse"));

            Recording h = run(model().build());

            assertThat(h.error).isNull();
            assertThat(h.result.text()).isEqualTo("Dust drifts down from the lintel.");
            assertThat(h.result.finishReason()).isEqualTo("stop");
            assertThat(h.result.outputTokens()).isEqualTo(31);
            assertThat(h.result.attributes()).containsEntry("reasoning_chars",
                    Integer.toString("The user acts; I should narrate.".length()));
        }

        @Test
        void a_token_limit_spent_on_reasoning_fails_with_a_reason_the_player_can_read() {
            server.next(stream("ollama-thinking-out-of-tokens.sse"));

            Recording h = run(model().build());

            assertThat(h.tokens).isEmpty();
            assertThat(h.error).isInstanceOf(UnavailableException.class)
                    .hasMessageContaining("token limit ran out while it was thinking");
            assertThat(server.requests).hasSize(1);
        }
    }

    @Nested
    class Framing {

        @Test
        void llama_cpp_python_crlf_lines_and_ping_comments_split_across_reads_are_read_like_lf() {
            server.next(new ReplayServer.Stream("llama-cpp-python-crlf-ping.sse", 3, 0));

            Recording h = run(model().build());

            assertThat(h.error).isNull();
            assertThat(h.tokens).containsExactly("Rain", " hammers", " the", " tower", "'s", " slates", ".");
        }

        @Test
        void data_without_a_space_after_the_colon_is_read() {
            server.next(stream("spring-data-without-space.sse"));

            Recording h = run(model().build());

            assertThat(h.error).isNull();
            assertThat(h.result.text()).isEqualTo("Torches gutter in the draft.");
        }

        @Test
        void a_stream_without_done_ends_at_its_finish_reason() {
            server.next(stream("llamacpp-no-done.sse"));

            Recording h = run(model().build());

            assertThat(h.error).isNull();
            assertThat(h.result.text()).isEqualTo("The hinges shriek.");
            assertThat(server.requests).hasSize(1);
        }

        @Test
        void openai_chunks_with_null_usage_obfuscation_and_a_usage_only_last_chunk() {
            server.next(stream("openai-usage-last.sse"));

            Recording h = run(model().build());

            assertThat(h.result.text()).isEqualTo("You push the door; it swings inward.");
            assertThat(h.result.outputTokens()).isEqualTo(9);
            assertThat(h.result.attributes()).containsEntry("usage.prompt_tokens", "64")
                    .containsEntry("usage.reasoning_tokens", "0").containsEntry("model", "gpt-4o-mini-2024-07-18")
                    .containsEntry("completion_id", "chatcmpl-BqXzVgS2u1aQ8cYtV4N3lJ0pT7rK9");
        }

        @Test
        void content_given_as_parts_is_joined_and_thinking_parts_are_not_shown() {
            server.next(stream("mistral-content-parts.sse"));

            Recording h = run(model().build());

            assertThat(h.error).isNull();
            assertThat(h.tokens).containsExactly("A stair", " spirals down", " into the dark.");
            assertThat(h.result.text()).doesNotContain("player");
        }
    }

    @Nested
    class Broken_streams {

        @Test
        void a_stream_cut_mid_event_before_any_token_is_dropped_and_retried() {
            server.next(stream("openai-cut-mid-event.sse"), stream("openai-usage-last.sse"));

            Recording h = run(model().build());

            assertThat(h.error).isNull();
            assertThat(h.result.text()).isEqualTo("You push the door; it swings inward.");
            assertThat(h.result.attributes()).containsEntry("attempts", "2");
            assertThat(server.requests).hasSize(2);
        }

        @Test
        void a_connection_dropped_mid_event_before_any_token_is_retried() {
            server.next(new Dropped("openai-cut-mid-event.sse"), stream("openai-usage-last.sse"));

            Recording h = run(model().build());

            assertThat(h.error).isNull();
            assertThat(h.tokens).hasSize(9);
            assertThat(server.requests).hasSize(2);
        }

        @Test
        void a_stream_cut_after_tokens_were_shown_fails_without_a_retry() {
            server.next(stream("openai-cut-after-tokens.sse"), stream("openai-usage-last.sse"));

            Recording h = run(model().build());

            assertThat(h.tokens).containsExactly("You", " push");
            assertThat(h.result).isNull();
            assertThat(h.error).isInstanceOf(UnavailableException.class)
                    .hasMessageContaining("cut the stream in the middle of an event").hasMessageContaining("after 2 chunks");
            assertThat(server.requests).hasSize(1);
        }

        @Test
        void two_json_values_on_one_data_line_fail_instead_of_being_truncated() {
            server.next(stream("two-values-one-data-line.sse"));

            Recording h = run(model().build());

            assertThat(h.tokens).isEmpty();
            assertThat(h.error).isInstanceOf(UnavailableException.class).hasMessageContaining("malformed stream event");
            assertThat(server.requests).hasSize(1);
        }

        @Test
        void two_json_values_on_two_data_lines_of_one_event_fail_too() {
            server.next(stream("two-values-two-data-lines.sse"));

            Recording h = run(model().build());

            assertThat(h.tokens).isEmpty();
            assertThat(h.error).isInstanceOf(UnavailableException.class).hasMessageContaining("malformed stream event");
        }

        @Test
        void a_server_error_reported_mid_stream_before_any_token_is_retried() {
            server.next(stream("openai-midstream-server-error.sse"), stream("openai-usage-last.sse"));

            Recording h = run(model().build());

            assertThat(h.error).isNull();
            assertThat(h.result.attributes()).containsEntry("attempts", "2");
            assertThat(server.requests).hasSize(2);
        }

        @Test
        void a_server_error_mid_stream_on_every_attempt_ends_retriable_with_its_message() {
            server.next(stream("openai-midstream-server-error.sse"), stream("openai-midstream-server-error.sse"));

            Recording h = run(model().maxRetries(1).build());

            assertThat(h.error).isInstanceOf(UnavailableException.class)
                    .hasMessageContaining("The server had an error while processing your request");
            assertThat(((DmException) h.error).isRetriable()).isTrue();
            assertThat(server.requests).hasSize(2);
        }

        @Test
        void a_client_error_reported_mid_stream_is_mapped_by_its_code_and_not_retried() {
            server.next(stream("vllm-midstream-client-error.sse"), stream("openai-usage-last.sse"));

            Recording h = run(model().build());

            assertThat(h.error).isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining("maximum context length is 4096 tokens");
            assertThat(server.requests).hasSize(1);
        }

        @Test
        void a_legacy_llamacpp_error_line_leaves_the_stream_unfinished_and_it_is_retried() {
            server.next(stream("llamacpp-legacy-error-line.sse"), stream("llamacpp-no-done.sse"));

            Recording h = run(model().build());

            assertThat(h.error).isNull();
            assertThat(h.result.text()).isEqualTo("The hinges shriek.");
            assertThat(server.requests).hasSize(2);
        }
    }

    @Nested
    class Refusals {

        @Test
        void a_refusal_fails_the_generation_with_its_text_and_is_not_retried() {
            server.next(stream("openai-refusal.sse"), stream("openai-usage-last.sse"));

            Recording h = run(model().build());

            assertThat(h.tokens).isEmpty();
            assertThat(h.error).isInstanceOf(PermissionDeniedException.class)
                    .hasMessage("the model refused: I'm sorry, but I can't help with that.");
            assertThat(((DmException) h.error).isRetriable()).isFalse();
            assertThat(server.requests).hasSize(1);
        }
    }

    @Nested
    class Retry_signals {

        @Test
        void retry_after_ms_is_waited_out_before_the_retry() {
            server.next(status(429, "{\"error\":{\"message\":\"Rate limit reached\",\"type\":\"requests\"}}",
                    "retry-after-ms", "400", "Retry-After", "1"), stream("openai-usage-last.sse"));
            long start = System.nanoTime();

            Recording h = run(model().build());

            assertThat(h.error).isNull();
            assertThat(server.requests).hasSize(2);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(400));
        }

        @Test
        void retry_after_as_an_http_date_is_waited_out() {
            String inTwoSeconds = DateTimeFormatter.RFC_1123_DATE_TIME.format(
                    ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(2));
            server.next(status(503, "{\"error\":{\"message\":\"overloaded\"}}", "Retry-After", inTwoSeconds),
                    stream("openai-usage-last.sse"));
            long start = System.nanoTime();

            Recording h = run(model().build());

            assertThat(h.error).isNull();
            assertThat(server.requests).hasSize(2);
            // the date has whole seconds: the wait is more than one second and at most two
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThan(Duration.ofMillis(900));
        }

        @Test
        void a_409_is_retried() {
            server.next(status(409, "{\"error\":{\"message\":\"lock timeout\"}}"), stream("openai-usage-last.sse"));

            Recording h = run(model().build());

            assertThat(h.error).isNull();
            assertThat(server.requests).hasSize(2);
        }

        @Test
        void x_should_retry_false_is_obeyed_on_a_500() {
            server.next(status(500, "{\"error\":{\"message\":\"do not retry\"}}", "x-should-retry", "false"),
                    stream("openai-usage-last.sse"));

            Recording h = run(model().build());

            assertThat(h.error).isInstanceOf(UnavailableException.class).hasMessageContaining("do not retry");
            assertThat(server.requests).hasSize(1);
        }

        @Test
        void x_should_retry_true_is_obeyed_on_a_400() {
            server.next(status(400, "{\"error\":{\"message\":\"transient\"}}", "x-should-retry", "true"),
                    stream("openai-usage-last.sse"));

            Recording h = run(model().build());

            assertThat(h.error).isNull();
            assertThat(server.requests).hasSize(2);
        }
    }

    @Nested
    class Token_limit_field {

        @Test
        void a_model_that_refuses_max_tokens_is_sent_max_completion_tokens_at_once_and_from_then_on() {
            server.next(status(400, "openai-o-series-max-tokens-400.json"), stream("openai-usage-last.sse"),
                    stream("openai-usage-last.sse"));
            OpenAiLanguageModel m = model().maxRetries(0).build();

            Recording first = run(m);
            Recording second = run(m);

            assertThat(first.error).isNull();
            assertThat(second.error).isNull();
            assertThat(server.requests).extracting(r -> r.has("max_tokens") ? "max_tokens" : "max_completion_tokens")
                    .containsExactly("max_tokens", "max_completion_tokens", "max_completion_tokens");
            assertThat(server.requests.get(1).path("max_completion_tokens").asInt()).isEqualTo(64);
            assertThat(second.result.attributes()).containsEntry("param.max_completion_tokens", "64");
            assertThat(m.maxTokensField()).isEqualTo("max_completion_tokens");
        }

        @Test
        void without_adaptation_the_400_is_reported_naming_the_parameter() {
            server.next(status(400, "openai-o-series-max-tokens-400.json"));

            Recording h = run(model().adaptMaxTokensField(false).build());

            assertThat(h.error).isInstanceOf(InvalidInputException.class).hasMessageContaining("max_completion_tokens");
            assertThat(server.requests).hasSize(1);
        }

        @Test
        void max_completion_tokens_can_be_chosen_up_front() {
            server.next(stream("openai-usage-last.sse"));

            Recording h = run(model().maxTokensField("max_completion_tokens").build());

            JsonNode sent = server.requests.getFirst();
            assertThat(h.error).isNull();
            assertThat(sent.has("max_tokens")).isFalse();
            assertThat(sent.path("max_completion_tokens").asInt()).isEqualTo(64);
        }
    }
}
