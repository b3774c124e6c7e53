package dev.dmengine.openai.internal;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What a chat completion has said so far, read chunk by chunk from a stream
 * ({@code chat.completion.chunk}) or at once from a whole {@code chat.completion}. Only
 * {@code content} is visible text; {@code reasoning} (Ollama, OpenRouter, vLLM ≥ 0.10) and
 * {@code reasoning_content} (llama.cpp, DeepSeek, older vLLM) are kept apart and never shown;
 * {@code refusal} (OpenAI) is kept apart to fail the reply; {@code tool_calls} and role-only
 * deltas say nothing but that the server is alive. {@code content} given as an array of parts
 * ({@code [{"type": "text", "text": …}]}) is joined.
 */
public final class ChatReply {

    private final StringBuilder text = new StringBuilder();
    private final StringBuilder reasoning = new StringBuilder();
    private final StringBuilder refusal = new StringBuilder();
    private String finishReason;
    private String completionId;
    private String servedModel;
    private JsonNode usage;
    private int chunks;
    private int tokens;

    /** Reads one stream chunk; returns the visible text it adds ({@code ""} for none). */
    public String applyChunk(JsonNode chunk) {
        chunks++;
        readEnvelope(chunk);
        JsonNode choice = chunk.path("choices").path(0);
        if (choice.isMissingNode()) {
            return ""; // a usage-only chunk ("choices": [])
        }
        finish(choice);
        return apply(choice.path("delta"));
    }

    /** Reads a whole {@code chat.completion} (a server that ignored {@code "stream": true}). */
    public String applyCompletion(JsonNode completion) {
        chunks++;
        readEnvelope(completion);
        JsonNode choice = completion.path("choices").path(0);
        if (choice.isMissingNode()) {
            return "";
        }
        finish(choice);
        if (finishReason == null) {
            finishReason = "stop";
        }
        return apply(choice.path("message"));
    }

    private void readEnvelope(JsonNode node) {
        if (completionId == null && node.hasNonNull("id")) {
            completionId = node.get("id").asText();
        }
        if (servedModel == null && node.hasNonNull("model")) {
            servedModel = node.get("model").asText();
        }
        if (node.hasNonNull("usage") && node.get("usage").isObject()) {
            usage = node.get("usage");
        }
    }

    private void finish(JsonNode choice) {
        if (choice.hasNonNull("finish_reason")) {
            finishReason = choice.get("finish_reason").asText();
        }
    }

    private String apply(JsonNode message) {
        reasoning.append(textOf(message.get("reasoning"))).append(textOf(message.get("reasoning_content")));
        refusal.append(textOf(message.get("refusal")));
        String visible = textOf(message.get("content"));
        if (!visible.isEmpty()) {
            tokens++;
            text.append(visible);
        }
        return visible;
    }

    /** A string, or the joined {@code text} of an array of parts; {@code ""} for null or anything else. */
    static String textOf(JsonNode content) {
        if (content == null || content.isNull()) {
            return "";
        }
        if (content.isTextual()) {
            return content.asText();
        }
        if (content.isArray()) {
            StringBuilder joined = new StringBuilder();
            for (JsonNode part : content) {
                if (part.isTextual()) {
                    joined.append(part.asText());
                } else if (part.path("text").isTextual()) {
                    joined.append(part.get("text").asText());
                }
            }
            return joined.toString();
        }
        return "";
    }

    public String text() {
        return text.toString();
    }

    public String reasoning() {
        return reasoning.toString();
    }

    public String refusal() {
        return refusal.toString();
    }

    /** The last {@code finish_reason} given, or null. */
    public String finishReason() {
        return finishReason;
    }

    public String completionId() {
        return completionId;
    }

    public String servedModel() {
        return servedModel;
    }

    /** The {@code usage} object, or null. */
    public JsonNode usage() {
        return usage;
    }

    /** Chunks read, whatever they carried. */
    public int chunks() {
        return chunks;
    }

    /** Chunks that carried visible text. */
    public int tokens() {
        return tokens;
    }
}
