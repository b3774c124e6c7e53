package dev.dmengine.testkit;

import dev.dmengine.spi.ConflictException;
import dev.dmengine.spi.Ids;
import dev.dmengine.spi.InvalidInputException;
import dev.dmengine.spi.Page;
import dev.dmengine.spi.game.Message;
import dev.dmengine.spi.game.MessageRole;
import dev.dmengine.spi.game.MessageStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What every {@link MessageStore} must do. Extend it and return a fresh, empty store.
 * Messages are ordered by id ({@link Ids#compare}), which for version 7 ids is creation order.
 */
public abstract class MessageStoreContract {

    protected static final Instant T0 = Instant.parse("2030-01-01T10:00:00Z");

    protected MessageStore store;

    protected abstract MessageStore newStore();

    @BeforeEach
    void freshStore() {
        store = newStore();
    }

    protected static Message message(UUID id, UUID session, String content) {
        return new Message(id, session, null, MessageRole.PLAYER, content, T0, Map.of());
    }

    protected List<UUID> appendMany(UUID session, int n) {
        List<UUID> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            UUID id = Ids.newId();
            store.append(message(id, session, "message " + i));
            ids.add(id);
        }
        return ids;
    }

    protected List<Message> listAll(UUID session, int pageSize) {
        List<Message> all = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            Page<Message> page = store.list(session, cursor, pageSize);
            assertThat(page.items()).hasSizeLessThanOrEqualTo(pageSize);
            all.addAll(page.items());
            cursor = page.nextCursor();
            assertThat(++pages).as("pages (a cursor that never ends?)").isLessThan(10_000);
        } while (cursor != null);
        return all;
    }

    @Test
    void get_all_returns_the_stored_ones_in_the_order_asked() {
        UUID session = Ids.newId();
        List<UUID> ids = appendMany(session, 4);
        UUID absent = Ids.newId();
        store.delete(ids.get(2));

        assertThat(store.getAll(List.of(ids.get(3), absent, ids.get(0), ids.get(2), ids.get(1))))
                .extracting(Message::id).containsExactly(ids.get(3), ids.get(0), ids.get(1));
        assertThat(store.getAll(List.of())).isEmpty();
        assertThat(store.getAll(List.of(ids.get(1))).getFirst()).isEqualTo(store.get(ids.get(1)).orElseThrow());
    }

    @Test
    void append_all_stores_the_messages_in_order_all_or_none() {
        UUID session = Ids.newId();
        UUID turn = Ids.newId();
        Message mechanics = new Message(Ids.newId(), session, turn, MessageRole.SYSTEM, "d20 = 14", T0,
                Map.of("kind", "mechanics"));
        Message reply = new Message(Ids.newId(), session, turn, MessageRole.DM, "The lock gives.", T0,
                Map.of("model", "offline-narrator"));

        assertThat(store.appendAll(List.of(mechanics, reply))).containsExactly(mechanics, reply);

        assertThat(store.getAll(List.of(mechanics.id(), reply.id()))).containsExactly(mechanics, reply);
        assertThat(store.recent(session, 5)).containsExactly(mechanics, reply);
        assertThat(store.appendAll(List.of())).isEmpty();
        Message fresh = message(Ids.newId(), session, "never stored");
        assertThatThrownBy(() -> store.appendAll(List.of(fresh, message(reply.id(), session, "a second reply"))))
                .isInstanceOf(ConflictException.class);
        assertThat(store.get(fresh.id())).as("nothing of a refused batch is stored").isEmpty();
        assertThat(store.count(session)).isEqualTo(2);
        assertThat(store.recent(session, 5)).containsExactly(mechanics, reply);
    }

    @Test
    void append_all_refuses_more_than_100_messages_at_once_naming_the_limit() {
        UUID session = Ids.newId();
        List<Message> many = new ArrayList<>();
        for (int i = 0; i < 101; i++) {
            many.add(message(Ids.newId(), session, "m" + i));
        }

        assertThatThrownBy(() -> store.appendAll(many)).isInstanceOf(dev.dmengine.spi.InvalidInputException.class)
                .hasMessageContaining("messages").hasMessageContaining("at most 100");
        assertThat(store.count(session)).isZero();
    }

    @Test
    void appended_message_is_read_back_equal() {
        UUID turn = Ids.newId();
        Message m = new Message(Ids.newId(), Ids.newId(), turn, MessageRole.DM, "The door creaks open.", T0,
                Map.of("model", "offline-narrator", "prediction", "p-1"));

        store.append(m);

        assertThat(store.get(m.id())).contains(m);
        assertThat(store.get(Ids.newId())).isEmpty();
    }

    @Test
    void duplicate_id_is_a_conflict() {
        Message m = message(Ids.newId(), Ids.newId(), "once");
        store.append(m);

        assertThatThrownBy(() -> store.append(message(m.id(), m.sessionId(), "twice")))
                .isInstanceOf(ConflictException.class);
        assertThat(store.get(m.id())).map(Message::content).contains("once");
        assertThat(store.count(m.sessionId())).isEqualTo(1);
    }

    @Test
    void messages_are_listed_in_id_order_even_when_appended_out_of_order() {
        UUID session = Ids.newId();
        UUID a = Ids.newId();
        UUID b = Ids.newId();
        UUID c = Ids.newId();
        store.append(message(c, session, "c"));
        store.append(message(a, session, "a"));
        store.append(message(b, session, "b"));

        assertThat(store.list(session, null, 10).items()).extracting(Message::id).containsExactly(a, b, c);
        assertThat(store.recent(session, 10)).extracting(Message::id).containsExactly(a, b, c);
    }

    @Test
    void ids_are_ordered_as_unsigned_numbers_not_as_java_uuids() {
        UUID session = Ids.newId();
        UUID low = new UUID(0x7000_0000_0000_7000L, 0x8000_0000_0000_0001L);
        UUID high = new UUID(0x8000_0000_0000_7000L, 0x8000_0000_0000_0001L); // negative as a signed long
        store.append(message(high, session, "high"));
        store.append(message(low, session, "low"));

        assertThat(store.list(session, null, 10).items()).extracting(Message::id).containsExactly(low, high);
    }

    @Test
    void paging_with_the_cursor_covers_every_message_once_in_id_order() {
        UUID session = Ids.newId();
        List<UUID> ids = appendMany(session, 23);
        appendMany(Ids.newId(), 5); // another session

        for (int pageSize : new int[]{1, 5, 7, 23, 100}) {
            assertThat(listAll(session, pageSize)).as("page size %d", pageSize)
                    .extracting(Message::id).containsExactlyElementsOf(ids);
        }
    }

    @Test
    void last_page_has_no_cursor_and_full_pages_before_it() {
        UUID session = Ids.newId();
        appendMany(session, 10);

        Page<Message> first = store.list(session, null, 4);
        Page<Message> second = store.list(session, first.nextCursor(), 4);
        Page<Message> third = store.list(session, second.nextCursor(), 4);

        assertThat(first.items()).hasSize(4);
        assertThat(second.items()).hasSize(4);
        assertThat(third.items()).hasSize(2);
        assertThat(first.nextCursor()).isNotNull();
        assertThat(second.nextCursor()).isNotNull();
        assertThat(third.nextCursor()).isNull();
    }

    @Test
    void messages_appended_while_paging_appear_on_later_pages() {
        UUID session = Ids.newId();
        List<UUID> ids = new ArrayList<>(appendMany(session, 6));

        Page<Message> first = store.list(session, null, 4);
        ids.addAll(appendMany(session, 3));
        List<Message> rest = new ArrayList<>(first.items());
        String cursor = first.nextCursor();
        while (cursor != null) {
            Page<Message> page = store.list(session, cursor, 4);
            rest.addAll(page.items());
            cursor = page.nextCursor();
        }

        assertThat(rest).extracting(Message::id).containsExactlyElementsOf(ids);
    }

    @Test
    void empty_session_lists_one_empty_page() {
        Page<Message> page = store.list(Ids.newId(), null, 10);

        assertThat(page.items()).isEmpty();
        assertThat(page.nextCursor()).isNull();
        assertThat(store.recent(Ids.newId(), 5)).isEmpty();
        assertThat(store.count(Ids.newId())).isZero();
    }

    @Test
    void a_cursor_that_is_not_one_is_invalid_input() {
        UUID session = Ids.newId();
        appendMany(session, 3);

        assertThatThrownBy(() -> store.list(session, "not a cursor!", 10)).isInstanceOf(InvalidInputException.class);
    }

    @Test
    void non_positive_limit_is_rejected() {
        UUID session = Ids.newId();

        assertThatThrownBy(() -> store.list(session, null, 0))
                .isInstanceOfAny(IllegalArgumentException.class, InvalidInputException.class);
        assertThatThrownBy(() -> store.recent(session, -1))
                .isInstanceOfAny(IllegalArgumentException.class, InvalidInputException.class);
    }

    @Test
    void recent_is_the_last_n_oldest_first() {
        UUID session = Ids.newId();
        List<UUID> ids = appendMany(session, 10);

        assertThat(store.recent(session, 3)).extracting(Message::id).containsExactlyElementsOf(ids.subList(7, 10));
        assertThat(store.recent(session, 50)).extracting(Message::id).containsExactlyElementsOf(ids);
    }

    @Test
    void sessions_do_not_see_each_others_messages() {
        UUID s1 = Ids.newId();
        UUID s2 = Ids.newId();
        List<UUID> ids1 = appendMany(s1, 4);
        List<UUID> ids2 = appendMany(s2, 3);

        assertThat(listAll(s1, 2)).extracting(Message::id).containsExactlyElementsOf(ids1);
        assertThat(store.recent(s2, 10)).extracting(Message::id).containsExactlyElementsOf(ids2);
        assertThat(store.count(s1)).isEqualTo(4);
        assertThat(store.count(s2)).isEqualTo(3);
    }

    @Test
    void delete_removes_one_message_once() {
        UUID session = Ids.newId();
        List<UUID> ids = appendMany(session, 3);

        assertThat(store.delete(ids.get(1))).isTrue();
        assertThat(store.delete(ids.get(1))).isFalse();
        assertThat(store.get(ids.get(1))).isEmpty();
        assertThat(store.count(session)).isEqualTo(2);
        assertThat(listAll(session, 1)).extracting(Message::id).containsExactly(ids.get(0), ids.get(2));
    }

    @Test
    void delete_session_removes_only_that_sessions_messages() {
        UUID s1 = Ids.newId();
        UUID s2 = Ids.newId();
        List<UUID> ids1 = appendMany(s1, 5);
        appendMany(s2, 2);

        assertThat(store.deleteSession(s1)).isEqualTo(5);

        assertThat(store.count(s1)).isZero();
        assertThat(store.get(ids1.getFirst())).isEmpty();
        assertThat(store.count(s2)).isEqualTo(2);
        assertThat(store.deleteSession(s1)).isZero();
    }

    @Test
    void concurrent_appenders_lose_nothing_and_list_in_id_order() {
        UUID session = Ids.newId();
        int threads = 8;
        int perThread = 100;

        List<List<UUID>> written = Concurrently.run(threads, t -> appendMany(session, perThread));

        List<UUID> expected = written.stream().flatMap(List::stream).sorted(Ids::compare).toList();
        assertThat(store.count(session)).isEqualTo((long) threads * perThread);
        List<Message> listed = listAll(session, 64);
        assertThat(listed).extracting(Message::id).containsExactlyElementsOf(expected);
        assertThat(listed).isSortedAccordingTo(Comparator.comparing(Message::id, Ids::compare));
    }

    @Test
    void text_that_is_not_valid_unicode_or_holds_nul_is_refused_and_nothing_is_stored() {
        UUID session = Ids.newId();
        for (String bad : InvalidText.SAMPLES) {
            InvalidText.assertRefused(bad, () -> store.append(message(Ids.newId(), session, bad)));
            InvalidText.assertRefused(bad, () -> store.append(new Message(Ids.newId(), session, null, MessageRole.DM,
                    "fine", T0, Map.of("model", bad))));
            InvalidText.assertRefused(bad, () -> store.append(new Message(Ids.newId(), session, null, MessageRole.DM,
                    "fine", T0, Map.of(bad, "value"))));
        }
        assertThat(store.count(session)).isZero();
        assertThat(store.list(session, null, 10).items()).isEmpty();
    }
}
