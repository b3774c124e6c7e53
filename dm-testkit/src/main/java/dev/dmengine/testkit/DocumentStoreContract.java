package dev.dmengine.testkit;

import dev.dmengine.spi.Ids;
import dev.dmengine.spi.retrieval.Document;
import dev.dmengine.spi.retrieval.DocumentStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** What every {@link DocumentStore} must do. Extend it and return a fresh, empty store. */
public abstract class DocumentStoreContract {

    protected static final Instant T0 = Instant.parse("2030-01-01T10:00:00.123456Z");

    protected DocumentStore store;

    protected abstract DocumentStore newStore();

    @BeforeEach
    void freshStore() {
        store = newStore();
    }

    protected static Document document(UUID player, UUID session, String text) {
        return new Document(Ids.newId(), player, session, text, T0);
    }

    @Test
    void a_stored_document_is_found_with_or_without_a_session() {
        UUID player = Ids.newId();
        Document inSession = store.put(document(player, Ids.newId(), "The map of the sunken keep"));
        Document ofPlayer = store.put(document(player, null, "Aria fears deep water"));

        assertThat(store.get(inSession.id())).contains(inSession);
        assertThat(store.get(ofPlayer.id())).contains(ofPlayer);
        assertThat(ofPlayer.sessionId()).isNull();
        assertThat(store.get(Ids.newId())).isEmpty();
    }

    @Test
    void put_with_an_existing_id_replaces_text_session_and_time() {
        Document first = store.put(document(Ids.newId(), Ids.newId(), "first text"));
        Document second = new Document(first.id(), first.playerId(), null, "second text\nwith two lines",
                T0.plusSeconds(60));

        assertThat(store.put(second)).isEqualTo(second);

        assertThat(store.get(first.id())).contains(second);
        assertThat(store.countByPlayer(first.playerId())).isEqualTo(1);
    }

    @Test
    void get_all_returns_those_that_exist() {
        UUID player = Ids.newId();
        Document a = store.put(document(player, null, "a"));
        Document b = store.put(document(player, null, "b"));

        assertThat(store.getAll(List.of(a.id(), Ids.newId(), b.id()))).containsExactlyInAnyOrder(a, b);
        assertThat(store.getAll(List.of())).isEmpty();
    }

    @Test
    void delete_removes_the_document_and_says_whether_there_was_one() {
        Document d = store.put(document(Ids.newId(), null, "gone soon"));

        assertThat(store.delete(d.id())).isTrue();
        assertThat(store.get(d.id())).isEmpty();
        assertThat(store.delete(d.id())).isFalse();
    }

    @Test
    void count_by_player_counts_that_players_documents_only() {
        UUID player = Ids.newId();
        UUID other = Ids.newId();
        store.put(document(player, null, "one"));
        store.put(document(player, Ids.newId(), "two"));
        store.put(document(other, null, "three"));

        assertThat(store.countByPlayer(player)).isEqualTo(2);
        assertThat(store.countByPlayer(other)).isEqualTo(1);
        assertThat(store.countByPlayer(Ids.newId())).isZero();
    }

    @Test
    void text_that_is_not_valid_unicode_or_holds_nul_is_refused_and_nothing_is_stored() {
        for (String sample : InvalidText.SAMPLES) {
            Document d = document(Ids.newId(), null, sample);
            InvalidText.assertRefused(sample, () -> store.put(d));
            assertThat(store.get(d.id())).as(InvalidText.describe(sample)).isEmpty();
        }
    }
}
