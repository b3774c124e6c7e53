package dev.dmengine.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dmengine.spi.Ids;
import dev.dmengine.spi.game.Message;
import dev.dmengine.spi.game.MessageRole;
import dev.dmengine.spi.retrieval.EmbeddingSpace;
import dev.dmengine.spi.retrieval.Embedder;
import dev.dmengine.spi.retrieval.VectorMatch;
import dev.dmengine.spi.retrieval.VectorQuery;
import dev.dmengine.spi.retrieval.VectorRecord;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import dev.dmengine.spi.ConflictException;
import dev.dmengine.spi.retrieval.Document;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ReembedderIT {

    /** A deterministic embedder: the text's bytes folded into {@code dimension} buckets. */
    static final class FoldingEmbedder implements Embedder {
        final EmbeddingSpace space;
        final AtomicInteger texts = new AtomicInteger();
        final AtomicInteger calls = new AtomicInteger();
        volatile int failOnCall = -1;

        FoldingEmbedder(String model, int dimension) {
            this.space = new EmbeddingSpace(model, dimension);
        }

        @Override
        public EmbeddingSpace space() {
            return space;
        }

        @Override
        public List<float[]> embedAll(List<String> input) {
            if (calls.incrementAndGet() == failOnCall) {
                throw new IllegalStateException("the embedder's process died");
            }
            texts.addAndGet(input.size());
            List<float[]> out = new ArrayList<>();
            for (String t : input) {
                float[] v = new float[space.dimension()];
                byte[] bytes = t.getBytes(StandardCharsets.UTF_8);
                for (int i = 0; i < bytes.length; i++) {
                    v[i % v.length] += bytes[i] * (i + 1);
                }
                v[0] += 1;
                out.add(v);
            }
            return out;
        }
    }

    @Test
    void builds_a_new_space_in_batches_resumes_after_a_crash_and_switches_atomically() {
        String suffix = PgTest.randomSuffix();
        FoldingEmbedder oldModel = new FoldingEmbedder("old-model", 4);
        FoldingEmbedder newModel = new FoldingEmbedder("new-model", 12);
        UUID player = Ids.newId();
        UUID session = Ids.newId();
        List<Message> messages = new ArrayList<>();
        try (var s = new PgTest.Schemas(PgTest.builder(suffix))) {
            PostgresAdapters pg = s.pg;
            for (int i = 0; i < 50; i++) {
                Message m = pg.messages().append(new Message(Ids.newId(), session, null, MessageRole.PLAYER,
                        "message number " + i + " about the dragon", Instant.now(), Map.of()));
                messages.add(m);
                pg.vectorIndex().upsert(oldModel.space(), new VectorRecord(m.id(), session, player,
                        oldModel.embed(m.content())));
            }
            assertThat(pg.embeddingSpaces().active()).contains(oldModel.space());

            // two batches, then the process "crashes"
            Reembedder.Progress partial = pg.reembedder().run(newModel, 10, 2);
            assertThat(partial.done()).isEqualTo(20);
            assertThat(partial.total()).isEqualTo(50);
            assertThat(partial.state()).isEqualTo("RUNNING");
            assertThat(newModel.texts.get()).isEqualTo(20);
            // retrieval still uses the old space
            assertThat(pg.embeddingSpaces().active()).contains(oldModel.space());
            assertThat(pg.embeddingSpaces().state(newModel.space())).isEqualTo(EmbeddingSpaces.State.BUILDING);
            List<VectorMatch> old = pg.vectorIndex().search(VectorQuery.session(oldModel.space(), session,
                    oldModel.embed(messages.get(3).content()), 1, Set.of()));
            assertThat(old).extracting(VectorMatch::messageId).containsExactly(messages.get(3).id());

            // a new process on the same database resumes after the last committed batch
            try (PostgresAdapters restarted = PgTest.builder(suffix).build()) {
                assertThat(restarted.reembedder().progress(newModel.space())).get()
                        .satisfies(p -> assertThat(p.done()).isEqualTo(20));
                Reembedder.Progress done = restarted.reembedder().run(newModel, 10, Integer.MAX_VALUE);
                assertThat(done.switched()).isTrue();
                assertThat(done.done()).isEqualTo(50);
                assertThat(done.total()).isEqualTo(50);
                assertThat(newModel.texts.get()).isEqualTo(50); // nothing embedded twice
                assertThat(restarted.embeddingSpaces().active()).contains(newModel.space());
                assertThat(restarted.embeddingSpaces().state(oldModel.space())).isEqualTo(EmbeddingSpaces.State.READY);
                assertThat(restarted.vectorIndex().count(newModel.space(), session)).isEqualTo(50);
                List<VectorMatch> hits = restarted.vectorIndex().search(VectorQuery.session(newModel.space(), session,
                        newModel.embed(messages.get(17).content()), 1, Set.of()));
                assertThat(hits).extracting(VectorMatch::messageId).containsExactly(messages.get(17).id());
            }
        }
    }

    /** 50 messages with vectors in the old space, in one session. */
    private static List<Message> seed(PostgresAdapters pg, Embedder model, UUID session, UUID player, int n) {
        List<Message> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(message(pg, model, session, player, Ids.newId(), "message number " + i + " about the dragon"));
        }
        return out;
    }

    private static Message message(PostgresAdapters pg, Embedder model, UUID session, UUID player, UUID id,
                                   String text) {
        Message m = pg.messages().append(new Message(id, session, null, MessageRole.PLAYER, text, Instant.now(),
                Map.of()));
        pg.vectorIndex().upsert(model.space(), new VectorRecord(m.id(), session, player, model.embed(m.content())));
        return m;
    }

    private static UUID top(PostgresAdapters pg, Embedder model, UUID scope, String text) {
        List<VectorMatch> hits = pg.vectorIndex().search(VectorQuery.session(model.space(), scope, model.embed(text), 1,
                Set.of()));
        return hits.isEmpty() ? null : hits.getFirst().messageId();
    }

    @Test
    void a_run_whose_embedder_fails_midway_resumes_in_another_process_without_embedding_a_committed_batch_again() {
        String suffix = PgTest.randomSuffix();
        FoldingEmbedder oldModel = new FoldingEmbedder("old-model", 4);
        FoldingEmbedder newModel = new FoldingEmbedder("new-model", 12);
        newModel.failOnCall = 4; // batches 1 to 3 commit, the 4th dies after reading its rows
        UUID player = Ids.newId();
        UUID session = Ids.newId();
        try (var s = new PgTest.Schemas(PgTest.builder(suffix))) {
            List<Message> messages = seed(s.pg, oldModel, session, player, 50);
            List<String> seenDuringRun = new ArrayList<>();
            assertThatThrownBy(() -> s.pg.reembedder().run(newModel, 10, Integer.MAX_VALUE, (p, n) ->
                    // retrieval keeps answering from the old space while the run works
                    seenDuringRun.add(top(s.pg, oldModel, session, messages.get(7).content()).toString())))
                    .hasMessageContaining("died");
            assertThat(seenDuringRun).hasSize(3).containsOnly(messages.get(7).id().toString());
            Reembedder.Progress crashed = s.pg.reembedder().progress(newModel.space()).orElseThrow();
            assertThat(crashed.done()).isEqualTo(30);
            assertThat(crashed.state()).isEqualTo("RUNNING");
            assertThat(s.pg.reembedder().running(newModel.space())).isFalse(); // the lock went with the run
            assertThat(s.pg.embeddingSpaces().active()).contains(oldModel.space());

            FoldingEmbedder again = new FoldingEmbedder("new-model", 12);
            try (PostgresAdapters restarted = PgTest.builder(suffix).build()) {
                Reembedder.Progress done = restarted.reembedder().run(again, 10, Integer.MAX_VALUE);
                assertThat(done.switched()).isTrue();
                assertThat(done.done()).isEqualTo(50);
                assertThat(again.texts.get()).isEqualTo(20); // the 30 committed are not embedded again
                assertThat(restarted.embeddingSpaces().active()).contains(newModel.space());
                assertThat(restarted.vectorIndex().count(newModel.space(), session)).isEqualTo(50);
                assertThat(top(restarted, again, session, messages.get(42).content())).isEqualTo(messages.get(42).id());
            }
        }
    }

    @Test
    void writes_behind_the_cursor_and_changed_documents_are_in_the_new_space_when_it_switches() {
        FoldingEmbedder oldModel = new FoldingEmbedder("old-model", 4);
        FoldingEmbedder newModel = new FoldingEmbedder("new-model", 12);
        UUID player = Ids.newId();
        UUID session = Ids.newId();
        UUID docScope = Ids.newId();
        try (var s = new PgTest.Schemas()) {
            PostgresAdapters pg = s.pg;
            seed(pg, oldModel, session, player, 30);
            // a document filed with an id older than every message: the first batch takes it
            Document doc = pg.documents().put(new Document(new UUID(0, 1), player, null, "the old map of the keep",
                    Instant.now()));
            pg.vectorIndex().upsert(oldModel.space(), new VectorRecord(doc.id(), docScope, player,
                    oldModel.embed(doc.text())));

            Reembedder.Progress partial = pg.reembedder().run(newModel, 10, 2);
            assertThat(partial.done()).isEqualTo(20);

            // the document is rewritten behind the cursor, as /vec/upsert does it: text, vectors
            // out of every space, the new vector in the active one
            Document changed = pg.documents().put(new Document(doc.id(), player, null, "a new map, drawn in blood",
                    Instant.now()));
            pg.vectorIndex().delete(doc.id());
            pg.vectorIndex().upsert(oldModel.space(), new VectorRecord(doc.id(), docScope, player,
                    oldModel.embed(changed.text())));
            // a message whose vector arrives behind the cursor
            Message late = message(pg, oldModel, session, player, new UUID(0, 2), "a late message about the moat");

            Reembedder.Progress done = pg.reembedder().run(newModel, 10, Integer.MAX_VALUE);

            assertThat(done.switched()).isTrue();
            assertThat(pg.vectorIndex().count(newModel.space(), session)).isEqualTo(31);
            assertThat(top(pg, newModel, session, late.content())).isEqualTo(late.id());
            List<VectorMatch> docHit = pg.vectorIndex().search(VectorQuery.session(newModel.space(), docScope,
                    newModel.embed(changed.text()), 1, Set.of()));
            assertThat(docHit).singleElement().satisfies(m -> {
                assertThat(m.messageId()).isEqualTo(doc.id());
                assertThat(m.score()).isGreaterThan(0.9999); // made from the new text, not the old
            });
        }
    }

    @Test
    void one_process_runs_a_run_at_a_time_and_a_stopped_run_resumes_where_it_stopped() throws Exception {
        String suffix = PgTest.randomSuffix();
        FoldingEmbedder oldModel = new FoldingEmbedder("old-model", 4);
        FoldingEmbedder newModel = new FoldingEmbedder("new-model", 12);
        try (var s = new PgTest.Schemas(PgTest.builder(suffix));
             PostgresAdapters other = PgTest.builder(suffix).build()) {
            seed(s.pg, oldModel, Ids.newId(), Ids.newId(), 40);
            CountDownLatch inBatch = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            AtomicReference<Reembedder.Progress> first = new AtomicReference<>();
            Thread runner = Thread.ofVirtual().start(() -> first.set(s.pg.reembedder().run(newModel, 10,
                    Integer.MAX_VALUE, (p, n) -> {
                        if (p.done() == 10) {
                            other.reembedder().requestStop(newModel.space());
                            inBatch.countDown();
                            await(release);
                        }
                    })));
            assertThat(inBatch.await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(other.reembedder().running(newModel.space())).isTrue();
            assertThatThrownBy(() -> other.reembedder().run(new FoldingEmbedder("new-model", 12), 10, 1))
                    .isInstanceOf(ConflictException.class).hasMessageContaining("another process");
            assertThatThrownBy(() -> other.reembedder().cancel(newModel.space())).isInstanceOf(ConflictException.class);
            release.countDown();
            runner.join(30_000);

            assertThat(first.get().done()).isEqualTo(10);
            assertThat(first.get().stopRequested()).isTrue();
            assertThat(first.get().state()).isEqualTo("RUNNING");
            assertThat(other.reembedder().running(newModel.space())).isFalse();
            assertThat(other.reembedder().latest()).get().satisfies(p -> assertThat(p.target()).isEqualTo(newModel.space()));

            // another target cannot start while this run is unfinished
            assertThatThrownBy(() -> other.reembedder().run(new FoldingEmbedder("third-model", 6), 10, 1))
                    .isInstanceOf(ConflictException.class).hasMessageContaining("unfinished");

            Reembedder.Progress resumed = other.reembedder().run(new FoldingEmbedder("new-model", 12), 10,
                    Integer.MAX_VALUE);
            assertThat(resumed.switched()).isTrue();
            assertThat(resumed.stopRequested()).isFalse();
            assertThat(resumed.done()).isEqualTo(40);
            assertThat(newModel.texts.get()).isEqualTo(10);
        }
    }

    @Test
    void cancel_drops_an_unfinished_run_and_the_vectors_it_built() {
        FoldingEmbedder oldModel = new FoldingEmbedder("old-model", 4);
        FoldingEmbedder newModel = new FoldingEmbedder("new-model", 12);
        UUID session = Ids.newId();
        try (var s = new PgTest.Schemas()) {
            seed(s.pg, oldModel, session, Ids.newId(), 25);
            s.pg.reembedder().run(newModel, 10, 1);
            assertThat(s.pg.vectorIndex().count(newModel.space(), session)).isEqualTo(10);

            s.pg.reembedder().cancel(newModel.space());

            assertThat(s.pg.reembedder().progress(newModel.space())).isEmpty();
            assertThat(s.pg.vectorIndex().count(newModel.space(), session)).isZero();
            assertThat(s.pg.embeddingSpaces().state(newModel.space())).isEqualTo(EmbeddingSpaces.State.RETIRED);
            assertThat(s.pg.embeddingSpaces().active()).contains(oldModel.space());
            // and a new run starts from the beginning
            Reembedder.Progress again = s.pg.reembedder().run(newModel, 10, Integer.MAX_VALUE);
            assertThat(again.switched()).isTrue();
            assertThat(s.pg.vectorIndex().count(newModel.space(), session)).isEqualTo(25);
        }
    }

    @Test
    void settle_embeds_what_turns_begun_before_the_switch_wrote_to_the_old_space() {
        FoldingEmbedder oldModel = new FoldingEmbedder("old-model", 4);
        FoldingEmbedder newModel = new FoldingEmbedder("new-model", 12);
        UUID session = Ids.newId();
        UUID player = Ids.newId();
        try (var s = new PgTest.Schemas()) {
            seed(s.pg, oldModel, session, player, 12);
            Reembedder.Progress switched = s.pg.reembedder().run(newModel, 5, Integer.MAX_VALUE);
            assertThat(switched.switched()).isTrue();
            assertThat(switched.settled()).isFalse();

            Message late = message(s.pg, oldModel, session, player, Ids.newId(), "the reply of a turn begun earlier");
            assertThat(s.pg.vectorIndex().count(newModel.space(), session)).isEqualTo(12);

            Reembedder.Progress settled = s.pg.reembedder().settle(newModel, 5, Reembedder.Listener.NONE);

            assertThat(settled.settled()).isTrue();
            assertThat(settled.done()).isEqualTo(13);
            assertThat(top(s.pg, newModel, session, late.content())).isEqualTo(late.id());
            // a second run of the switched space has nothing to do
            assertThat(s.pg.reembedder().run(newModel, 5, Integer.MAX_VALUE).done()).isEqualTo(13);
        }
    }

    @Test
    void a_large_backlog_for_the_new_graph_is_built_at_once_before_the_switch() throws Exception {
        String suffix = PgTest.randomSuffix();
        FoldingEmbedder oldModel = new FoldingEmbedder("old-model", 4);
        FoldingEmbedder newModel = new FoldingEmbedder("new-model", 12);
        UUID player = Ids.newId();
        try (var s = new PgTest.Schemas(PgTest.builder(suffix).annIndexer(false))) {
            seed(s.pg, oldModel, Ids.newId(), player, 30);
            s.pg.reembedder().rebuildGraphAt(20);

            s.pg.reembedder().run(newModel, 10, Integer.MAX_VALUE);

            assertThat(s.pg.vectorIndex().pending(newModel.space())).isZero();
            String ann = s.pg.embeddingSpaces().find(newModel.space()).orElseThrow().annTable();
            try (var c = PgTest.connect(); var st = c.createStatement();
                 var rs = st.executeQuery("SELECT count(*) FROM " + ann)) {
                rs.next();
                assertThat(rs.getLong(1)).as("every vector in the graph").isEqualTo(30);
            }
            List<VectorMatch> hits = s.pg.vectorIndex().search(VectorQuery.player(newModel.space(), player,
                    newModel.embed("message number 4 about the dragon"), 1));
            assertThat(hits).hasSize(1);
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
