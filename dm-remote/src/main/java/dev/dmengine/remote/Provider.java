package dev.dmengine.remote;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * What differs between providers in reading their failures: their name in messages ("model
 * server", "Replicate"), what their credential is called ("API key", "Replicate API token"),
 * how the human text is found in an error body (OpenAI's {@code error.message}, Replicate's
 * problem+json {@code detail}), and a wait hinted in the body when no header names one.
 */
public record Provider(String name, String credential, Function<String, String> errorDetail,
                       Function<String, Optional<Duration>> delayHint) {

    public Provider {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(credential, "credential");
        Objects.requireNonNull(errorDetail, "errorDetail");
        Objects.requireNonNull(delayHint, "delayHint");
    }

    /** A provider whose error bodies are read as plain text, with no delay hints. */
    public static Provider named(String name, String credential) {
        return new Provider(name, credential, body -> body == null ? "" : body, body -> Optional.empty());
    }

    public Provider withErrorDetail(Function<String, String> value) {
        return new Provider(name, credential, value, delayHint);
    }

    public Provider withDelayHint(Function<String, Optional<Duration>> value) {
        return new Provider(name, credential, errorDetail, value);
    }
}
