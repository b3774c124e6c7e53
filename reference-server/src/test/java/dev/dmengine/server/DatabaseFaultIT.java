package dev.dmengine.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dmengine.testkit.Await;
import dev.dmengine.testkit.PrivatePostgres;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The fault suite's database half: a reference server on a PostgreSQL cluster of the test's
 * own ({@link PrivatePostgres}: the shared one is never stopped), restarted — a fast shutdown
 * and a crash ({@code -m immediate}), down for a few seconds — while 20 players play turns
 * concurrently, streamed over SSE and, every third turn, through the job queue (202).
 *
 * <p>What it proves: every turn ends as {@code turn.completed}, as {@code turn.failed} with a
 * reason a player can read, or is refused before it started with a readable problem+json 503;
 * nothing is half stored (checked in the database afterwards); and the server recovers unaided:
 * every player plays again, {@code /health/ready} is ready again, and no queued job is left
 * running or queued.
 */
class DatabaseFaultIT {

    private static final int PLAYERS = 20;
    private static final Duration DOWN = Duration.ofSeconds(3);
    /** Bounds, not expectations: each holds many times what the step takes on this machine. */
    private static final Duration RECOVERY = Duration.ofSeconds(90);
    private static final Duration JOB_PATIENCE = Duration.ofSeconds(90);

    static PrivatePostgres pg;
    static TestServer server;
    static FaultPlay play;
    static final List<TestServer.Player> players = new ArrayList<>();
    static final List<String> sessions = new ArrayList<>();

    @BeforeAll
    static void start() {
        pg = PrivatePostgres.create();
        server = new TestServer(Map.of("dm.postgres.url", pg.jdbcUrl(), "dm.postgres.user", pg.user(),
                "dm.postgres.password", "", "dm.postgres.max-pool-size", "10", "dm.jobs.workers", "8",
                "dm.narrator.pacing", "15ms")); // turns long enough that most are in flight when the database stops
        play = new FaultPlay(server);
        ExecutorService setup = Executors.newFixedThreadPool(4); // password hashing is the slow part
        try {
            List<Future<?>> made = new ArrayList<>();
            for (int i = 0; i < PLAYERS; i++) {
                int n = i;
                made.add(setup.submit(() -> {
                    TestServer.Player p = server.player("Player" + n);
                    String session = server.session(p);
                    synchronized (players) {
                        players.add(p);
                        sessions.add(session);
                    }
                }));
            }
            for (Future<?> f : made) {
                f.get();
            }
        } catch (InterruptedException | ExecutionException e) {
            throw new IllegalStateException("could not set up the players", e);
        } finally {
            setup.shutdownNow();
        }
    }

    @AfterAll
    static void stop() {
        try {
            if (server != null) {
                server.close();
            }
        } finally {
            if (pg != null) {
                pg.close();
            }
        }
    }

