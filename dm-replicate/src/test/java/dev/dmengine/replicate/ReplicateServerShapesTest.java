package dev.dmengine.replicate;

import dev.dmengine.replicate.FakeReplicateServer.CreateThenFailWhileOthersCreate;
import dev.dmengine.replicate.FakeReplicateServer.EmbeddingOutput;
import dev.dmengine.replicate.FakeReplicateServer.Prediction;
import dev.dmengine.replicate.FakeReplicateServer.Replay;
import dev.dmengine.replicate.FakeReplicateServer.Status;
import dev.dmengine.replicate.ReplicateResilienceTest.Recording;
import dev.dmengine.spi.UnavailableException;
import dev.dmengine.spi.generation.ChatMessage;
import dev.dmengine.spi.generation.GenerationRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.List;

import static dev.dmengine.replicate.FakeReplicateServer.problem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The Replicate adapter against Replicate's own shapes: a recorded prediction stream, the
 * paginated list of predictions an ambiguous create is settled with (newest first, {@code next}
 * pages, {@code deployment} on a deployment's predictions), and embedding outputs of several forms.
 */
class ReplicateServerShapesTest {

    private static final String TOKEN = ReplicateLanguageModelTest.TOKEN;
    private static FakeReplicateServer server;

    @BeforeAll
    static void start() throws IOException {
        server = new FakeReplicateServer();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @BeforeEach
    void reset() {
        server.reset();
    }

    private static ReplicateLanguageModel.Builder model() {
        return ReplicateLanguageModel.builder().baseUrl(server.baseUrl()).apiToken(TOKEN)
                .model("meta/meta-llama-3-8b-instruct")
                .initialBackoff(Duration.ofMillis(10)).maxBackoff(Duration.ofMillis(50))
                .pollInterval(Duration.ofMillis(10))
                .firstTokenTimeout(Duration.ofSeconds(20)).totalTimeout(Duration.ofSeconds(60));
    }

    private static GenerationRequest request() {
        return GenerationRequest.builder().message(ChatMessage.system("You are the Dungeon Master."))
                .message(ChatMessage.user("I try the vault door.")).maxTokens(20).build();
    }

    private static Recording run(ReplicateLanguageModel m) {
        Recording h = new Recording();
        m.generate(request(), h);
        return h;
    }

    private static long ours() {
        return server.predictions.values().stream().filter(p -> !p.model.equals("someone/else")).count();
    }

    @Test
    void a_recorded_stream_with_leading_spaces_and_multi_line_output_is_read_exactly() {
        server.nextStream(new Replay("replicate-llama3-stream.sse"));

        Recording h = run(model().build());

        assertThat(h.error).isNull();
        assertThat(h.result.text()).isEqualTo("The vault door is sealed.\n\nWhat do you do?");
        assertThat(h.tokens).startsWith("The", " vault", " door").contains("\n\n");
        assertThat(h.result.attributes()).containsEntry("mode", "stream");
    }

    @Test
    void an_ambiguous_create_for_a_deployment_never_adopts_another_deployments_prediction_with_the_same_input() {
        Recording other = run(model().deployment("acme/other-narrator").build());
        server.nextCreate(new Status(500, null, problem(500, "Internal Server Error", "upstream connect error")));

        Recording h = run(model().deployment("acme/dm-narrator").build());

        assertThat(other.error).isNull();
        assertThat(h.error).isNull();
        Prediction adopted = server.predictions.get(h.result.attributes().get("prediction_id"));
        assertThat(adopted.deployment).isEqualTo("acme/dm-narrator");
        assertThat(h.result.attributes().get("prediction_id"))
                .isNotEqualTo(other.result.attributes().get("prediction_id"));
        assertThat(server.lists.get()).isEqualTo(1);
        assertThat(server.createBodies).hasSize(3); // the other deployment's, the 500, the retry
    }

    @Test
    void an_ambiguous_create_is_found_on_a_later_page_when_others_created_predictions_after_it() {
        server.pageSize = 2;
        server.nextCreate(new CreateThenFailWhileOthersCreate(3));

        Recording h = run(model().build());

        assertThat(h.error).isNull();
        assertThat(server.createBodies).hasSize(1);
        assertThat(ours()).isOne();
        assertThat(server.lists.get()).isEqualTo(2);
    }

    @Test
    void the_lookup_stops_at_the_first_prediction_older_than_the_create() {
        server.pageSize = 2;
        server.ignoreCreatedAfter = true; // the list shows everything: the client must stop by itself
        server.seedOld(40, Duration.ofMinutes(10));
        server.nextCreate(new Status(500, null, problem(500, "Internal Server Error", "boom")));

        Recording h = run(model().build());

        assertThat(h.error).isNull();
        assertThat(server.lists.get()).isEqualTo(1);
        assertThat(server.createBodies).hasSize(2);
        assertThat(ours()).isOne();
    }

    @Test
    void a_next_page_on_another_host_is_not_followed() {
        server.pageSize = 2;
        server.nextPageBase = "http://localhost:1/v1"; // nothing listens there: following it would fail the call
        server.nextCreate(new CreateThenFailWhileOthersCreate(3));

        Recording h = run(model().build());

        assertThat(h.error).isNull();
        assertThat(server.lists.get()).isEqualTo(1);
        assertThat(server.createBodies).hasSize(2); // not found on the first page: created again
    }

    private static ReplicateEmbedder.Builder embedder() {
        return ReplicateEmbedder.builder().baseUrl(server.baseUrl()).apiToken(TOKEN).model("nateraw/bge-large-en-v1.5")
                .dimension(FakeReplicateServer.EMBED_DIMENSION).pollInterval(Duration.ofMillis(10));
    }

    @Test
    void embeddings_given_as_objects_with_an_embedding_are_read_in_order() {
        server.embeddingOutput = EmbeddingOutput.ARRAY_OF_OBJECTS;

        List<float[]> vectors = embedder().build().embedAll(List.of("torch", "rope"));

        assertThat(vectors.get(0)).containsExactly(FakeReplicateServer.hashEmbed("torch"));
        assertThat(vectors.get(1)).containsExactly(FakeReplicateServer.hashEmbed("rope"));
    }

    @Test
    void embeddings_nested_in_the_output_are_read_at_the_configured_pointer() {
        server.embeddingOutput = EmbeddingOutput.NESTED;

        List<float[]> vectors = embedder().outputPointer("/result/vectors").build().embedAll(List.of("torch", "rope"));

        assertThat(vectors).hasSize(2);
        assertThat(vectors.get(1)).containsExactly(FakeReplicateServer.hashEmbed("rope"));
    }

    @Test
    void without_the_pointer_a_nested_output_is_reported_not_guessed() {
        server.embeddingOutput = EmbeddingOutput.NESTED;
        ReplicateEmbedder e = embedder().build();

        assertThatThrownBy(() -> e.embed("torch")).isInstanceOf(UnavailableException.class)
                .hasMessageContaining("no list of vectors");
    }

    @Test
    void a_pointer_that_finds_nothing_is_named_in_the_error() {
        ReplicateEmbedder e = embedder().outputPointer("/data/embeddings").build();

        assertThatThrownBy(() -> e.embed("torch")).isInstanceOf(UnavailableException.class)
                .hasMessageContaining("/data/embeddings");
    }

    @Test
    void a_malformed_pointer_is_refused_when_building() {
        assertThatThrownBy(() -> embedder().outputPointer("embeddings").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("outputPointer");
    }
}
