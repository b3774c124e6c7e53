package dev.dmengine.replicate;

import dev.dmengine.spi.retrieval.Embedder;
import dev.dmengine.testkit.EmbedderContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.io.IOException;

/** The Embedder contract against a fake Replicate BGE model returning 1024-d vectors, in batches of two. */
class ReplicateEmbedderTest extends EmbedderContract {

    private static FakeReplicateServer server;

    @BeforeAll
    static void start() throws IOException {
        server = new FakeReplicateServer();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Override
    protected Embedder newEmbedder() {
        return ReplicateEmbedder.builder()
                .baseUrl(server.baseUrl())
                .apiToken(ReplicateLanguageModelTest.TOKEN)
                .model("nateraw/bge-large-en-v1.5")
                .dimension(FakeReplicateServer.EMBED_DIMENSION)
                .batchSize(2)
                .build();
    }
}
