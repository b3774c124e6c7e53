package dev.dmengine.spi.generation;

/**
 * Receives a streamed generation. {@link #onToken} is called for each chunk in order, then
 * exactly one of {@link #onComplete} or {@link #onError}.
 */
public interface GenerationHandler {

    default void onToken(String token) {
    }

    void onComplete(GenerationResult result);

    void onError(Throwable error);
}
