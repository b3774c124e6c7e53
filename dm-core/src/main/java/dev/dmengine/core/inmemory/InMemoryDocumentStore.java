package dev.dmengine.core.inmemory;

import dev.dmengine.core.game.Validation;
import dev.dmengine.spi.retrieval.Document;
import dev.dmengine.spi.retrieval.DocumentStore;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** Documents in a map. */
public final class InMemoryDocumentStore implements DocumentStore {

    private final Map<UUID, Document> byId = new HashMap<>();

    @Override
    public synchronized Document put(Document document) {
        Checks.notNull(document, "document");
        Validation.storable("text", document.text());
        byId.put(document.id(), document);
        return document;
    }

    @Override
    public synchronized Optional<Document> get(UUID id) {
        return Optional.ofNullable(byId.get(Checks.notNull(id, "id")));
    }

    @Override
    public synchronized boolean delete(UUID id) {
        return byId.remove(Checks.notNull(id, "id")) != null;
    }

    @Override
    public synchronized long countByPlayer(UUID playerId) {
        Checks.notNull(playerId, "playerId");
        return byId.values().stream().filter(d -> d.playerId().equals(playerId)).count();
    }
}
