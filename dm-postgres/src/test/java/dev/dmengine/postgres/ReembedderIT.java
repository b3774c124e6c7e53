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

class ReembedderIT {

    /** A deterministic embedder: the text's bytes folded into {@code dimension} buckets. */
    static final class FoldingEmbedder implements Embedder {
        final EmbeddingSpace space;
        final AtomicInteger texts = new AtomicInteger();

        FoldingEmbedder(String model, int dimension) {
            this.space = new EmbeddingSpace(model, dimension);
        }

        @Override
        public EmbeddingSpace space() {
            return space;
        }

        @Override
        public List<float[]> embedAll(List<String> input) {
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
}
