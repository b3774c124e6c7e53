package dev.dmengine.core.jobs;

import dev.dmengine.core.DmEngine;
import dev.dmengine.core.game.NewCharacter;
import dev.dmengine.core.inmemory.InMemoryJobQueue;
import dev.dmengine.core.narrator.OfflineNarrator;
import dev.dmengine.core.turn.TurnEvent;
import dev.dmengine.core.turn.TurnListener;
import dev.dmengine.core.turn.TurnRequest;
import dev.dmengine.spi.IdempotencyKeyReusedException;
import dev.dmengine.spi.NotFoundException;
import dev.dmengine.spi.UnavailableException;
import dev.dmengine.spi.game.GameSession;
import dev.dmengine.spi.game.Message;
import dev.dmengine.spi.game.MessageRole;
import dev.dmengine.spi.generation.CancellationSignal;
import dev.dmengine.spi.identity.Player;
import dev.dmengine.spi.infra.ClaimedJob;
import dev.dmengine.spi.infra.Enqueued;
import dev.dmengine.spi.infra.JobInfo;
import dev.dmengine.spi.infra.JobQueue;
import dev.dmengine.spi.infra.JobState;
import dev.dmengine.spi.infra.NewJob;
import dev.dmengine.testkit.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Turns run by the engine's job service: queued and streamed, idempotent, owner-checked, drained. */
class TurnJobsTest {

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
        public Enqueued enqueue(NewJob job) {
            return real.enqueue(job);
        }

