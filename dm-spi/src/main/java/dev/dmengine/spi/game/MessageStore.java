package dev.dmengine.spi.game;

import dev.dmengine.spi.InvalidInputException;
import dev.dmengine.spi.Page;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Session transcripts, in creation (id) order. */
public interface MessageStore {

    /** The most messages one {@link #appendAll} takes. */
    int MAX_BATCH = 100;

    /** Appends a message; a conflict if its id exists. */
    Message append(Message message);

    /**
     * Appends the messages in order, all or none (at most 100): the DM reply and its mechanics
     * message of a turn. One round trip where the store can batch (PostgreSQL); the default, for
     * stores written before it, appends one by one — all or none only inside a transaction.
     *
     * @return the messages as stored, in the order given
     */
    default List<Message> appendAll(List<Message> messages) {
        requireBatchSize(messages);
        List<Message> stored = new java.util.ArrayList<>(messages.size());
        for (Message m : messages) {
            stored.add(append(m));
        }
        return List.copyOf(stored);
    }

    /**
     * Refuses a batch larger than {@link #MAX_BATCH}, naming the field and the limit.
     *
     * @throws InvalidInputException over the limit
     */
    static void requireBatchSize(List<Message> messages) {
        if (messages.size() > MAX_BATCH) {
            throw new InvalidInputException("messages", "at most " + MAX_BATCH + " at once, was " + messages.size());
        }
    }

    Optional<Message> get(UUID id);

    /**
     * The stored messages among these ids (at most 200), in the order asked; ids of messages
     * that are not stored are left out. A turn reads the messages retrieval found with it: one
     * round trip where the default, for stores written before it, makes one per id.
     */
    default List<Message> getAll(List<UUID> ids) {
        List<Message> found = new java.util.ArrayList<>(ids.size());
        for (UUID id : ids) {
            get(id).ifPresent(found::add);
        }
        return List.copyOf(found);
    }

    /**
     * A page of the session's messages in order, starting after {@code cursor} (an opaque
     * value from a previous page; {@code null} for the first page).
     */
    Page<Message> list(UUID sessionId, String cursor, int limit);

    /** The session's last {@code limit} messages, oldest first. */
    List<Message> recent(UUID sessionId, int limit);

    long count(UUID sessionId);

    /** Deletes one message; {@code false} if there was none. */
    boolean delete(UUID id);

    /** Deletes every message of the session; returns how many. */
    long deleteSession(UUID sessionId);
}
