package dev.dmengine.core.cache;

import dev.dmengine.core.inmemory.InMemoryCache;
import dev.dmengine.core.inmemory.InMemoryCharacterStore;
import dev.dmengine.core.inmemory.InMemoryMessageStore;
import dev.dmengine.spi.ConflictException;
import dev.dmengine.spi.Ids;
import dev.dmengine.spi.game.CharacterStore;
import dev.dmengine.spi.game.GameCharacter;
import dev.dmengine.spi.game.Message;
import dev.dmengine.spi.game.MessageStore;
import dev.dmengine.testkit.Concurrently;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static dev.dmengine.core.cache.Fixtures.hero;
import static dev.dmengine.core.cache.Fixtures.withHp;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Many threads on two instances, writing and reading at once: no read that starts after a write
 * has returned ever sees what was there before it.
 */
class HotReadsRaceTest {

    private final InMemoryCache cache = new InMemoryCache();

    private HotReads hot(int localCopies) {
        return HotReads.builder(cache).ttl(Duration.ofMinutes(5)).recentWindow(5).localCopies(localCopies).build();
    }

    @Test
    void no_read_started_after_an_update_returned_sees_an_older_version() {
        InMemoryCharacterStore rows = new InMemoryCharacterStore();
        List<CharacterStore> instances = List.of(hot(1_024).characters(rows), hot(1_024).characters(rows),
                hot(0).characters(rows));
        GameCharacter created = instances.getFirst().create(hero(100));
        AtomicLong returned = new AtomicLong(created.version()); // the highest version whose update returned
        AtomicBoolean writing = new AtomicBoolean(true);

        List<Integer> counts = Concurrently.run(8, t -> {
            CharacterStore mine = instances.get(t % instances.size());
            int checks = 0;
            if (t < 3) { // writers: read, change, write (optimistic), 200 times each
                for (int i = 0; i < 200; i++) {
                    GameCharacter current = mine.get(created.id()).orElseThrow();
                    try {
                        GameCharacter stored = mine.update(withHp(current, i));
                        returned.accumulateAndGet(stored.version(), Math::max);
                    } catch (ConflictException lostTheRace) {
                        // another writer's update came first: fine
                    }
                }
                if (t == 0) {
                    writing.set(false);
                }
                return 0;
            }
            while (writing.get() || checks < 100) { // readers
                long floor = returned.get();
                GameCharacter read = mine.get(created.id()).orElseThrow();
                assertThat(read.version()).as("a read after version %d returned", floor).isGreaterThanOrEqualTo(floor);
                checks++;
            }
            return checks;
        });

        GameCharacter last = rows.get(created.id()).orElseThrow();
        for (CharacterStore instance : instances) {
            assertThat(instance.get(created.id())).contains(last);
        }
        assertThat(counts.stream().mapToInt(Integer::intValue).sum()).isGreaterThanOrEqualTo(500);
    }

    @Test
    void no_window_read_started_after_an_append_returned_misses_it() {
        InMemoryMessageStore rows = new InMemoryMessageStore();
        List<MessageStore> instances = List.of(hot(1_024).messages(rows), hot(1_024).messages(rows));
        UUID session = Ids.newId();
        AtomicReference<UUID> lastAppended = new AtomicReference<>();
        AtomicBoolean writing = new AtomicBoolean(true);

        Concurrently.run(6, t -> {
            if (t == 0) { // one writer, as under the session's turn lock, alternating instances
                for (int i = 0; i < 300; i++) {
                    MessageStore writer = instances.get(i % 2);
                    writer.recent(session, 5);
                    Message m = writer.append(Fixtures.message(session, "m" + i));
                    lastAppended.set(m.id());
                }
                writing.set(false);
                return 0;
            }
            MessageStore mine = instances.get(t % 2);
            int checks = 0;
            while (writing.get() || checks < 50) {
                UUID floor = lastAppended.get();
                List<Message> window = mine.recent(session, 1 + checks % 5);
                if (floor != null) {
                    assertThat(window).isNotEmpty();
                    assertThat(Ids.compare(window.getLast().id(), floor)).as("the newest message of the window")
                            .isGreaterThanOrEqualTo(0);
                }
                checks++;
            }
            return checks;
        });

        List<UUID> truth = rows.recent(session, 5).stream().map(Message::id).toList();
        for (MessageStore instance : instances) {
            assertThat(instance.recent(session, 5)).extracting(Message::id).isEqualTo(truth);
        }
    }
}
