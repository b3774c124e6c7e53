package dev.dmengine.examples.jersey;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dmengine.examples.jersey.HttpTestClient.Reply;
import dev.dmengine.examples.jersey.HttpTestClient.ServerSentEvent;
import dev.dmengine.examples.jersey.HttpTestClient.TurnStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The app over real HTTP on a free port, driven by the JDK's HttpClient: a turn streamed as
 * server-sent events, the transcript it leaves, and the errors as problem+json. The same
 * scenarios run in memory and on PostgreSQL.
 */
class JerseyAppIT {

    /** The scenarios; each nested class starts the app on its storage. */
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    abstract static class Scenarios {

        /** The offline narrator, able to pause after its first token until the test says so. */
        final HoldingNarrator model = new HoldingNarrator();
        JerseyApp app;
        HttpTestClient http;

        abstract Settings settings();

        @BeforeAll
        void startTheApp() {
            app = JerseyApp.start(settings(), builder -> builder.languageModel(model));
            http = new HttpTestClient(app.uri());
        }

        /** What to remove once the app is stopped. */
        void cleanUp() throws Exception {
        }

        @AfterAll
        void stopTheApp() throws Exception {
            if (app != null) {
                app.close();
            }
            cleanUp();
        }

        @Test
        void plays_a_streamed_turn_and_the_transcript_holds_both_messages() {
            String player = http.newPlayer("aria");
            String session = http.newSession(player);

            TurnStream turn = http.playStreamed(player, session, "I open the door");
            List<ServerSentEvent> events = turn.readAll();

            assertThat(turn.status()).isEqualTo(200);
            assertThat(turn.contentType()).startsWith("text/event-stream");
            List<String> names = events.stream().map(ServerSentEvent::name).toList();
            assertThat(names.getFirst()).isEqualTo("turn.started");
            assertThat(names).contains("token");
            assertThat(names.getLast()).isEqualTo("turn.completed");
            assertThat(names.lastIndexOf("token")).isLessThan(names.indexOf("dm.message"));
            assertThat(names.indexOf("dm.message")).isLessThan(names.indexOf("turn.completed"));
            assertThat(events).filteredOn(e -> e.name().equals("token"))
                    .allSatisfy(e -> assertThat(e.json().get("text").asText()).isNotEmpty());

            JsonNode started = event(events, "turn.started").json();
            JsonNode dmMessage = event(events, "dm.message").json();
            JsonNode completed = event(events, "turn.completed").json();
            assertThat(completed.get("dmMessageId").asText()).isEqualTo(dmMessage.get("messageId").asText());

            Reply transcript = http.get(player, "sessions/" + session + "/messages");
            assertThat(transcript.status()).isEqualTo(200);
            List<JsonNode> messages = new ArrayList<>();
            transcript.json().get("items").forEach(messages::add);
            assertThat(messages).anySatisfy(m -> {
                assertThat(m.get("id").asText()).isEqualTo(started.get("playerMessageId").asText());
                assertThat(m.get("role").asText()).isEqualTo("player");
                assertThat(m.get("content").asText()).isEqualTo("I open the door");
            });
            assertThat(messages).anySatisfy(m -> {
                assertThat(m.get("id").asText()).isEqualTo(dmMessage.get("messageId").asText());
                assertThat(m.get("role").asText()).isEqualTo("dm");
                assertThat(m.get("content").asText()).isEqualTo(dmMessage.get("content").asText()).isNotBlank();
            });
        }

        @Test
        void tokens_reach_the_client_while_the_turn_runs_and_a_second_turn_meanwhile_is_a_409() {
            String player = http.newPlayer("bram");
            String session = http.newSession(player);
            CountDownLatch gate = model.holdAfterFirstToken();

            TurnStream turn = http.playStreamed(player, session, "I listen at the door");
            ServerSentEvent first = turn.next();
            ServerSentEvent second = turn.next();
            // the model is held after its first token: this token was streamed, not buffered to the end
            assertThat(List.of(first.name(), second.name())).containsExactly("turn.started", "token");

            Reply meanwhile = http.post(player, "sessions/" + session + "/turns", "{\"text\":\"I knock\"}");
            gate.countDown();
            List<ServerSentEvent> rest = turn.readAll();

            assertProblem(meanwhile, 409, "conflict");
            assertThat(rest.getLast().name()).isEqualTo("turn.completed");
        }

        @Test
        void another_players_session_is_a_404_problem_and_nothing_is_stored() {
            String owner = http.newPlayer("cora");
            String session = http.newSession(owner);
            String intruder = http.newPlayer("dorn");

            Reply turn = http.post(intruder, "sessions/" + session + "/turns", "{\"text\":\"I steal the map\"}");
            Reply transcript = http.get(intruder, "sessions/" + session + "/messages");

            assertProblem(turn, 404, "not-found");
            assertProblem(transcript, 404, "not-found");
            assertThat(http.get(owner, "sessions/" + session + "/messages").json().get("items")).isEmpty();
        }

        @Test
        void an_empty_turn_is_a_400_problem_naming_the_field() {
            String player = http.newPlayer("edda");
            String session = http.newSession(player);

            Reply reply = http.post(player, "sessions/" + session + "/turns", "{\"text\":\"   \"}");

            assertProblem(reply, 400, "invalid-input");
            assertThat(reply.json().get("errors").get(0).get("field").asText()).isEqualTo("text");
        }

        @Test
        void a_body_that_is_not_json_is_a_400_problem() {
            String player = http.newPlayer("fenn");

            Reply reply = http.post(player, "characters", "{\"name\": ");

            assertProblem(reply, 400, "malformed-request");
        }

        @Test
        void a_body_over_64_kib_is_a_413_problem() {
            String player = http.newPlayer("gwen");

            Reply reply = http.post(player, "characters", "{\"name\":\"" + "a".repeat(70_000) + "\"}");

            assertProblem(reply, 413, "payload-too-large");
        }

        @Test
        void a_request_without_a_known_player_is_a_401_problem() {
            Reply none = http.get(null, "characters");
            Reply unknown = http.get(UUID.randomUUID().toString(), "characters");

            assertProblem(none, 401, "unauthenticated");
            assertProblem(unknown, 401, "unauthenticated");
        }

        private static ServerSentEvent event(List<ServerSentEvent> events, String name) {
            return events.stream().filter(e -> e.name().equals(name)).findFirst().orElseThrow();
        }

        private static void assertProblem(Reply reply, int status, String type) {
            assertThat(reply.status()).as(reply.body()).isEqualTo(status);
            assertThat(reply.contentType()).startsWith("application/problem+json");
            assertThat(reply.json().get("status").asInt()).isEqualTo(status);
            assertThat(reply.json().get("type").asText()).isEqualTo("https://dmengine.dev/problems/" + type);
            assertThat(reply.json().get("detail").asText()).isNotBlank();
        }
    }

