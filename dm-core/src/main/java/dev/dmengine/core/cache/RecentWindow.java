package dev.dmengine.core.cache;

import dev.dmengine.spi.Ids;
import dev.dmengine.spi.game.Message;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The cached tail of a session: exactly its last {@code messages.size()} messages in id order,
 * and {@code all} when those are all it has. Appends and deletes keep that true, so a window can
 * be updated where the transcript is written instead of read again.
 */
record RecentWindow(List<Message> messages, boolean all) {

    RecentWindow {
        messages = List.copyOf(messages);
    }

    /** The window the store gives for {@code recent(session, capacity)}. */
    static RecentWindow of(List<Message> tail, int capacity) {
        return new RecentWindow(tail, tail.size() < capacity);
    }

    static RecentWindow empty() {
        return new RecentWindow(List.of(), true);
    }

    /** Whether the window holds the session's last {@code n} messages. */
    boolean serves(int n) {
        return all || messages.size() >= n;
    }

    /** The last {@code n} messages, oldest first (fewer when the session has fewer). */
    List<Message> last(int n) {
        int size = messages.size();
        return n >= size ? messages : messages.subList(size - n, size);
    }

    /** After {@code m} was appended; a message older than a partial window is not in its tail. */
    RecentWindow plus(Message m, int capacity) {
        if (!all && !messages.isEmpty() && Ids.compare(m.id(), messages.getFirst().id()) < 0) {
            return this;
        }
        if (!all && messages.isEmpty()) {
            return this; // nothing known of the tail: still "the last 0 messages"
        }
        List<Message> next = new ArrayList<>(messages.size() + 1);
        int at = messages.size();
        while (at > 0 && Ids.compare(messages.get(at - 1).id(), m.id()) > 0) {
            at--;
        }
        next.addAll(messages.subList(0, at));
        next.add(m);
        next.addAll(messages.subList(at, messages.size()));
        boolean stillAll = all;
        while (next.size() > capacity) {
            next.removeFirst();
            stillAll = false;
        }
        return new RecentWindow(next, stillAll);
    }

    /** After the message {@code id} was deleted: still the last messages, one fewer if it was among them. */
    RecentWindow minus(UUID id) {
        List<Message> next = new ArrayList<>(messages);
        next.removeIf(m -> m.id().equals(id));
        return next.size() == messages.size() ? this : new RecentWindow(next, all);
    }
}
