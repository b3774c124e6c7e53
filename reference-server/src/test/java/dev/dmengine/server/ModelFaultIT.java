package dev.dmengine.server;

import dev.dmengine.postgres.PostgresAdapters;
import dev.dmengine.server.FakeChatServer.DropAfter;
import dev.dmengine.server.FakeChatServer.Scenario;
import dev.dmengine.server.FakeChatServer.StallAfter;
import dev.dmengine.server.FakeChatServer.StallBeforeHeaders;
import dev.dmengine.server.FakeChatServer.Status;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The fault suite's model half: the DM's language model is an OpenAI-compatible server
 * ({@link FakeChatServer}, over real HTTP) that misbehaves during a turn — stalls before its
 * first byte or after a few tokens, answers 429 (with and without {@code Retry-After}) or 500,
 * or drops the connection mid-reply. The server runs on PostgreSQL (schemas of its own on the
 * shared server) with the adapter's timeouts short: first token 2 s, whole generation 6 s,
 * circuit-breaker cool-down 1 s.
 *
 * <p>What it proves, for each fault: the turn completes when a retry is legitimately possible
 * (nothing reached the player yet) and otherwise fails with {@code turn.failed} and a reason a
 * player can read; no half DM message is stored; and the session is free for the next turn,
 * which completes once the provider behaves.
 */
class ModelFaultIT {

    private static final Duration FIRST_TOKEN = Duration.ofSeconds(2);
    private static final Duration TOTAL = Duration.ofSeconds(6);
    /** Below TOTAL, so a stall mid-reply is ended by the idle timeout (it was ended by the total one). */
    private static final Duration IDLE = Duration.ofSeconds(3);
    /** A bound, not an expectation: many times the slowest case's retries and timeouts. */
    private static final Duration PATIENCE = Duration.ofSeconds(90);
    private static final int PERSISTENT = 40; // more failures than any retry policy makes in one turn

    static FakeChatServer fake;
    static TestServer server;
    static FaultPlay play;
    static String prefix;

    @BeforeAll
    static void start() {
        fake = new FakeChatServer();
        prefix = "mf" + UUID.randomUUID().toString().replace("-", "").substring(0, 10).toLowerCase(Locale.ROOT) + "_";
        server = new TestServer(Map.ofEntries(Map.entry("dm.postgres.url", PostgresGameFlowIT.URL),
                Map.entry("dm.postgres.user", PostgresGameFlowIT.USER),
                Map.entry("dm.postgres.password", PostgresGameFlowIT.PASSWORD),
                Map.entry("dm.postgres.schema-prefix", prefix), Map.entry("dm.postgres.max-pool-size", "4"),
                Map.entry("dm.model.provider", "openai"), Map.entry("dm.model.base-url", fake.baseUrl()),
                Map.entry("dm.model.name", "fake-llm"),
                Map.entry("dm.model.first-token-timeout", FIRST_TOKEN.toMillis() + "ms"),
                Map.entry("dm.model.total-timeout", TOTAL.toMillis() + "ms"),
                Map.entry("dm.model.idle-timeout", IDLE.toMillis() + "ms"),
                Map.entry("dm.model.circuit-breaker-cool-down", "1s")));
        play = new FaultPlay(server);
    }

    @AfterAll
    static void stop() {
        try {
            if (server != null) {
                server.close();
            }
            if (fake != null) {
                fake.close();
            }
        } finally {
            try (PostgresAdapters pg = PostgresAdapters.builder().jdbcUrl(PostgresGameFlowIT.URL)
                    .user(PostgresGameFlowIT.USER).password(PostgresGameFlowIT.PASSWORD).schemaPrefix(prefix)
                    .migrate(false).maxPoolSize(1).build()) {
                pg.dropSchemas();
            }
        }
    }

    @AfterEach
    void behave() {
        fake.reset();
    }

    /** How a fault's turn must end. */
    enum Expect {
        /** A retry was legitimate (nothing had reached the player): the turn completes. */
        COMPLETES,
        /** The turn fails with turn.failed and a readable reason, before any token reached the player. */
        FAILS,
        /** Tokens reached the player, then the stream stalled: the turn fails, nothing of it is stored. */
        FAILS_AFTER_TOKENS,
        /**
         * The connection dropped after tokens were sent: if any reached the player the turn fails
         * (a retry would show them twice); if the drop overtook them (the adapter saw none) a retry
         * is legitimate and the turn may complete, with the whole reply shown once.
         */
        FAILS_IF_TOKENS_SHOWN
    }

