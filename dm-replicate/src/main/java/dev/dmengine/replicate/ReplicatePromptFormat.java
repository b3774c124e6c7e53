package dev.dmengine.replicate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dmengine.spi.generation.ChatMessage;
import dev.dmengine.spi.generation.GenerationRequest;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How a {@link GenerationRequest} becomes the {@code input} of a Replicate language model. Models
 * differ: Meta's Llama 3 takes {@code prompt}, {@code system_prompt}, {@code max_tokens},
 * {@code stop_sequences} (a comma-separated string) and an optional {@code prompt_template}; older
 * ones take {@code max_new_tokens}; some know no system prompt. Every input name is configurable,
 * and a {@code null} name leaves that parameter out.
 *
 * <p>The system messages are joined into the system prompt (or put at the head of the prompt when
 * the model has none). A prompt of one user message is that message; a longer conversation is a
 * transcript with {@code userLabel}/{@code assistantLabel} prefixes, ending with the assistant's
 * label so that the model continues as the assistant.
 */
public final class ReplicatePromptFormat {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String promptField;
    private final String systemPromptField;
    private final String maxTokensField;
    private final String temperatureField;
    private final String topPField;
    private final String stopField;
    private final boolean stopAsCommaSeparated;
    private final String promptTemplate;
    private final String userLabel;
    private final String assistantLabel;
    private final Map<String, Object> extraInput;

    private ReplicatePromptFormat(Builder b) {
        this.promptField = Objects.requireNonNull(b.promptField, "promptField");
        this.systemPromptField = b.systemPromptField;
        this.maxTokensField = b.maxTokensField;
        this.temperatureField = b.temperatureField;
        this.topPField = b.topPField;
        this.stopField = b.stopField;
        this.stopAsCommaSeparated = b.stopAsCommaSeparated;
        this.promptTemplate = b.promptTemplate;
        this.userLabel = Objects.requireNonNull(b.userLabel, "userLabel");
        this.assistantLabel = Objects.requireNonNull(b.assistantLabel, "assistantLabel");
        this.extraInput = Map.copyOf(b.extraInput);
    }

    /** The Llama 3 instruct layout on Replicate: prompt, system_prompt, max_tokens, stop_sequences. */
    public static ReplicatePromptFormat llama3() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The model input for this request. */
    public ObjectNode input(GenerationRequest request) {
        List<String> system = new ArrayList<>();
        List<ChatMessage> turns = new ArrayList<>();
        for (ChatMessage m : request.messages()) {
            if (m.role() == ChatMessage.Role.SYSTEM) {
                system.add(m.content());
            } else {
                turns.add(m);
            }
        }
        String systemPrompt = String.join("\n\n", system);
        String prompt;
        if (turns.size() == 1 && turns.getFirst().role() == ChatMessage.Role.USER) {
            prompt = turns.getFirst().content();
        } else {
            StringBuilder t = new StringBuilder();
            for (ChatMessage m : turns) {
                t.append(m.role() == ChatMessage.Role.USER ? userLabel : assistantLabel).append(": ")
                        .append(m.content()).append("\n\n");
            }
            prompt = t.append(assistantLabel).append(":").toString();
        }
        if (systemPromptField == null && !systemPrompt.isEmpty()) {
            prompt = systemPrompt + "\n\n" + prompt;
        }
        ObjectNode input = JSON.createObjectNode();
        extraInput.forEach((k, v) -> input.set(k, JSON.valueToTree(v)));
        input.put(promptField, prompt);
        if (systemPromptField != null && !systemPrompt.isEmpty()) {
            input.put(systemPromptField, systemPrompt);
        }
        if (maxTokensField != null) {
            input.put(maxTokensField, request.maxTokens());
        }
        if (temperatureField != null) {
            input.put(temperatureField, request.temperature());
        }
        if (topPField != null) {
            input.put(topPField, request.topP());
        }
        if (stopField != null && !request.stop().isEmpty()) {
            if (stopAsCommaSeparated) {
                input.put(stopField, String.join(",", request.stop()));
            } else {
                ArrayNode stop = input.putArray(stopField);
                request.stop().forEach(stop::add);
            }
        }
        if (promptTemplate != null) {
            input.put("prompt_template", promptTemplate);
        }
        return input;
    }

    /** The sampling parameters of an input, as {@code param.<name>} attributes (prompts left out). */
    Map<String, String> parameters(JsonNode input) {
        Map<String, String> params = new LinkedHashMap<>();
        input.fields().forEachRemaining(e -> {
            String k = e.getKey();
            if (!k.equals(promptField) && !k.equals(systemPromptField) && !k.equals("prompt_template")) {
                params.put("param." + k, e.getValue().isTextual() ? e.getValue().asText() : e.getValue().toString());
            }
        });
        return params;
    }

    public static final class Builder {
        private String promptField = "prompt";
        private String systemPromptField = "system_prompt";
        private String maxTokensField = "max_tokens";
        private String temperatureField = "temperature";
        private String topPField = "top_p";
        private String stopField = "stop_sequences";
        private boolean stopAsCommaSeparated = true;
        private String promptTemplate;
        private String userLabel = "User";
        private String assistantLabel = "Assistant";
        private final Map<String, Object> extraInput = new LinkedHashMap<>();

        private Builder() {
        }

        public Builder promptField(String value) {
            promptField = value;
            return this;
        }

        /** {@code null} when the model takes no system prompt: system messages then lead the prompt. */
        public Builder systemPromptField(String value) {
            systemPromptField = value;
            return this;
        }

        /** {@code max_tokens} (default), {@code max_new_tokens} for older models, or {@code null}. */
        public Builder maxTokensField(String value) {
            maxTokensField = value;
            return this;
        }

        public Builder temperatureField(String value) {
            temperatureField = value;
            return this;
        }

        public Builder topPField(String value) {
            topPField = value;
            return this;
        }

        public Builder stopField(String value) {
            stopField = value;
            return this;
        }

        /** Stop sequences as one comma-separated string (Llama on Replicate) rather than a JSON array. */
        public Builder stopAsCommaSeparated(boolean value) {
            stopAsCommaSeparated = value;
            return this;
        }

        /** Sent as {@code prompt_template}, e.g. a Llama 3 chat template with {@code {prompt}} and {@code {system_prompt}}. */
        public Builder promptTemplate(String value) {
            promptTemplate = value;
            return this;
        }

        public Builder userLabel(String value) {
            userLabel = value;
            return this;
        }

        public Builder assistantLabel(String value) {
            assistantLabel = value;
            return this;
        }

        /** A fixed input every prediction carries (e.g. {@code min_tokens}, {@code presence_penalty}). */
        public Builder extraInput(String name, Object value) {
            extraInput.put(name, value);
            return this;
        }

        public ReplicatePromptFormat build() {
            return new ReplicatePromptFormat(this);
        }
    }
}
