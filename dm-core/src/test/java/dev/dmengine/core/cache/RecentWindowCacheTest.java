package dev.dmengine.core.cache;

import dev.dmengine.core.cache.Fixtures.CountingMessages;
import dev.dmengine.core.inmemory.InMemoryCache;
import dev.dmengine.spi.Ids;
import dev.dmengine.spi.Transactor;
import dev.dmengine.spi.game.Message;
import dev.dmengine.spi.game.MessageStore;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static dev.dmengine.core.cache.Fixtures.message;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The recent window: kept up to date by appends and deletes, on both instances. */
class RecentWindowCacheTest {

    private static final int WINDOW = 4;

    private final InMemoryCache cache = new InMemoryCache();
    private final CountingMessages store = new CountingMessages();
    private final HotReads a = hot();
    private final HotReads b = hot();
    private final MessageStore onA = a.messages(store);
    private final MessageStore onB = b.messages(store);
    private final UUID session = Ids.newId();

    private HotReads hot() {
        return HotReads.builder(cache).ttl(Duration.ofMinutes(5)).recentWindow(WINDOW).build();
    }

    private List<UUID> ids(List<Message> messages) {
        return messages.stream().map(Message::id).toList();
    }

    private List<UUID> truth(int n) {
        return ids(store.inner.recent(session, n));
    }

    @Test
    void appends_update_the_cached_window_so_a_turn_never_reads_the_store_for_it() {
        assertThat(onA.recent(session, WINDOW)).isEmpty();              // cold: read once
        int reads = store.recents.get();

        for (int i = 0; i < 10; i++) {                                // a turn: the player message, then the window
            onA.append(message(session, "player " + i));
            assertThat(ids(onA.recent(session, 3))).isEqualTo(truth(3));
            onA.append(message(session, "dm " + i));
        }

        assertThat(store.recents).as("every window after the first came from the cache").hasValue(reads);
        assertThat(ids(onB.recent(session, WINDOW))).isEqualTo(truth(WINDOW));
        assertThat(store.recents).as("and the other instance reads it too").hasValue(reads);
        assertThat(a.stats().writeThroughs()).isEqualTo(20);
    }

    @Test
    void an_append_on_the_instance_without_a_current_copy_invalidates_and_the_next_read_refills() {
        onA.recent(session, WINDOW);
        onA.append(message(session, "one"));
        onB.append(message(session, "two")); // B holds no copy of the window: it cannot update it

        assertThat(ids(onA.recent(session, WINDOW))).isEqualTo(truth(WINDOW));
        assertThat(ids(onB.recent(session, WINDOW))).isEqualTo(truth(WINDOW));
        assertThat(b.stats().invalidations()).isEqualTo(1);
    }

    @Test
    void a_message_older_than_a_full_window_leaves_it_unchanged_and_a_younger_one_enters_in_id_order() {
        UUID old = Ids.newId();
        UUID between = null;
        for (int i = 0; i < 6; i++) {
            onA.append(message(session, "m" + i));
            if (i == 4) {
                between = Ids.newId();
            }
        }
        onA.recent(session, WINDOW);

        onA.append(new Message(old, session, null, dev.dmengine.spi.game.MessageRole.DM, "late, old", Fixtures.T0,
                java.util.Map.of()));
        UUID betweenId = between;
        onA.append(new Message(betweenId, session, null, dev.dmengine.spi.game.MessageRole.DM, "late, recent",
                Fixtures.T0, java.util.Map.of()));

        assertThat(ids(onB.recent(session, WINDOW))).isEqualTo(truth(WINDOW)).contains(betweenId)
                .doesNotContain(old);
    }

    @Test
    void deletes_shrink_the_window_and_a_longer_request_goes_to_the_store() {
        List<UUID> written = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            written.add(onA.append(message(session, "m" + i)).id());
        }
        onA.recent(session, WINDOW);
        int reads = store.recents.get();

