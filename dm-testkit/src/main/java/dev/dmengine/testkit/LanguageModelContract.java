package dev.dmengine.testkit;

import dev.dmengine.spi.generation.CancellationSignal;
import dev.dmengine.spi.generation.ChatMessage;
import dev.dmengine.spi.generation.GenerationHandler;
import dev.dmengine.spi.generation.GenerationRequest;
import dev.dmengine.spi.generation.GenerationResult;
import dev.dmengine.spi.generation.LanguageModel;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * What every streaming {@link LanguageModel} must do. Extend it and return a model (a real
 * provider behind a local fake server in tests). The prompts ask for long replies so that a
 * generation streams several tokens.
 */
public abstract class LanguageModelContract {

    protected LanguageModel model;

    protected abstract LanguageModel newModel();

    /** Whether a {@link CancellationSignal} stops a running generation. */
    protected boolean supportsCancellation() {
        return true;
    }

    @BeforeEach
    void freshModel() {
        model = newModel();
    }

    /** A request for a long narration; subclasses may tune it for their fake server. */
    protected GenerationRequest.Builder request() {
        return GenerationRequest.builder()
                .message(ChatMessage.system("You are the Dungeon Master. Narrate vividly."))
                .message(ChatMessage.user("I push open the heavy door of the crypt and step inside. Describe what I see."))
                .maxTokens(128)
                .temperature(0.7);
    }

    /** Records every callback, its order and its thread. */
    protected static class Recording implements GenerationHandler {
        public final List<String> tokens = new CopyOnWriteArrayList<>();
        public final List<String> calls = new CopyOnWriteArrayList<>();
        public final List<Thread> threads = new CopyOnWriteArrayList<>();
        public volatile GenerationResult result;
        public volatile Throwable error;

        @Override
        public void onToken(String token) {
            threads.add(Thread.currentThread());
            calls.add("token");
            tokens.add(token);
        }

        @Override
        public void onComplete(GenerationResult r) {
            threads.add(Thread.currentThread());
            calls.add("complete");
            result = r;
        }

        @Override
        public void onError(Throwable e) {
            threads.add(Thread.currentThread());
            calls.add("error");
            error = e;
        }

        public long terminalCalls() {
            return calls.stream().filter(c -> !c.equals("token")).count();
        }
    }

    protected Recording generate(GenerationRequest request) {
        Recording h = new Recording();
        model.generate(request, h);
        return h;
    }

    @Test
    void model_id_is_named() {
        assertThat(model.modelId()).isNotBlank();
    }

    @Test
    void tokens_arrive_in_order_and_concatenate_to_the_result_text() {
        Recording h = generate(request().build());

        assertThat(h.error).isNull();
        assertThat(h.result).isNotNull();
        assertThat(h.tokens).isNotEmpty();
        assertThat(String.join("", h.tokens)).isEqualTo(h.result.text());
        assertThat(h.result.text()).isNotBlank();
        assertThat(h.result.finishReason()).isNotBlank();
    }

    @Test
    void exactly_one_terminal_callback_and_nothing_after_it() {
        Recording h = generate(request().build());

        assertThat(h.terminalCalls()).isEqualTo(1);
        assertThat(h.calls.getLast()).isIn("complete", "error");
    }

    @Test
    void callbacks_run_on_the_calling_thread_before_generate_returns() {
        Recording h = generate(request().build());

        assertThat(h.terminalCalls()).as("terminal callbacks when generate returned").isEqualTo(1);
        assertThat(h.threads).containsOnly(Thread.currentThread());
    }

    @Test
    void output_respects_max_tokens() {
        Recording h = generate(request().maxTokens(8).build());

        assertThat(h.error).isNull();
        assertThat(h.result.outputTokens()).isBetween(0, 8);
        assertThat(h.tokens.size()).isLessThanOrEqualTo(8 * 4); // chunks, not tokens: generous
    }

    @Test
    void cancelled_before_start_ends_with_a_cancellation_error() {
        assumeTrue(supportsCancellation(), "the adapter cannot cancel");
        CancellationSignal signal = new CancellationSignal();
        signal.cancel();

        Recording h = generate(request().cancellation(signal).build());

        assertThat(h.calls).containsExactly("error");
        assertThat(h.error).isInstanceOf(CancellationException.class);
        assertThat(h.result).isNull();
    }

    @Test
    void cancelled_while_streaming_ends_with_a_cancellation_error_and_no_result() {
        assumeTrue(supportsCancellation(), "the adapter cannot cancel");
        CancellationSignal signal = new CancellationSignal();
        Recording h = new Recording() {
            @Override
            public void onToken(String token) {
                super.onToken(token);
                signal.cancel();
            }
        };

        model.generate(request().maxTokens(256).cancellation(signal).build(), h);

        assertThat(h.calls).contains("token");
        assertThat(h.calls.getLast()).isEqualTo("error");
        assertThat(h.terminalCalls()).isEqualTo(1);
        assertThat(h.error).isInstanceOf(CancellationException.class);
        assertThat(h.result).isNull();
    }

    @Test
    void concurrent_generations_do_not_mix_their_streams() {
        List<Recording> results = Concurrently.run(4, t -> generate(request()
                .message(ChatMessage.user("Player " + t + " asks the oracle a question.")).build()));

        List<String> texts = new ArrayList<>();
        for (Recording h : results) {
            assertThat(h.error).isNull();
            assertThat(h.terminalCalls()).isEqualTo(1);
            assertThat(String.join("", h.tokens)).isEqualTo(h.result.text());
            texts.add(h.result.text());
        }
        assertThat(texts).allSatisfy(t -> assertThat(t).isNotBlank());
    }
}
