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

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/**
 * Steps 4 and 5 of a turn: embed the player message, then gather what the DM remembers — the
 * recent window verbatim and the session's most similar earlier messages outside it (KNN in the
 * embedder's space, never another session's).
 *
 * <p>The embedding is the turn's one CPU-heavy step before the model, and it needs nothing but
 * the player's text, so it {@link #embed starts} on a virtual thread of its own as soon as the
 * turn holds the session's lock, while the turn's thread stores the player message and reads the
 * recent window; {@link #recall} waits for it only for the search. The player message's vector
 * is written after the turn, with the reply's ({@link ReplyIndexing}): retrieval leaves out the
 * recent window, so no turn searches for a message of its own window.
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
     * vectors, while a host may switch spaces under it), the recent window, the memories, and the
     * player message with its vector (written after the turn).
     */
    record Recalled(Embedder embedder, EmbeddingSpace space, List<Message> recent, List<RetrievedMessage> memories,
                    Message playerMessage, float[] playerVector) {
    }

    /** The player's text being embedded beside the turn's own work. */
    static final class Embedding {
        private final Embedder embedder;
        private final EmbeddingSpace space;
        private final String text;
        private final FutureTask<float[]> task;

        private Embedding(Embedder embedder, String text) {
            this.embedder = embedder;
            this.space = embedder.space();
            this.text = text;
            this.task = new FutureTask<>(() -> embedder.embed(text));
        }

        /** The vector of {@code text}: this one's, waited for, if it is the text it embeds. */
        float[] of(String wanted) {
            if (!wanted.equals(text)) {
                task.cancel(false);
                return embedder.embed(wanted);
            }
            try {
                return task.get();
            } catch (ExecutionException e) {
                if (e.getCause() instanceof RuntimeException r) {
                    throw r;
                }
                if (e.getCause() instanceof Error err) {
                    throw err;
                }
                throw new IllegalStateException(e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                task.cancel(false);
                throw new CancellationException("interrupted while the player message was embedded");
            }
        }

        /** The turn goes no further: its result is not wanted (a running embedding finishes unseen). */
        void abandon() {
            task.cancel(false);
        }
    }

    /** Starts embedding the player's text with the current embedder, on a virtual thread of its own. */
    Embedding embed(String text) {
        Embedding e = new Embedding(embedder.current(), text); // one model for the turn's space and vectors
        Thread.ofVirtual().name("turn-embedding").start(e.task);
        return e;
    }

    /**
     * The recent window (read here) and the memories (searched with the player message's vector,
     * waited for). {@code replaced}: messages of the reply a regeneration replaces, never recalled.
     */
    Recalled recall(Embedding embedding, Message playerMessage, List<UUID> replaced) {
        List<Message> recent = recentWindow(playerMessage);
        float[] query = embedding.of(playerMessage.content());
        return new Recalled(embedding.embedder, embedding.space, recent,
                retrieve(embedding.space, playerMessage, query, recent, replaced), playerMessage, query);
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
