package dev.dmengine.remote;

import dev.dmengine.spi.DmException;
import dev.dmengine.spi.UnavailableException;
import dev.dmengine.spi.generation.GenerationHandler;
import dev.dmengine.spi.generation.GenerationRequest;
import dev.dmengine.spi.generation.GenerationResult;
import dev.dmengine.spi.generation.LanguageModel;

import java.util.concurrent.CancellationException;

/**
 * The {@link LanguageModel} contract kept once for every remote adapter: {@link #generate} is a
 * template around the provider's {@link #doGenerate}, which streams tokens to the handler and
 * returns the result or throws. The template refuses an already-cancelled request, and turns the
 * outcome into exactly one terminal callback: {@code onComplete}, or {@code onError} with the
 * {@link DmException} or {@link CancellationException} thrown, any other exception reported as
 * an {@link UnavailableException}.
 */
public abstract class RemoteLanguageModel implements LanguageModel {

    @Override
    public final void generate(GenerationRequest request, GenerationHandler handler) {
        GenerationResult result;
        try {
            if (request.cancellation().isCancelled()) {
                throw new CancellationException("generation cancelled before it started");
            }
            result = doGenerate(request, handler);
        } catch (CancellationException | DmException e) {
            handler.onError(e);
            return;
        } catch (RuntimeException e) {
            handler.onError(new UnavailableException("the language model failed unexpectedly", e));
            return;
        }
        handler.onComplete(result);
    }

    /**
     * Generates, calling {@code handler.onToken} for each piece of visible text in order, and
     * returns the result; never calls {@code onComplete} or {@code onError} itself.
     */
    protected abstract GenerationResult doGenerate(GenerationRequest request, GenerationHandler handler);
}