    @ParameterizedTest(name = "pg_ctl stop -m {0}")
    @EnumSource(PrivatePostgres.StopMode.class)
    void every_turn_completes_or_fails_readably_and_the_server_recovers_when_the_database_restarts(
            PrivatePostgres.StopMode mode) throws Exception {
        List<FaultPlay.Outcome> outcomes = new CopyOnWriteArrayList<>();
        Map<Integer, Long> recovered = new ConcurrentHashMap<>();
        AtomicBoolean done = new AtomicBoolean();
        AtomicLong backAt = new AtomicLong(Long.MAX_VALUE);
        List<Thread> loops = new ArrayList<>();
        for (int i = 0; i < PLAYERS; i++) {
            int n = i;
            loops.add(Thread.ofPlatform().name("player-" + n).start(() -> playUntilDone(n, mode, done, backAt,
                    outcomes, recovered)));
        }
        long downAt;
        try {
            Await.until("every player completed a turn before the restart", RECOVERY,
                    () -> IntStream.range(0, PLAYERS).allMatch(n -> outcomes.stream().anyMatch(o -> o.completed()
                            && o.text().startsWith(mode + " p" + n + " "))));
            downAt = System.nanoTime();
            pg.stop(mode);
            Await.until("/health/ready reports the database down", RECOVERY,
                    () -> server.get("/health/ready", null).status() == 503);
            Await.pass(DOWN);
            pg.start();
            backAt.set(System.nanoTime());
            Await.until("every player played a turn to completion after the database came back", RECOVERY,
                    () -> recovered.size() == PLAYERS);
            Await.until("/health/ready is ready again", RECOVERY,
                    () -> server.get("/health/ready", null).status() == 200);
        } finally {
            done.set(true);
            if (!pg.running()) {
                pg.start();
            }
            for (Thread t : loops) {
                t.join(RECOVERY.toMillis());
            }
        }
        assertThat(loops).as("players still in a turn").noneMatch(Thread::isAlive);

        long recoveredAt = recovered.values().stream().mapToLong(Long::longValue).max().orElseThrow();
        Summary s = new Summary(outcomes, downAt);
        System.out.printf("DatabaseFaultIT %s: down %d ms, every player played again %d ms after the database was "
                + "back; %s%n", mode, (backAt.get() - downAt) / 1_000_000, (recoveredAt - backAt.get()) / 1_000_000, s);
        int slowest = recovered.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
        System.out.println("DatabaseFaultIT " + mode + ": the slowest player to play again, after the restart: "
                + outcomes.stream().filter(o -> o.text().startsWith(mode + " p" + slowest + " ")
                        && o.endedNanos() > downAt).map(o -> o + " [" + (o.startedNanos() - backAt.get()) / 1_000_000
                        + " ms .. " + (o.endedNanos() - backAt.get()) / 1_000_000 + " ms]").toList());
        SoftAssertions soft = new SoftAssertions();
        soft.assertThat(s.broken()).as("turns that neither completed, failed nor were refused cleanly").isEmpty();
        assertReadable(soft, outcomes);
        soft.assertThat(s.inFlightAtStop).as("turns in flight when the database stopped (the case under test)")
                .isPositive();
        soft.assertThat(s.failedMidTurn).as("turns that started before the stop and ended with turn.failed")
                .isPositive();
        try (Connection db = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), "")) {
            StoredTurns stored = new StoredTurns(db, "game");
            String unfinished = "SELECT id, state, attempts, updated_at FROM {game}.jobs "
                    + "WHERE state IN ('QUEUED', 'RUNNING')";
            soft.assertThatCode(() -> Await.until("no queued turn job is left queued or running", RECOVERY,
                    () -> stored.rows(unfinished).isEmpty()))
                    .as(() -> "jobs still queued or running: " + stored.rows(unfinished)).doesNotThrowAnyException();
            stored.assertNothingHalfStored(soft);
            stored.assertClientsSawWhatWasStored(soft, outcomes);
            System.out.println("DatabaseFaultIT " + mode + ": player messages stored without their vector: "
                    + stored.playerMessagesWithoutVector());
        }
        for (int n = 0; n < PLAYERS; n++) {
            assertTranscriptIsWhole(soft, play, players.get(n), sessions.get(n));
        }
        soft.assertAll();
    }

    /** One player's game: turns back to back, every third through the job queue, until told to stop. */
    private static void playUntilDone(int n, PrivatePostgres.StopMode mode, AtomicBoolean done, AtomicLong backAt,
                                      List<FaultPlay.Outcome> outcomes, Map<Integer, Long> recovered) {
        int turn = 0;
        while (!done.get()) {
            turn++;
            String text = mode + " p" + n + " turn " + turn + ": I search the shelves for the key";
            FaultPlay.Outcome o;
            try {
                o = turn % 3 == 0
                        ? play.queued(players.get(n), sessions.get(n), text, JOB_PATIENCE)
                        : play.streamed(players.get(n), sessions.get(n), text);
            } catch (RuntimeException e) {
                o = new FaultPlay.Outcome(FaultPlay.Kind.BROKEN, false, text, e.toString(), 0, null, null, null, "",
                        null, System.nanoTime(), System.nanoTime());
            }
            outcomes.add(o);
            if (o.completed() && o.startedNanos() > backAt.get()) {
                recovered.putIfAbsent(n, o.endedNanos());
            }
            if (o.kind() == FaultPlay.Kind.REFUSED && o.status() == 429) {
                FaultPlay.pause(2_000); // the per-player turn rate: a real client waits for Retry-After
            } else {
                FaultPlay.pause(20 + (n * 7L) % 60); // a player's (short) thinking time
            }
        }
    }

    /** Every reason a client was given is one a player can read (each distinct reason checked once). */
    private static void assertReadable(SoftAssertions soft, List<FaultPlay.Outcome> outcomes) {
        Map<String, FaultPlay.Outcome> byReason = new java.util.LinkedHashMap<>();
        for (FaultPlay.Outcome o : outcomes) {
            if (o.kind() == FaultPlay.Kind.FAILED || o.kind() == FaultPlay.Kind.REFUSED) {
                byReason.putIfAbsent(o.reason().replaceAll("\\d+", "N"), o);
            }
            if (o.kind() == FaultPlay.Kind.REFUSED) {
                soft.assertThat(o.status()).as("a turn refused before it started: " + o).isIn(503, 429);
            }
        }
        byReason.values().forEach(o -> soft.assertThat(FaultPlay.unreadable(o.reason()))
                .as("the reason of " + o).isEmpty());
    }

    /** The transcript a player reads back: whole turns only, each player message once. */
    static void assertTranscriptIsWhole(SoftAssertions soft, FaultPlay play, TestServer.Player p, String session) {
        List<JsonNode> items = play.transcript(p, session);
        Set<String> playerTexts = new HashSet<>();
        Set<String> playerTurns = new HashSet<>();
        for (JsonNode m : items) {
            if (m.get("role").asText().equals("player")) {
                soft.assertThat(playerTexts.add(m.get("content").asText())).as("player message stored once: " + m)
                        .isTrue();
                playerTurns.add(m.get("turnId").asText());
            }
        }
        Map<String, Long> dmPerTurn = items.stream().filter(m -> m.get("role").asText().equals("dm"))
                .collect(Collectors.groupingBy(m -> m.get("turnId").asText(), Collectors.counting()));
        soft.assertThat(dmPerTurn.values()).as("DM messages per turn in " + session).allMatch(c -> c == 1);
        soft.assertThat(playerTurns).as("turns of the DM messages in " + session).containsAll(dmPerTurn.keySet());
    }

    /** Counts of how turns ended, relative to the outage. */
    private static final class Summary {
        final int completed;
        final int failed;
        final int refused;
        final int inFlightAtStop;
        final int failedMidTurn;
        final List<FaultPlay.Outcome> brokenTurns;
        final Map<String, Long> reasons;

        Summary(List<FaultPlay.Outcome> outcomes, long downAt) {
            completed = (int) outcomes.stream().filter(FaultPlay.Outcome::completed).count();
            failed = (int) outcomes.stream().filter(o -> o.kind() == FaultPlay.Kind.FAILED).count();
            refused = (int) outcomes.stream().filter(o -> o.kind() == FaultPlay.Kind.REFUSED).count();
            inFlightAtStop = (int) outcomes.stream()
                    .filter(o -> o.startedNanos() < downAt && o.endedNanos() > downAt).count();
            failedMidTurn = (int) outcomes.stream().filter(o -> o.kind() == FaultPlay.Kind.FAILED
                    && o.startedNanos() < downAt && o.endedNanos() > downAt).count();
            brokenTurns = outcomes.stream().filter(o -> o.kind() == FaultPlay.Kind.BROKEN).toList();
            reasons = outcomes.stream().filter(o -> o.reason() != null)
                    .collect(Collectors.groupingBy(o -> o.kind() + ": " + o.reason(), Collectors.counting()));
        }

        List<FaultPlay.Outcome> broken() {
            return brokenTurns;
        }

        @Override
        public String toString() {
            return completed + " completed, " + failed + " failed, " + refused + " refused, " + brokenTurns.size()
                    + " broken; " + inFlightAtStop + " in flight at the stop, " + failedMidTurn
                    + " of them failed; reasons " + reasons;
        }
    }
}
