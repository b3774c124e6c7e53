package dev.dmengine.server;

import dev.dmengine.core.retrieval.HashingEmbedder;
import dev.dmengine.onnx.MiniLmEmbedder;
import dev.dmengine.openai.OpenAiEmbedder;
import dev.dmengine.replicate.ReplicateEmbedder;
import dev.dmengine.spi.InvalidInputException;
import dev.dmengine.spi.retrieval.Embedder;
import dev.dmengine.spi.retrieval.EmbeddingSpace;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Makes embedders from {@code dm.embedder}: the configured one, and one for another model and
 * dimension that an operator re-embeds to. {@code hashing} and {@code minilm} are local and
 * always available; any other model name is a model of the configured remote provider
 * ({@code openai} or {@code replicate}), reached with the same base URL and key. Each space's
 * embedder is made once and kept.
 */
final class Embedders {

    /** Names an operator may give for the local models, besides their model ids. */
    static final String HASHING = "hashing";
    static final String MINILM = "minilm";

    private final ServerSettings.EmbedderChoice settings;
    private final Map<EmbeddingSpace, Embedder> made = new ConcurrentHashMap<>();
    private final Embedder configured;

    Embedders(ServerSettings.EmbedderChoice settings) {
        this.settings = settings;
        try {
            this.configured = configured(settings);
        } catch (RuntimeException ex) {
            throw new IllegalArgumentException("dm.embedder (" + settings.provider() + "): " + ex.getMessage(), ex);
        }
        made.put(configured.space(), configured);
    }

    /** The embedder {@code dm.embedder} names. */
    Embedder configured() {
        return configured;
    }

    private static Embedder configured(ServerSettings.EmbedderChoice e) {
        return switch (e.provider()) {
            case HASHING -> e.dimension() > 0 ? new HashingEmbedder(e.dimension()) : new HashingEmbedder();
            case "openai", "replicate" -> remote(e, e.name().orElseThrow(), e.dimension());
            default -> MiniLmEmbedder.create();
        };
    }

    private static Embedder remote(ServerSettings.EmbedderChoice e, String model, int dimension) {
        if (e.provider().equals("openai")) {
            OpenAiEmbedder.Builder b = OpenAiEmbedder.builder().baseUrl(e.baseUrl().orElseThrow()).model(model)
                    .dimension(dimension);
            e.apiKey().ifPresent(b::apiKey);
            return b.build();
        }
        ReplicateEmbedder.Builder b = ReplicateEmbedder.builder().version(model).dimension(dimension);
        e.baseUrl().ifPresent(b::baseUrl); // a Replicate-compatible endpoint (a proxy, a test double)
        if (e.apiKey().isPresent()) {
            b.apiToken(e.apiKey().get());
        } else {
            b.apiTokenFromEnvironment();
        }
        return b.build();
    }

    /**
     * The embedder of {@code model} at {@code dimension}, as an operator names them for a
     * re-embedding run: {@code hashing} (16 to 4096 dimensions), {@code minilm} (384), or a
     * model of the configured remote provider.
     *
     * @throws InvalidInputException naming {@code model} or {@code dimension} if this
     *                               configuration cannot make it
     */
    Embedder forModel(String model, int dimension) {
        String m = model.strip();
        String lower = m.toLowerCase(Locale.ROOT);
        if (lower.equals(HASHING) || m.equals(HashingEmbedder.MODEL_ID)) {
            if (dimension < 16 || dimension > 4096) {
                throw new InvalidInputException("dimension", "the hashing embedder makes 16 to 4096 dimensions, not "
                        + dimension);
            }
            return made.computeIfAbsent(new EmbeddingSpace(HashingEmbedder.MODEL_ID, dimension),
                    s -> new HashingEmbedder(dimension));
        }
        if (lower.equals(MINILM) || m.equals(MiniLmEmbedder.SPACE.modelId())) {
            if (dimension != MiniLmEmbedder.SPACE.dimension()) {
                throw new InvalidInputException("dimension", "all-MiniLM-L6-v2 makes " + MiniLmEmbedder.SPACE.dimension()
                        + " dimensions, not " + dimension);
            }
            return made.computeIfAbsent(MiniLmEmbedder.SPACE, s -> MiniLmEmbedder.create());
        }
        if (!settings.provider().equals("openai") && !settings.provider().equals("replicate")) {
            throw new InvalidInputException("model", m + " is neither hashing nor minilm, and dm.embedder.provider is "
                    + settings.provider() + ": another model needs dm.embedder.provider openai or replicate, with its "
                    + "base URL and key");
        }
        EmbeddingSpace wanted;
        try {
            wanted = new EmbeddingSpace(m, dimension);
        } catch (IllegalArgumentException ex) {
            throw new InvalidInputException("dimension", ex.getMessage());
        }
        Embedder known = made.get(wanted);
        if (known != null) {
            return known;
        }
        try {
            Embedder e = remote(settings, m, dimension);
            return made.computeIfAbsent(e.space(), s -> e);
        } catch (IllegalArgumentException ex) {
            throw new InvalidInputException("model", ex.getMessage());
        }
    }

    /** The embedder whose space is exactly {@code space}, if this configuration can make it. */
    Optional<Embedder> forSpace(EmbeddingSpace space) {
        Embedder known = made.get(space);
        if (known != null) {
            return Optional.of(known);
        }
        try {
            Embedder e = forModel(space.modelId(), space.dimension());
            return e.space().equals(space) ? Optional.of(e) : Optional.empty();
        } catch (InvalidInputException ex) {
            return Optional.empty();
        }
    }
}
