package dev.dmengine.openai;

import dev.dmengine.spi.retrieval.Embedder;
import dev.dmengine.testkit.EmbedderContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.io.IOException;

/** The Embedder contract against a local server speaking {@code /v1/embeddings}; batches of two. */
class OpenAiEmbedderTest extends EmbedderContract {

    private static FakeOpenAiServer server;

    @BeforeAll
    static void start() throws IOException {
        server = new FakeOpenAiServer();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Override
    protected Embedder newEmbedder() {
        return OpenAiEmbedder.builder()
                .baseUrl(server.baseUrl())
                .model("fake-embed")
                .dimension(FakeOpenAiServer.DIMENSION)
                .batchSize(2)
                .build();
    }
}