        @Override
        public Optional<JobInfo> find(String queue, String idempotencyKey) {
            return real.find(queue, idempotencyKey);
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
    private DmEngine engine = engine(Duration.ofSeconds(60));
    private Player player = engine.players().create("aria@example.org", "Aria");
    private GameSession session = newSession(player);
    private TurnJobs jobs;

    private DmEngine engine(Duration lease) {
        return DmEngine.builder().jobQueue(queue).languageModel(new OfflineNarrator(Duration.ZERO)).jobWorkers(2)
                .jobLease(lease).build();
    }

    private GameSession newSession(Player p) {
        return engine.sessions().create(p.id(), engine.characters().create(p.id(), NewCharacter.of("Aria", "wizard"))
                .id(), "The sunken keep");
    }

    private TurnRequest say(String text, String key) {
        return new TurnRequest(session.id(), player.id(), text, key, new CancellationSignal());
    }

    @AfterEach
    void stop() {
        queue.down.set(false);
        if (jobs != null) {
            jobs.drain(Duration.ofSeconds(5));
        }
    }

    private JobState state(UUID job) {
        return queue.real.status(job).orElseThrow().state();
    }

    private List<MessageRole> roles() {
        return engine.sessions().messages(player.id(), session.id(), null, 100).items().stream()
                .map(Message::role).toList();
    }

    @Test
    void a_queued_turn_is_played_by_the_worker_and_its_owner_reads_the_outcome() {
        jobs = engine.jobs();
        jobs.start();
        TurnJobs.Ticket ticket = jobs.enqueue(say("I open the door", null));

        assertThat(ticket.created()).isTrue();
        assertThat(ticket.sessionId()).isEqualTo(session.id());
        Await.until("the job succeeded", PATIENCE, () -> jobs.status(player.id(), ticket.jobId()).state()
                == JobState.SUCCEEDED);
        TurnJobs.Status status = jobs.status(player.id(), ticket.jobId());
        TurnJobs.Outcome outcome = status.outcome().orElseThrow();
        assertThat(status.sessionId()).isEqualTo(session.id());
        assertThat(status.error()).isEmpty();
        assertThat(outcome.seq()).isEqualTo(1);
        assertThat(outcome.replayed()).isFalse();
        assertThat(roles()).containsExactly(MessageRole.PLAYER, MessageRole.DM);
    }

    @Test
    void another_players_job_is_not_found_like_one_that_does_not_exist() {
        UUID job = engine.jobs().enqueue(say("I open the door", null)).jobId();
        Player mallory = engine.players().create("mallory@example.org", "Mallory");

        assertThatThrownBy(() -> engine.jobs().status(mallory.id(), job)).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> engine.jobs().status(player.id(), UUID.randomUUID()))
                .isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> engine.jobs().enqueue(new TurnRequest(session.id(), mallory.id(), "mine now", null,
                new CancellationSignal()))).as("nor can one queue a turn in another player's session")
                .isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> engine.jobs().enqueueRegeneration(session.id(), mallory.id()))
                .isInstanceOf(NotFoundException.class);
    }

    @Test
    void a_key_sent_again_with_the_same_text_gets_the_same_job_and_with_another_text_is_refused() {
        TurnJobs.Ticket first = engine.jobs().enqueue(say("I open the door", "k-1"));
        TurnJobs.Ticket again = engine.jobs().enqueue(say("  I open the door  ", "k-1")); // stored text is stripped

        assertThat(again.jobId()).isEqualTo(first.jobId());
        assertThat(again.created()).isFalse();
        assertThatThrownBy(() -> engine.jobs().enqueue(say("I burn the door", "k-1")))
                .isInstanceOf(IdempotencyKeyReusedException.class).hasMessageContaining("k-1");
        assertThatThrownBy(() -> engine.jobs().play(say("I burn the door", "k-1"), TurnListener.NONE))
                .as("a streamed turn whose key names a queued turn of another message")
                .isInstanceOf(IdempotencyKeyReusedException.class);
        assertThat(roles()).as("nothing was played").isEmpty();
        assertThat(engine.jobs().enqueue(say("I open the door", "k-1-other-session-key")).jobId())
                .isNotEqualTo(first.jobId());
    }

    @Test
    void the_same_key_in_another_session_is_another_job() {
        GameSession other = newSession(player);
        UUID a = engine.jobs().enqueue(say("I open the door", "same")).jobId();
        UUID b = engine.jobs().enqueue(new TurnRequest(other.id(), player.id(), "I open the door", "same",
                new CancellationSignal())).jobId();
        assertThat(a).isNotEqualTo(b);
    }

    @Test
    void a_streamed_turn_hands_the_listener_each_event_with_its_bus_id() {
        List<Long> ids = new CopyOnWriteArrayList<>();
        List<String> names = new CopyOnWriteArrayList<>();
        engine.jobs().play(say("I open the door", null), new TurnListener() {
            @Override
            public void onEvent(TurnEvent event) {
                throw new AssertionError("the engine calls onPublished");
            }

            @Override
            public void onPublished(TurnEvent event, long eventId) {
                ids.add(eventId);
                names.add(event.name());
            }
        });
        var bus = engine.ports().eventBus().since(dev.dmengine.core.turn.TurnEngine.topic(session.id()), 0, 1000);
        assertThat(ids).isEqualTo(bus.stream().map(e -> e.id()).toList());
        assertThat(names).isEqualTo(bus.stream().map(e -> e.name()).toList());
        assertThat(names.getFirst()).isEqualTo(TurnEvent.STARTED);
        assertThat(names.getLast()).isEqualTo(TurnEvent.COMPLETED);
    }

    @Test
    void a_queued_turn_whose_outcome_cannot_be_written_while_the_store_is_down_is_written_once_it_is_back() {
        jobs = engine.jobs();
        jobs.start();
        queue.down.set(true);

        UUID job = jobs.enqueue(say("I open the door", null)).jobId();
        Await.until("the worker tried to write the job's outcome", PATIENCE, () -> queue.refusedWrites.get() >= 1);
        assertThat(state(job)).isEqualTo(JobState.RUNNING);
        queue.down.set(false);

        Await.until("the job's outcome is written", PATIENCE, () -> state(job) == JobState.SUCCEEDED);
        assertThat(queue.real.status(job).orElseThrow().attempts()).isEqualTo(1);
    }

    @Test
    void a_job_claimed_again_after_its_lease_ran_out_replays_its_turn_instead_of_playing_it_twice() {
        engine = engine(Duration.ofMillis(300));
        player = engine.players().create("aria@example.org", "Aria");
        session = newSession(player);
        jobs = engine.jobs();
        jobs.start();
        queue.down.set(true);

        UUID job = jobs.enqueue(say("I open the door", null)).jobId();
        Await.until("the job was claimed again after its lease ran out", PATIENCE,
                () -> queue.real.status(job).orElseThrow().attempts() >= 2);
        queue.down.set(false);

        Await.until("the job's outcome is written", PATIENCE, () -> state(job) == JobState.SUCCEEDED);
        assertThat(roles()).containsExactly(MessageRole.PLAYER, MessageRole.DM);
        assertThat(jobs.status(player.id(), job).outcome().orElseThrow().replayed()).isTrue();
    }

    @Test
    void a_job_delivered_again_waits_for_the_dead_workers_session_lock_instead_of_failing() {
        engine = DmEngine.builder().jobQueue(queue).languageModel(new OfflineNarrator(Duration.ZERO)).jobWorkers(2)
                .jobLease(Duration.ofSeconds(1))
                .turnConfig(dev.dmengine.core.turn.TurnConfig.defaults().withLockTtl(Duration.ofSeconds(1))).build();
        player = engine.players().create("aria@example.org", "Aria");
        session = newSession(player);
        UUID job = engine.jobs().enqueue(say("I open the door", null)).jobId();
        // a worker that claimed the job and took the session's lock, then died: both leases run out by themselves
        assertThat(queue.real.claim(TurnJobs.QUEUE, "dead-worker", Duration.ofMillis(200))).isPresent();
        assertThat(engine.ports().cache().putIfAbsent("dm:turn-lock:" + session.id(), "dead-worker",
                Duration.ofSeconds(1))).isTrue();
        jobs = engine.jobs();
        jobs.start();

        Await.until("the job succeeds once the dead worker's lock expired", PATIENCE, () -> state(job)
                == JobState.SUCCEEDED);
        assertThat(queue.real.status(job).orElseThrow().attempts()).as("the dead worker's and at least ours")
                .isGreaterThanOrEqualTo(2);
        assertThat(roles()).as("played once").containsExactly(MessageRole.PLAYER, MessageRole.DM);
    }

    @Test
    void a_running_turn_keeps_its_job_beyond_the_lease_because_the_worker_renews_it() throws Exception {
        var release = new java.util.concurrent.CountDownLatch(1);
        // renewed every third of the lease: a renewal may be 670 ms late before the job is lost
        engine = DmEngine.builder().jobQueue(queue).jobWorkers(2).jobLease(Duration.ofSeconds(1))
                .languageModel(new SlowModel(release)).build();
        player = engine.players().create("aria@example.org", "Aria");
        session = newSession(player);
        jobs = engine.jobs();
        jobs.start();

        UUID job = jobs.enqueue(say("I wait", null)).jobId();
        Await.until("the job runs", PATIENCE, () -> state(job) == JobState.RUNNING);
        Thread.sleep(3_000); // three leases
        assertThat(queue.real.status(job).orElseThrow().attempts()).as("never claimed again").isEqualTo(1);
        release.countDown();
        Await.until("the job's outcome is written", PATIENCE, () -> state(job) == JobState.SUCCEEDED);
    }

    @Test
    void draining_refuses_new_turns_and_cancels_those_that_outlive_the_grace_period() throws Exception {
        var release = new java.util.concurrent.CountDownLatch(1);
        engine = DmEngine.builder().jobQueue(queue).languageModel(new SlowModel(release)).build();
        player = engine.players().create("aria@example.org", "Aria");
        session = newSession(player);
        List<String> events = new CopyOnWriteArrayList<>();
        List<Throwable> failures = new ArrayList<>();
        Thread t = Thread.ofVirtual().start(() -> {
            try {
                engine.jobs().play(say("I wait", null), e -> events.add(e.name()));
            } catch (RuntimeException e) {
                failures.add(e);
            }
        });
        Await.until("the turn runs", PATIENCE, () -> engine.jobs().inFlight() == 1);

        engine.jobs().drain(Duration.ofMillis(200));
        t.join();
        assertThat(engine.jobs().draining()).isTrue();
        assertThat(failures).singleElement().isInstanceOf(UnavailableException.class);
        assertThat(events).last().isEqualTo(TurnEvent.FAILED);
        assertThat(roles()).as("the player message stays, no half reply").containsExactly(MessageRole.PLAYER);
        assertThatThrownBy(() -> engine.jobs().enqueue(say("again", null))).isInstanceOf(UnavailableException.class)
                .hasMessageContaining("shutting down");
        assertThatThrownBy(() -> engine.jobs().play(say("again", null), TurnListener.NONE))
                .isInstanceOf(UnavailableException.class);
    }

    /** A model that streams one token, then waits for the test (or the turn's cancellation) before it completes. */
    static final class SlowModel implements dev.dmengine.spi.generation.LanguageModel {
        private final java.util.concurrent.CountDownLatch release;

        SlowModel(java.util.concurrent.CountDownLatch release) {
            this.release = release;
        }

        @Override
        public String modelId() {
            return "slow";
        }

        @Override
        public void generate(dev.dmengine.spi.generation.GenerationRequest request,
                             dev.dmengine.spi.generation.GenerationHandler handler) {
            handler.onToken("You wait. ");
            try {
                while (!release.await(20, java.util.concurrent.TimeUnit.MILLISECONDS)) {
                    if (request.cancellation().isCancelled()) {
                        handler.onError(new java.util.concurrent.CancellationException("cancelled"));
                        return;
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                handler.onError(e);
                return;
            }
            handler.onComplete(new dev.dmengine.spi.generation.GenerationResult("You wait. Nothing happens.", "stop", 4,
                    java.util.Map.of()));
        }
    }
}
