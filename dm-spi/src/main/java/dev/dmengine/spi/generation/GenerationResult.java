package dev.dmengine.spi.generation;

import java.util.Map;
import java.util.Objects;

/**
 * A finished generation.
 *
 * @param text          the whole reply (the concatenation of every streamed token)
 * @param finishReason  {@code "stop"}, {@code "length"}, {@code "cancelled"}…
 * @param attributes    provider facts to record with the DM message (model, version,
 *                      prediction id, parameters)
 */
public record GenerationResult(String text, String finishReason, int outputTokens, Map<String, String> attributes) {

    public GenerationResult {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(finishReason, "finishReason");
        attributes = Map.copyOf(Objects.requireNonNull(attributes, "attributes"));
    }
}
