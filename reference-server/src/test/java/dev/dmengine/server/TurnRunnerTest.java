package dev.dmengine.server;

import dev.dmengine.core.DmEngine;
import dev.dmengine.core.game.NewCharacter;
import dev.dmengine.core.inmemory.InMemoryJobQueue;
import dev.dmengine.core.narrator.OfflineNarrator;
import dev.dmengine.spi.UnavailableException;
import dev.dmengine.spi.game.GameSession;
import dev.dmengine.spi.game.Message;
import dev.dmengine.spi.game.MessageRole;
import dev.dmengine.spi.identity.Player;
import dev.dmengine.spi.infra.ClaimedJob;
import dev.dmengine.spi.infra.JobInfo;
import dev.dmengine.spi.infra.JobQueue;
import dev.dmengine.spi.infra.JobState;
import dev.dmengine.testkit.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** Queued turns (the 202 path) when the job store fails while their outcome is being written. */
class TurnRunnerTest {

    private static final Duration PATIENCE = Duration.ofSeconds(30);

    /** A job queue whose writes of an outcome fail while {@link #down} is set, as a restarting database's would. */
    static final class FlakyJobQueue implements JobQueue {
        final JobQueue real = new InMemoryJobQueue();
        final AtomicBoolean down = new AtomicBoolean();
        final AtomicInteger refusedWrites = new AtomicInteger();

        private void check() {
            if (down.get()) {
                refusedWrites.incrementAndGet();
                throw new UnavailableException("complete job: the database cannot be reached");
            }
        }

        @Override
        public UUID enqueue(String queue, String payload) {
            return real.enqueue(queue, payload);
        }

        @Override
        public Optional<ClaimedJob> claim(String queue, String workerId, Duration lease) {
            return real.claim(queue, workerId, lease);
        }

        @Override
        public boolean complete(ClaimedJob job, String result) {
            check();
            return real.complete(job, result);
        }

        @Override
        public boolean fail(ClaimedJob job, String reason, boolean retry) {
            check();
            return real.fail(job, reason, retry);
        }

        @Override
        public boolean extend(ClaimedJob job, Duration lease) {
            return real.extend(job, lease);
        }

        @Override
        public Optional<JobInfo> status(UUID jobId) {
            return real.status(jobId);
        }
    }

    private final FlakyJobQueue queue = new FlakyJobQueue();
    private final DmEngine engine = DmEngine.builder().jobQueue(queue).languageModel(new OfflineNarrator(Duration.ZERO))
            .build();
    private final Player player = engine.players().create("aria@example.org", "Aria");
    private final GameSession session = engine.sessions().create(player.id(),
            engine.characters().create(player.id(), NewCharacter.of("Aria", "wizard")).id(), "The sunken keep");
    private TurnRunner runner;

    @AfterEach
    void stop() {
        queue.down.set(false);
        if (runner != null) {
            runner.drain(Duration.ofSeconds(5));
        }
    }

    private JobState state(UUID job) {
        return queue.real.status(job).orElseThrow().state();
    }

    @Test
    void a_queued_turn_whose_outcome_cannot_be_written_while_the_store_is_down_is_written_once_it_is_back() {
        runner = new TurnRunner(engine, 2);
        runner.start();
        queue.down.set(true);

        UUID job = runner.enqueue(new TurnRunner.TurnJob(session.id(), player.id(), "I open the door", null));
        Await.until("the worker tried to write the job's outcome", PATIENCE, () -> queue.refusedWrites.get() >= 1);
        assertThat(state(job)).isEqualTo(JobState.RUNNING);
        queue.down.set(false);

        Await.until("the job's outcome is written", PATIENCE, () -> state(job) == JobState.SUCCEEDED);
        assertThat(queue.real.status(job).orElseThrow().attempts()).isEqualTo(1);
    }

    @Test
    void a_job_claimed_again_after_its_lease_ran_out_replays_its_turn_instead_of_playing_it_twice() {
        runner = new TurnRunner(engine, 2, Duration.ofMillis(300));
        runner.start();
        queue.down.set(true);

        UUID job = runner.enqueue(new TurnRunner.TurnJob(session.id(), player.id(), "I open the door", null));
        Await.until("the job was claimed again after its lease ran out", PATIENCE,
                () -> queue.real.status(job).orElseThrow().attempts() >= 2);
        queue.down.set(false);

        Await.until("the job's outcome is written", PATIENCE, () -> state(job) == JobState.SUCCEEDED);
        assertThat(engine.sessions().messages(player.id(), session.id(), null, 100).items())
                .extracting(Message::role).containsExactly(MessageRole.PLAYER, MessageRole.DM);
    }
}