    record Fault(String name, List<Scenario> script, Expect expect, boolean queued) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Fault> faults() {
        return Stream.of(
                new Fault("a stall before the first byte, once", List.of(new StallBeforeHeaders()), Expect.COMPLETES,
                        false),
                new Fault("a stall before the first byte, on every attempt", times(new StallBeforeHeaders(), 8),
                        Expect.FAILS, false),
                new Fault("a stall after three tokens", List.of(new StallAfter(3)), Expect.FAILS_AFTER_TOKENS, false),
                new Fault("429 with Retry-After, once", List.of(new Status(429, "1")), Expect.COMPLETES, false),
                new Fault("429 without Retry-After, once", List.of(new Status(429, null)), Expect.COMPLETES, false),
                new Fault("429 with Retry-After, on every attempt", times(new Status(429, "1"), PERSISTENT),
                        Expect.FAILS, false),
                new Fault("500, once", List.of(new Status(500, null)), Expect.COMPLETES, false),
                new Fault("500 on every attempt", times(new Status(500, null), PERSISTENT), Expect.FAILS, false),
                new Fault("500 on every attempt, on a queued turn", times(new Status(500, null), PERSISTENT),
                        Expect.FAILS, true),
                new Fault("the connection dropped before the first token", List.of(new DropAfter(0)),
                        Expect.COMPLETES, false),
                new Fault("the connection dropped after three tokens", List.of(new DropAfter(3)),
                        Expect.FAILS_IF_TOKENS_SHOWN, false),
                new Fault("the connection dropped after three tokens, on a queued turn", List.of(new DropAfter(3)),
                        Expect.FAILS_IF_TOKENS_SHOWN, true));
    }

    private static List<Scenario> times(Scenario s, int n) {
        return Collections.nCopies(n, s);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("faults")
    void a_turn_completes_or_fails_readably_and_the_next_turn_succeeds_once_the_model_behaves(Fault fault)
            throws Exception {
        TestServer.Player p = server.player("Fault");
        String session = server.session(p);
        int requestsBefore = fake.requests.get();
        fake.next(fault.script().toArray(Scenario[]::new));

        FaultPlay.Outcome o = fault.queued()
                ? play.queued(p, session, "I pull the lever", PATIENCE)
                : play.streamed(p, session, "I pull the lever");
        fake.reset(); // the provider behaves from here on
        System.out.printf("ModelFaultIT %s: %s after %d ms, %d model request(s)%n", fault, o,
                (o.endedNanos() - o.startedNanos()) / 1_000_000, fake.requests.get() - requestsBefore);

        SoftAssertions soft = new SoftAssertions();
        Expect expect = fault.expect();
        if (expect == Expect.FAILS_IF_TOKENS_SHOWN) {
            expect = o.showedTokens() ? Expect.FAILS_AFTER_TOKENS : o.completed() ? Expect.COMPLETES : Expect.FAILS;
        }
        switch (expect) {
            case COMPLETES -> {
                soft.assertThat(o.kind()).as("how the turn ended: " + o).isEqualTo(FaultPlay.Kind.COMPLETED);
                if (!fault.queued()) {
                    soft.assertThat(o.streamed()).as("the reply the player watched, whole and once")
                            .isEqualTo(FakeChatServer.REPLY);
                    soft.assertThat(o.dmContent()).as("the stored reply").isEqualTo(FakeChatServer.REPLY);
                }
            }
            case FAILS, FAILS_AFTER_TOKENS, FAILS_IF_TOKENS_SHOWN -> {
                soft.assertThat(o.kind()).as("how the turn ended: " + o).isEqualTo(FaultPlay.Kind.FAILED);
                soft.assertThat(FaultPlay.unreadable(o.reason())).as("the reason of " + o).isEmpty();
                if (expect == Expect.FAILS_AFTER_TOKENS) {
                    soft.assertThat(o.showedTokens()).as("tokens reached the player before the failure").isTrue();
                }
                if (fault.name().equals("a stall after three tokens")) {
                    soft.assertThat(o.reason()).as("ended by the idle timeout, not the total one")
                            .contains("went quiet for " + IDLE.toMillis() + " ms");
                }
            }
        }

        List<String> roles = play.transcript(p, session).stream().map(m -> m.get("role").asText()).toList();
        soft.assertThat(roles).as("the transcript after the fault")
                .isEqualTo(o.completed() ? List.of("player", "dm") : List.of("player"));

        FaultPlay.Outcome next = nextTurnOnceTheModelBehaves(soft, p, session);
        soft.assertThat(next.streamed()).as("the next turn's reply").isEqualTo(FakeChatServer.REPLY);
        try (Connection db = DriverManager.getConnection(PostgresGameFlowIT.URL, PostgresGameFlowIT.USER,
                PostgresGameFlowIT.PASSWORD)) {
            StoredTurns stored = new StoredTurns(db, prefix + "game");
            stored.assertNothingHalfStored(soft);
            stored.assertClientsSawWhatWasStored(soft, List.of(o, next));
        }
        soft.assertAll();
    }

    /**
     * Plays turns until one completes: the first may still meet the circuit breaker the fault
     * opened (its cool-down is 1 s here); each one that does not complete must fail readably.
     */
    private static FaultPlay.Outcome nextTurnOnceTheModelBehaves(SoftAssertions soft, TestServer.Player p,
                                                                 String session) {
        List<FaultPlay.Outcome> tries = new ArrayList<>();
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (System.nanoTime() - deadline < 0) {
            FaultPlay.Outcome o = play.streamed(p, session, "I try the lever again (" + (tries.size() + 1) + ")");
            tries.add(o);
            if (o.completed()) {
                return o;
            }
            soft.assertThat(o.kind()).as("a next turn that did not complete: " + o).isEqualTo(FaultPlay.Kind.FAILED);
            soft.assertThat(FaultPlay.unreadable(o.reason())).as("the reason of " + o).isEmpty();
            FaultPlay.pause(500);
        }
        throw new AssertionError("no turn completed within " + PATIENCE + " once the model behaved: " + tries);
    }
}
