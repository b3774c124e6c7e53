package dev.dmengine.core.turn;

import dev.dmengine.core.prompt.RetrievedMessage;
import dev.dmengine.spi.Ids;
import dev.dmengine.spi.game.Message;
import dev.dmengine.spi.game.MessageStore;
import dev.dmengine.spi.retrieval.Embedder;
import dev.dmengine.spi.retrieval.EmbeddingSpace;
import dev.dmengine.spi.retrieval.VectorIndex;
import dev.dmengine.spi.retrieval.VectorMatch;
import dev.dmengine.spi.retrieval.VectorQuery;
import dev.dmengine.spi.retrieval.VectorRecord;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Steps 4 and 5 of a turn: embed the player message and index its vector, then gather what the
 * DM remembers — the recent window verbatim and the session's most similar earlier messages
 * outside it (KNN in the embedder's space, never another session's).
 */
final class Recall {

    private final MessageStore messages;
    private final Embedder embedder;
    private final VectorIndex vectors;
    private final TurnConfig config;

    Recall(MessageStore messages, Embedder embedder, VectorIndex vectors, TurnConfig config) {
        this.messages = messages;
        this.embedder = embedder;
        this.vectors = vectors;
        this.config = config;
    }

    /**
     * What the turn recalls: the embedder the whole turn uses (one model for its space and both
     * vectors, while a host may switch spaces under it), the recent window and the memories.
     */
    record Recalled(Embedder embedder, EmbeddingSpace space, List<Message> recent, List<RetrievedMessage> memories) {
    }

    /** {@code replaced}: messages of the reply a regeneration replaces, never recalled. */
    Recalled recall(Message playerMessage, UUID playerId, List<UUID> replaced) {
        Embedder embedder = this.embedder.current(); // one model for the turn's space and vectors
        EmbeddingSpace space = embedder.space();
        float[] query = embedder.embed(playerMessage.content());
        vectors.upsert(space, new VectorRecord(playerMessage.id(), playerMessage.sessionId(), playerId, query));
        List<Message> recent = recentWindow(playerMessage);
        return new Recalled(embedder, space, recent, retrieve(space, playerMessage, query, recent, replaced));
    }

    private List<Message> recentWindow(Message playerMessage) {
        if (config.recentWindow() == 0) {
            return List.of();
        }
        List<Message> tail = messages.recent(playerMessage.sessionId(), config.recentWindow() + 1);
        List<Message> before = new ArrayList<>(tail.size());
        for (Message m : tail) {
            if (Ids.compare(m.id(), playerMessage.id()) < 0) {
                before.add(m);
            }
        }
        return before.size() > config.recentWindow()
                ? before.subList(before.size() - config.recentWindow(), before.size())
                : before;
    }

    private List<RetrievedMessage> retrieve(EmbeddingSpace space, Message playerMessage, float[] query,
                                            List<Message> recent, List<UUID> replaced) {
        if (config.retrievalK() == 0) {
            return List.of();
        }
        UUID sessionId = playerMessage.sessionId();
        Set<UUID> exclude = new HashSet<>(replaced);
        exclude.add(playerMessage.id());
        recent.forEach(m -> exclude.add(m.id()));
        List<VectorMatch> matches = vectors.search(VectorQuery.session(space, sessionId, query, config.retrievalK(),
                exclude));
        Map<UUID, Double> scores = new LinkedHashMap<>();
        for (VectorMatch match : matches) {
            if (!match.sessionId().equals(sessionId)) {
                throw new IllegalStateException("vector index returned a message of another session");
            }
            scores.put(match.messageId(), match.score());
        }
        if (scores.isEmpty()) {
            return List.of();
        }
        List<RetrievedMessage> found = new ArrayList<>(scores.size());
        for (Message m : messages.getAll(List.copyOf(scores.keySet()))) { // one read; a message deleted since is left out
            found.add(new RetrievedMessage(m, scores.get(m.id())));
        }
        return found;
    }
}
