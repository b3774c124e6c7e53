package dev.dmengine.examples.jersey;

import dev.dmengine.core.narrator.OfflineNarrator;
import dev.dmengine.spi.UnavailableException;
import dev.dmengine.spi.generation.GenerationHandler;
import dev.dmengine.spi.generation.GenerationRequest;
import dev.dmengine.spi.generation.GenerationResult;
import dev.dmengine.spi.generation.LanguageModel;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The offline narrator, which a test can tell to pause after the first token of the next
 * generation: the turn is then provably still running while the test looks at the stream.
 */
final class HoldingNarrator implements LanguageModel {

    private final LanguageModel narrator = new OfflineNarrator();
    private volatile CountDownLatch hold;

    /** The next generation waits after its first token until the returned latch is counted down. */
    CountDownLatch holdAfterFirstToken() {
        CountDownLatch gate = new CountDownLatch(1);
        hold = gate;
        return gate;
    }

    @Override
    public String modelId() {
        return narrator.modelId();
    }

    @Override
    public void generate(GenerationRequest request, GenerationHandler handler) {
        CountDownLatch gate = hold;
        hold = null;
        narrator.generate(request, new GenerationHandler() {
            private boolean first = true;

            @Override
            public void onToken(String token) {
                handler.onToken(token);
                if (first && gate != null) {
                    first = false;
                    await(gate);
                }
            }

            @Override
            public void onComplete(GenerationResult result) {
                handler.onComplete(result);
            }

            @Override
            public void onError(Throwable error) {
                handler.onError(error);
            }
        });
    }

    /** Bounded, so that a broken stream fails the test instead of hanging the build. */
    private static void await(CountDownLatch gate) {
        try {
            if (!gate.await(2, TimeUnit.MINUTES)) {
                throw new UnavailableException("the test never released the held generation");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UnavailableException("interrupted while held", e);
        }
    }
}