    @Nested
    class InMemory extends Scenarios {
        @Override
        Settings settings() {
            return Settings.inMemory(0);
        }
    }

    /**
     * On the PostgreSQL of {@code DM_TEST_PG_URL} (default {@code jdbc:postgresql://127.0.0.1:5432/test},
     * user {@code DM_TEST_PG_USER} or {@code postgres}), in schemas of its own that are dropped after.
     */
    @Nested
    class OnPostgres extends Scenarios {

        final String url = setting("dm.test.pg.url", "DM_TEST_PG_URL", "jdbc:postgresql://127.0.0.1:5432/test");
        final String user = setting("dm.test.pg.user", "DM_TEST_PG_USER", "postgres");
        final String password = setting("dm.test.pg.password", "DM_TEST_PG_PASSWORD", "");
        final String prefix = "jersey_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10)
                .toLowerCase(Locale.ROOT) + "_";

        @Override
        Settings settings() {
            return Settings.inMemory(0).withPostgres(new Settings.Postgres(url, user, password, prefix));
        }

        @Override
        void cleanUp() throws SQLException {
            try (Connection c = DriverManager.getConnection(url, user, password);
                 Statement s = c.createStatement()) {
                s.execute("DROP SCHEMA IF EXISTS " + prefix + "auth, " + prefix + "game CASCADE");
            }
        }

        private static String setting(String property, String env, String fallback) {
            String v = System.getProperty(property);
            if (v == null || v.isBlank()) {
                v = System.getenv(env);
            }
            return v == null || v.isBlank() ? fallback : v;
        }
    }
}
