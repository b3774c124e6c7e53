package dev.dmengine.server;

import dev.dmengine.core.inmemory.InMemoryDocumentStore;
import dev.dmengine.postgres.PostgresAdapters;
import dev.dmengine.spi.retrieval.DocumentStore;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What the engine and the vector routes share: the embedder of the active space, the
 * services' documents, and re-embedding (PostgreSQL only). Built by {@link Wiring}.
 */
final class Vectors implements AutoCloseable {

    private static final long HEALTH_CACHE_NANOS = 1_000_000_000L;

    final Embedders embedders;
    final ActiveEmbedder embedder;
    final DocumentStore documents;
    final Optional<Reembedding> reembedding;
    private volatile Map<String, Object> health;
    private volatile long healthAt;

    Vectors(ServerSettings.EmbedderChoice settings, Embedders embedders, Optional<PostgresAdapters> database) {
        this.embedders = embedders;
        if (database.isPresent()) {
            PostgresAdapters pg = database.get();
            this.embedder = new ActiveEmbedder(embedders, pg.embeddingSpaces()::active, settings.refresh());
            this.embedder.refresh(); // follow the database's active space from the first turn on
            this.documents = pg.documents();
            this.reembedding = Optional.of(new Reembedding(pg.reembedder(), pg.embeddingSpaces(), embedders, embedder,
                    settings.reembed()));
        } else {
            this.embedder = new ActiveEmbedder(embedders, null, settings.refresh());
            this.documents = new InMemoryDocumentStore();
            this.reembedding = Optional.empty();
        }
    }

    /** Goes on with an unfinished re-embedding run, if configured to. */
    void start() {
        reembedding.ifPresent(Reembedding::resumeOnStart);
    }

    /** For {@code /health}: the active space and a re-embedding run in progress (kept a second). */
    Map<String, Object> health() {
        long now = System.nanoTime();
        Map<String, Object> cached = health;
        if (cached != null && now - healthAt < HEALTH_CACHE_NANOS) {
            return cached;
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("active", Reembedding.space(embedder.current().space()));
        reembedding.ifPresent(r -> {
            try {
                r.health().ifPresent(run -> out.put("reembed", run));
            } catch (RuntimeException e) {
                out.put("reembed", Map.of("error", "unknown: " + e.getMessage()));
            }
        });
        health = out;
        healthAt = now;
        return out;
    }

    @Override
    public void close() {
        reembedding.ifPresent(Reembedding::close);
    }
}
