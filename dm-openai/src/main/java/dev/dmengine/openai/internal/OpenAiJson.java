package dev.dmengine.openai.internal;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.InputStream;

/**
 * The adapter's JSON: one mapper that refuses trailing content, so that an event carrying two
 * JSON values ({@code {…}{…}}, or two {@code data:} lines of one object each) is malformed
 * rather than silently read as its first value.
 */
public final class OpenAiJson {

    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private OpenAiJson() {
    }

    /** Exactly one JSON object, or an IOException. */
    public static JsonNode object(String text) throws IOException {
        return requireObject(MAPPER.readTree(text));
    }

    /** Exactly one JSON object, or an IOException. */
    public static JsonNode object(InputStream in) throws IOException {
        return requireObject(MAPPER.readTree(in));
    }

    private static JsonNode requireObject(JsonNode node) throws IOException {
        if (node == null || !node.isObject()) {
            throw new IOException("not a JSON object");
        }
        return node;
    }

    /** The message of an OpenAI-style error body ({@code {"error": {"message": …}}}, or {@code detail}), else the raw body. */
    public static String errorDetail(String body) {
        String detail = body == null ? "" : body;
        try {
            JsonNode root = MAPPER.readTree(detail);
            if (root != null && root.has("error")) {
                return message(root.get("error"));
            }
            if (root != null && root.hasNonNull("detail")) {
                return root.get("detail").asText();
            }
        } catch (IOException notJson) {
            // keep the raw text
        }
        return detail;
    }

    /** The text of an {@code error} member: a string, or an object with {@code message}. */
    public static String message(JsonNode error) {
        return error.isTextual() ? error.asText() : error.path("message").asText(error.toString());
    }
}
