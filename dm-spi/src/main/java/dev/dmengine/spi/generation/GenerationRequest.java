package dev.dmengine.spi.generation;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A prompt and its sampling parameters. Build with {@link #builder()}.
 *
 * @param attributes request facts an adapter may pass through (e.g. a turn id for logs)
 */
public record GenerationRequest(List<ChatMessage> messages, int maxTokens, double temperature, double topP,
                                List<String> stop, CancellationSignal cancellation, Map<String, String> attributes) {

    public GenerationRequest {
        messages = List.copyOf(Objects.requireNonNull(messages, "messages"));
        stop = List.copyOf(Objects.requireNonNull(stop, "stop"));
        Objects.requireNonNull(cancellation, "cancellation");
        attributes = Map.copyOf(Objects.requireNonNull(attributes, "attributes"));
        if (messages.isEmpty()) {
            throw new IllegalArgumentException("a generation needs at least one message");
        }
        if (maxTokens < 1) {
            throw new IllegalArgumentException("maxTokens must be at least 1, was " + maxTokens);
        }
        if (temperature < 0 || temperature > 2) {
            throw new IllegalArgumentException("temperature must be 0 to 2, was " + temperature);
        }
        if (topP <= 0 || topP > 1) {
            throw new IllegalArgumentException("topP must be in (0, 1], was " + topP);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder().messages(messages).maxTokens(maxTokens).temperature(temperature).topP(topP)
                .stop(stop).cancellation(cancellation);
        b.attributes.putAll(attributes);
        return b;
    }

    public static final class Builder {
        private final List<ChatMessage> messages = new ArrayList<>();
        private final Map<String, String> attributes = new LinkedHashMap<>();
        private int maxTokens = 512;
        private double temperature = 0.8;
        private double topP = 0.95;
        private List<String> stop = List.of();
        private CancellationSignal cancellation = new CancellationSignal();

        public Builder messages(List<ChatMessage> value) {
            messages.clear();
            messages.addAll(value);
            return this;
        }

        public Builder message(ChatMessage value) {
            messages.add(value);
            return this;
        }

        public Builder maxTokens(int value) {
            maxTokens = value;
            return this;
        }

        public Builder temperature(double value) {
            temperature = value;
            return this;
        }

        public Builder topP(double value) {
            topP = value;
            return this;
        }

        public Builder stop(List<String> value) {
            stop = value;
            return this;
        }

        public Builder cancellation(CancellationSignal value) {
            cancellation = value;
            return this;
        }

        public Builder attribute(String key, String value) {
            attributes.put(key, value);
            return this;
        }

        public GenerationRequest build() {
            return new GenerationRequest(messages, maxTokens, temperature, topP, stop, cancellation, attributes);
        }
    }
}
