package dev.dmengine.spi.retrieval;

import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Message vectors per {@link EmbeddingSpace}, searched by cosine similarity.
 *
 * <p>Contract: a search returns {@code min(k, candidates)} matches, where the candidates
 * are the scope's vectors in the space minus the excluded ids; best first, ties broken by
 * message id ascending; never a vector from outside the scope. A vector whose length is not
 * the space's dimension is an {@link dev.dmengine.spi.InvalidInputException} naming both.
 */
public interface VectorIndex {

    /** Stores or replaces the vector of {@code record.messageId()} in the space. */
    void upsert(EmbeddingSpace space, VectorRecord record);

    default void upsertAll(EmbeddingSpace space, List<VectorRecord> records) {
        records.forEach(r -> upsert(space, r));
    }

    List<VectorMatch> search(VectorQuery query);

    /** Removes the message's vector from every space; {@code false} if there was none. */
    boolean delete(UUID messageId);

    /** How many vectors the space holds for the session. */
    long count(EmbeddingSpace space, UUID sessionId);

    /**
     * Which of these messages of the session have no vector in the space (at most 200 asked at
     * once). The engine asks after each turn about the messages of its recent window, and
     * indexes what an earlier turn stored but could not index (its server stopped between
     * storing a reply and indexing it, or the index was unreachable then). The default, for
     * indexes written before this method, answers none: such gaps then stay.
     */
    default Set<UUID> unindexed(EmbeddingSpace space, UUID sessionId, Collection<UUID> messageIds) {
        return Set.of();
    }
}
