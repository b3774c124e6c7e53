package dev.dmengine.spi.generation;

/**
 * A streaming text generator.
 *
 * <p>{@link #generate} blocks the calling thread (a virtual thread is fine) until the
 * generation ends, calling the handler on that thread: tokens in order, then exactly one of
 * {@code onComplete} or {@code onError}. Failures reach the handler as
 * {@link dev.dmengine.spi.DmException}s (retriable ones for outages and timeouts); a
 * cancelled request ends with {@code onError} of an {@link java.util.concurrent.CancellationException}.
 */
public interface LanguageModel {

    /** A short identifier of the model for records and logs, e.g. {@code "meta/llama-3-8b"}. */
    String modelId();

    void generate(GenerationRequest request, GenerationHandler handler);
}
