package dev.dmengine.spi.retrieval;

import java.util.Objects;
import java.util.Set;
import java.util.UUID;

/**
 * A nearest-neighbour query inside one scope: one session, or all sessions of one player.
 *
 * @param exclude message ids never to return (e.g. the recent window already in the prompt)
 */
public record VectorQuery(EmbeddingSpace space, Scope scope, UUID scopeId, float[] vector, int k, Set<UUID> exclude) {

    public static final int MAX_K = 1_000;

    /** What the query is restricted to. Retrieval never crosses its scope. */
    public enum Scope { SESSION, PLAYER }

    public VectorQuery {
        Objects.requireNonNull(space, "space");
        Objects.requireNonNull(scope, "scope");
        Objects.requireNonNull(scopeId, "scopeId");
        Objects.requireNonNull(vector, "vector");
        exclude = Set.copyOf(Objects.requireNonNull(exclude, "exclude"));
        if (k < 1 || k > MAX_K) {
            throw new IllegalArgumentException("k must be 1 to " + MAX_K + ", was " + k);
        }
    }

    public static VectorQuery session(EmbeddingSpace space, UUID sessionId, float[] vector, int k, Set<UUID> exclude) {
        return new VectorQuery(space, Scope.SESSION, sessionId, vector, k, exclude);
    }

    public static VectorQuery player(EmbeddingSpace space, UUID playerId, float[] vector, int k) {
        return new VectorQuery(space, Scope.PLAYER, playerId, vector, k, Set.of());
    }
}
