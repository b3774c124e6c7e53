package dev.dmengine.core.turn;

import dev.dmengine.spi.UnavailableException;
import dev.dmengine.spi.generation.GenerationHandler;
import dev.dmengine.spi.generation.GenerationRequest;
import dev.dmengine.spi.generation.GenerationResult;
import dev.dmengine.spi.generation.LanguageModel;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;

/** Language models with scripted behaviour for the turn engine's tests. */
final class TestModels {

    private TestModels() {
    }

    /** Streams the reply in two chunks and records every request. */
    static final class Recording implements LanguageModel {
        final List<GenerationRequest> requests = new CopyOnWriteArrayList<>();
        final AtomicInteger calls = new AtomicInteger();
        private final BiConsumer<Integer, GenerationHandler> behaviour;

        Recording(BiConsumer<Integer, GenerationHandler> behaviour) {
            this.behaviour = behaviour;
        }

        static Recording replying(String text) {
            return new Recording((call, h) -> stream(h, text));
        }

        @Override
        public String modelId() {
            return "test-model";
        }

        @Override
        public void generate(GenerationRequest request, GenerationHandler handler) {
            requests.add(request);
            behaviour.accept(calls.incrementAndGet(), handler);
        }
    }

    static void stream(GenerationHandler h, String text) {
        int half = text.length() / 2;
        h.onToken(text.substring(0, half));
        h.onToken(text.substring(half));
        h.onComplete(new GenerationResult(text, "stop", 2, Map.of("prediction", "p-1")));
    }

    static UnavailableException down() {
        return new UnavailableException("the model server is down");
    }
}
