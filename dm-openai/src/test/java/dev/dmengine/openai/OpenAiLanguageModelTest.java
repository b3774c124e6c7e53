package dev.dmengine.openai;

import dev.dmengine.spi.generation.LanguageModel;
import dev.dmengine.testkit.LanguageModelContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.io.IOException;
import java.time.Duration;

/** The LanguageModel contract against a local server speaking the chat-completions streaming protocol. */
class OpenAiLanguageModelTest extends LanguageModelContract {

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
    protected LanguageModel newModel() {
        server.reset();
        return OpenAiLanguageModel.builder()
                .baseUrl(server.baseUrl())
                .apiKey("sk-test-contract-key-000000")
                .model("fake-model")
                .firstTokenTimeout(Duration.ofSeconds(20))
                .totalTimeout(Duration.ofSeconds(60))
                .build();
    }
}
