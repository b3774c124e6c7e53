package dev.dmengine.replicate;

import dev.dmengine.spi.generation.LanguageModel;
import dev.dmengine.testkit.LanguageModelContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.io.IOException;
import java.time.Duration;

/**
 * The LanguageModel contract without streaming: create with {@code Prefer: wait} (which the fake
 * lets expire), then poll the prediction through starting → processing → succeeded.
 */
class ReplicatePollingLanguageModelTest extends LanguageModelContract {

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
    protected LanguageModel newModel() {
        server.reset();
        return ReplicateLanguageModel.builder()
                .baseUrl(server.baseUrl())
                .apiToken(ReplicateLanguageModelTest.TOKEN)
                .model("meta/meta-llama-3-8b-instruct")
                .streaming(false)
                .firstTokenTimeout(Duration.ofSeconds(20))
                .totalTimeout(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(10))
                .build();
    }
}
