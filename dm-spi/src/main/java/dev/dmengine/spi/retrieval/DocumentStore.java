package dev.dmengine.spi.retrieval;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The texts of {@link Document}s, by id. Their vectors live in the {@link VectorIndex} under
 * the document's id, like a message's; this store keeps what those vectors were made from.
 */
public interface DocumentStore {

    /** Stores the document, or replaces the one with its id; returns it as stored. */
    Document put(Document document);

    Optional<Document> get(UUID id);

    /** The documents among {@code ids} that exist, in no particular order. */
    default List<Document> getAll(Collection<UUID> ids) {
        List<Document> found = new ArrayList<>();
        for (UUID id : ids) {
            get(id).ifPresent(found::add);
        }
        return found;
    }

    /** Deletes the document; {@code false} if there was none. */
    boolean delete(UUID id);

    /** How many documents the player has. */
    long countByPlayer(UUID playerId);
}
