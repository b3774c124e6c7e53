package dev.dmengine.core.turn;

import dev.dmengine.spi.game.Message;
import dev.dmengine.spi.game.MessageRole;
import dev.dmengine.spi.game.MessageStore;
import dev.dmengine.spi.retrieval.VectorIndex;
import dev.dmengine.spi.retrieval.VectorRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * After step 9, once the turn is complete (stored, the session's lock free, {@code turn.completed}
 * on its way): the player message's and the DM reply's vectors, then the repair of the recent
 * window's.
 *
 * <p><b>Why after the turn.</b> Embedding the reply is the costliest thing a turn does on its own
 * machine — a transformer over the whole reply, several times the player's sentence — and
 * nothing in the turn needs it: the reply's vector serves retrieval, and retrieval leaves out the
 * recent window, which holds the reply verbatim for the session's next turns. So the player
 * does not wait for it; the turn's thread embeds and indexes the reply before {@code play}
 * returns (a streamed turn's response ends after it). The player message's vector, computed for
 * the turn's search, is written in the same call, for the same reason: only later turns, whose
 * window it has left, can recall it.
 *
 * <p><b>The repair.</b> A reply stored but not indexed — its server stopped between the two,
 * or the embedder or the index failed then — would never be recalled. So after each turn the
 * messages of its recent window that should have a vector (player and DM messages, not the
 * mechanics) are checked with one {@link VectorIndex#unindexed} call and any without one are
 * embedded and indexed: a gap is closed by the session's next completed turn, while the message
 * is still in that turn's window and not yet needed by retrieval. The same repair covers a player
 * message whose vector a failed turn never wrote. Nothing here fails the turn: a failure is logged
 * and left to the next turn's repair.
 */
final class ReplyIndexing {

    private static final Logger LOG = LoggerFactory.getLogger(ReplyIndexing.class);

    private final MessageStore messages;
    private final VectorIndex vectors;

    ReplyIndexing(MessageStore messages, VectorIndex vectors) {
        this.messages = messages;
        this.vectors = vectors;
    }

    /**
     * Indexes the player message and the reply (one write), then what the recent window lacks.
     * Never throws (but for an {@link Error}).
     */
    void afterTurn(Message reply, UUID playerId, Recall.Recalled recalled, List<UUID> replaced) {
        Message player = recalled.playerMessage();
        try {
            float[] replyVector = recalled.embedder().embed(reply.content());
            vectors.upsertAll(recalled.space(), List.of(
                    new VectorRecord(player.id(), player.sessionId(), playerId, recalled.playerVector()),
                    new VectorRecord(reply.id(), reply.sessionId(), playerId, replyVector)));
            List<UUID> written = List.of(player.id(), reply.id());
            Set<UUID> present = new HashSet<>();
            messages.getAll(written).forEach(m -> present.add(m.id()));
            for (UUID id : written) {
                if (!present.contains(id)) {
                    // deleted meanwhile (the session is free once the turn completes: a regeneration may
                    // have replaced the reply, or the session was deleted) before its vector was written
                    vectors.delete(id);
                }
            }
            if (!present.contains(reply.id())) {
                return;
            }
        } catch (RuntimeException e) {
            LOG.warn("the messages {} and {} of session {} are stored but not indexed yet (the session's next turn"
                    + " will): {}", player.id(), reply.id(), reply.sessionId(), e.toString());
            return; // the index or the embedder is failing: the repair would fail too
        }
        repair(reply.sessionId(), playerId, recalled, replaced);
    }

    /**
     * After a turn that failed once it had recalled: the player message stays, so its vector is
     * written (its embedding is at hand). Never throws (but for an {@link Error}); a failure is
     * left to the session's next turn, whose window holds the message.
     */
    void afterFailure(UUID playerId, Recall.Recalled recalled) {
        Message player = recalled.playerMessage();
        try {
            vectors.upsert(recalled.space(), new VectorRecord(player.id(), player.sessionId(), playerId,
                    recalled.playerVector()));
            if (messages.get(player.id()).isEmpty()) {
                vectors.delete(player.id()); // the session was deleted meanwhile
            }
        } catch (RuntimeException e) {
            LOG.warn("the message {} of session {} is stored but not indexed yet (the session's next turn will): {}",
                    player.id(), player.sessionId(), e.toString());
        }
    }

    private void repair(UUID sessionId, UUID playerId, Recall.Recalled recalled, List<UUID> replaced) {
        Map<UUID, Message> indexable = new LinkedHashMap<>();
        for (Message m : recalled.recent()) {
            if ((m.role() == MessageRole.PLAYER || m.role() == MessageRole.DM) && !replaced.contains(m.id())) {
                indexable.put(m.id(), m);
            }
        }
        if (indexable.isEmpty()) {
            return;
        }
        try {
            Set<UUID> missing = vectors.unindexed(recalled.space(), sessionId, indexable.keySet());
            if (missing.isEmpty()) {
                return;
            }
            List<VectorRecord> records = new ArrayList<>(missing.size());
            for (Message m : indexable.values()) {
                if (missing.contains(m.id())) {
                    records.add(new VectorRecord(m.id(), sessionId, playerId, recalled.embedder().embed(m.content())));
                }
            }
            vectors.upsertAll(recalled.space(), records);
            LOG.info("indexed {} earlier message(s) of session {} that had no vector", records.size(), sessionId);
        } catch (RuntimeException e) {
            LOG.warn("could not index the earlier messages of session {} that have no vector (a later turn will): {}",
                    sessionId, e.toString());
        }
    }
}