        assertThat(onA.delete(written.get(5))).isTrue();              // the newest: in the window

        assertThat(ids(onB.recent(session, 3))).isEqualTo(truth(3));
        assertThat(store.recents).as("3 of the 3 left: from the cache").hasValue(reads);
        assertThat(ids(onB.recent(session, WINDOW))).isEqualTo(truth(WINDOW));
        assertThat(store.recents).as("4 of 3: refilled from the store").hasValue(reads + 1);
        assertThat(onA.delete(written.get(5))).isFalse();
    }

    @Test
    void deleting_the_session_empties_its_window_everywhere() {
        for (int i = 0; i < 3; i++) {
            onA.append(message(session, "m" + i));
        }
        assertThat(onB.recent(session, WINDOW)).hasSize(3);

        assertThat(onA.deleteSession(session)).isEqualTo(3);

        assertThat(onB.recent(session, WINDOW)).isEmpty();
        assertThat(onA.recent(session, WINDOW)).isEmpty();
    }

    @Test
    void a_request_beyond_the_window_or_an_invalid_one_is_the_stores() {
        for (int i = 0; i < 6; i++) {
            onA.append(message(session, "m" + i));
        }
        int reads = store.recents.get();

        assertThat(ids(onA.recent(session, 6))).isEqualTo(truth(6));
        assertThat(store.recents).hasValue(reads + 1);
        assertThatThrownBy(() -> onA.recent(session, 0)).isInstanceOf(RuntimeException.class);
    }

    @Test
    void the_appends_and_deletes_of_one_transaction_end_once_after_it() {
        List<UUID> written = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            written.add(onA.append(message(session, "m" + i)).id());
        }
        onA.recent(session, WINDOW);
        Transactor tx = a.transactor(Transactor.none());

        tx.inTransaction(() -> { // as TurnCommit does: mechanics, the DM message, the replaced reply deleted
            onA.append(message(session, "mechanics"));
            onA.append(message(session, "dm"));
            onA.delete(written.get(4));
            return null;
        });

        assertThat(a.stats().invalidations()).as("the appends before A held a copy").isEqualTo(5);
        assertThat(a.stats().writeThroughs()).as("one for the whole transaction").isEqualTo(1);
        assertThat(ids(onB.recent(session, 3))).isEqualTo(truth(3));
    }

    @Test
    void a_failed_append_invalidates_the_window() {
        Message m = onA.append(message(session, "once"));
        onA.recent(session, WINDOW);

        assertThatThrownBy(() -> onA.append(m)).isInstanceOf(dev.dmengine.spi.ConflictException.class);

        assertThat(ids(onB.recent(session, WINDOW))).isEqualTo(truth(WINDOW));
        assertThat(a.stats().invalidations()).as("the first append (no copy yet), and the failed one").isEqualTo(2);
    }

    @Test
    void the_window_keeps_its_invariant_through_appends_in_any_order_and_deletes() {
        java.util.Random random = new java.util.Random(7);
        List<UUID> ids = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            ids.add(Ids.newId());
        }
        List<UUID> shuffled = new ArrayList<>(ids);
        java.util.Collections.shuffle(shuffled, random);
        for (UUID id : shuffled) {
            MessageStore writer = random.nextBoolean() ? onA : onB;
            writer.recent(session, 1 + random.nextInt(WINDOW));     // each writer holds a copy now and then
            writer.append(new Message(id, session, null, dev.dmengine.spi.game.MessageRole.PLAYER, "x", Fixtures.T0,
                    java.util.Map.of()));
            if (random.nextInt(5) == 0) {
                List<Message> all = store.inner.recent(session, 100);
                (random.nextBoolean() ? onA : onB).delete(all.get(random.nextInt(all.size())).id());
            }
            for (int n = 1; n <= WINDOW; n++) {
                assertThat(ids((random.nextBoolean() ? onA : onB).recent(session, n))).isEqualTo(truth(n));
            }
        }
    }
}
