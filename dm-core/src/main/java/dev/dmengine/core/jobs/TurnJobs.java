package dev.dmengine.core.jobs;

import dev.dmengine.core.internal.Json;
import dev.dmengine.core.turn.TurnEngine;
import dev.dmengine.core.turn.TurnListener;
import dev.dmengine.core.turn.TurnRequest;
import dev.dmengine.core.turn.TurnResult;
import dev.dmengine.spi.ConflictException;
import dev.dmengine.spi.DmException;
import dev.dmengine.spi.IdempotencyKeyReusedException;
import dev.dmengine.spi.NotFoundException;
import dev.dmengine.spi.UnavailableException;
import dev.dmengine.spi.generation.CancellationSignal;
import dev.dmengine.spi.infra.ClaimedJob;
import dev.dmengine.spi.infra.Enqueued;
import dev.dmengine.spi.infra.JobInfo;
import dev.dmengine.spi.infra.JobQueue;
import dev.dmengine.spi.infra.JobState;
import dev.dmengine.spi.infra.NewJob;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Turns a host runs for its players, streamed on the caller's thread or queued (DESIGN.md's
 * flow E: {@code 202 Accepted}, the turn played by a worker, its events on the session's topic,
 * its outcome read back by its owner). The host maps HTTP (or anything else) to these methods
 * and nothing more: ownership, idempotency and job state live here and in the {@link JobQueue}
 * port, so every host and every server instance sharing the job store agrees on them.
 *
 * <ul>
 *   <li><b>Idempotency</b>: a queued turn with an idempotency key is one job per session and key
 *       (the job store's unique key), with a SHA-256 of the request kept beside it: the same
 *       request again gets the same job, another request with the key is refused
 *       ({@link IdempotencyKeyReusedException}); a streamed turn whose key names a queued job of
 *       another request is refused the same way.</li>
 *   <li><b>Ownership</b>: a job records its player; {@link #status} of another player's job is
 *       {@link NotFoundException}, as of one that does not exist.</li>
 *   <li><b>Delivery</b>: at least once. A worker extends its lease while the turn runs; a job
 *       whose worker died is claimed again after the lease and replays its turn under its
 *       idempotency key (a job without one gets {@code job:<id>}), so it is played once.</li>
 *   <li><b>Shutdown</b>: {@link #drain} admits no new turn, lets those in flight finish within
 *       the grace period and cancels the rest; a queued turn cut short goes back to the queue
 *       for another instance.</li>
 * </ul>
 * Thread-safe.
 */
public final class TurnJobs {

    /** The queue of turn jobs. */
    public static final String QUEUE = "dm-turns";
    private static final Logger LOG = LoggerFactory.getLogger(TurnJobs.class);

    /** A queued turn: play {@code text}, or regenerate the latest reply when {@code text} is null. */
    record Payload(UUID sessionId, UUID playerId, String text, String idempotencyKey) {
    }

    /** A queued turn's receipt. {@code created} is false when an idempotent retry found its job. */
    public record Ticket(UUID jobId, UUID sessionId, boolean created) {
    }

    /** What a finished turn job produced. */
    public record Outcome(UUID turnId, long seq, UUID dmMessageId, boolean replayed) {
    }

    /**
     * A turn job as its owner sees it.
     *
     * @param outcome the turn, once the job succeeded
     * @param error   why the turn failed, once the job failed for good
     */
    public record Status(UUID jobId, UUID sessionId, JobState state, int attempts, Optional<Outcome> outcome,
                         Optional<String> error) {
    }

    private final TurnEngine turns;
    private final JobQueue queue;
    private final int workers;
    private final Duration lease;
    private final Set<CancellationSignal> inFlight = ConcurrentHashMap.newKeySet();
    private final Semaphore wake = new Semaphore(0);
    private final String workerId = "worker-" + UUID.randomUUID();
    private volatile boolean draining;
    private volatile Thread poller;

    /**
     * @param workers how many queued turns this instance plays at once
     * @param lease   how long a claimed job stays this instance's without a renewal (renewed every
     *                third of it while the turn runs)
     */
    public TurnJobs(TurnEngine turns, JobQueue queue, int workers, Duration lease) {
        this.turns = Objects.requireNonNull(turns, "turns");
        this.queue = Objects.requireNonNull(queue, "queue");
        if (workers < 1 || workers > 1_000) {
            throw new IllegalArgumentException("workers must be 1 to 1000, was " + workers);
        }
        this.workers = workers;
        this.lease = Objects.requireNonNull(lease, "lease");
        if (lease.isNegative() || lease.isZero()) {
            throw new IllegalArgumentException("lease must be positive, was " + lease);
        }
    }

    // ---------------------------------------------------------------- streamed on the caller's thread

    /**
     * Plays a turn on this thread (see {@link TurnEngine#play}), tracked for shutdown.
     *
     * @throws IdempotencyKeyReusedException its key names a queued turn of another message
     * @throws UnavailableException          the host is shutting down
     */
    public TurnResult play(TurnRequest request, TurnListener listener) {
        if (request.idempotencyKey() == null) { // nothing to compare with queued turns: the engine checks it all
            return tracked(request.cancellation(), s -> turns.play(new TurnRequest(request.sessionId(),
                    request.playerId(), request.text(), null, s), listener));
        }
        TurnRequest checked = turns.check(request);
        queue.find(QUEUE, jobKey(checked.sessionId(), checked.idempotencyKey()))
                .filter(job -> !hash(checked.text()).equals(job.requestHash()))
                .ifPresent(job -> {
                    throw keyReused(checked.idempotencyKey());
                });
        return tracked(request.cancellation(), s -> turns.play(new TurnRequest(checked.sessionId(),
                checked.playerId(), checked.text(), checked.idempotencyKey(), s), listener));
    }

    /** Regenerates the latest reply on this thread (see {@link TurnEngine#regenerate}), tracked for shutdown. */
    public TurnResult regenerate(UUID sessionId, UUID playerId, CancellationSignal cancellation,
                                 TurnListener listener) {
        return tracked(cancellation, s -> turns.regenerate(sessionId, playerId, s, listener));
    }

    // ---------------------------------------------------------------- queued

    /**
     * Queues a turn, checked first as {@link TurnEngine#check} does so a bad request is refused
     * at once.
     *
     * @throws IdempotencyKeyReusedException the key was used for another message
     * @throws UnavailableException          the host is shutting down
     */
    public Ticket enqueue(TurnRequest request) {
        TurnRequest checked = turns.check(request);
        String key = checked.idempotencyKey() == null ? null : jobKey(checked.sessionId(), checked.idempotencyKey());
        Enqueued e = enqueue(new Payload(checked.sessionId(), checked.playerId(), checked.text(),
                checked.idempotencyKey()), key, hash(checked.text()));
        if (!e.created() && !hash(checked.text()).equals(e.job().requestHash())) {
            throw keyReused(checked.idempotencyKey());
        }
        return new Ticket(e.job().id(), checked.sessionId(), e.created());
    }

    /** Queues a regeneration of the session's latest reply. */
    public Ticket enqueueRegeneration(UUID sessionId, UUID playerId) {
        turns.ownedSession(sessionId, playerId);
        Enqueued e = enqueue(new Payload(sessionId, playerId, null, null), null, null);
        return new Ticket(e.job().id(), sessionId, true);
    }

    private Enqueued enqueue(Payload payload, String key, String hash) {
        if (draining) {
            throw shuttingDown();
        }
        Enqueued e = queue.enqueue(new NewJob(QUEUE, Json.write(payload), payload.playerId(), key, hash));
        wake.release();
        return e;
    }

    /**
     * A turn job of the player's.
     *
     * @throws NotFoundException no such job, or another player's
     */
    public Status status(UUID playerId, UUID jobId) {
        Objects.requireNonNull(playerId, "playerId");
        JobInfo job = queue.status(Objects.requireNonNull(jobId, "jobId"))
                .filter(j -> j.queue().equals(QUEUE) && playerId.equals(j.ownerId()))
                .orElseThrow(() -> new NotFoundException("job", jobId));
        Payload payload = Json.read(job.payload(), Payload.class, "payload");
        Optional<Outcome> outcome = job.state() == JobState.SUCCEEDED && job.result() != null
                ? Optional.of(Json.read(job.result(), Outcome.class, "result")) : Optional.empty();
        Optional<String> error = job.state() == JobState.FAILED ? Optional.ofNullable(job.result()) : Optional.empty();
        return new Status(job.id(), payload.sessionId(), job.state(), job.attempts(), outcome, error);
    }

    // ---------------------------------------------------------------- the worker

    /** Starts this instance's worker: it claims queued turns and plays up to {@code workers} at once. */
    public synchronized void start() {
        if (poller == null) {
            poller = Thread.ofVirtual().name("dm-turn-jobs").start(this::poll);
        }
    }

    /** Turns running on this instance, streamed or queued. */
    public int inFlight() {
        return inFlight.size();
    }

    public boolean draining() {
        return draining;
    }

    /**
     * Stops admitting turns, waits up to {@code grace} for those in flight, cancels the rest and
     * waits a little more for them to record their failure.
     */
    public void drain(Duration grace) {
        draining = true;
        wake.release();
        awaitIdle(System.nanoTime() + grace.toNanos());
        if (!inFlight.isEmpty()) {
            LOG.warn("shutdown: cancelling {} turn(s) still running after the {} grace period", inFlight.size(), grace);
            inFlight.forEach(CancellationSignal::cancel);
            awaitIdle(System.nanoTime() + Duration.ofSeconds(5).toNanos());
        }
        Thread p = poller;
        if (p != null) {
            p.interrupt();
        }
    }

    private <T> T tracked(CancellationSignal signal, Function<CancellationSignal, T> work) {
        CancellationSignal s = signal == null ? new CancellationSignal() : signal;
        inFlight.add(s);
        try {
            if (draining) {
                throw shuttingDown();
            }
            return work.apply(s);
        } finally {
            inFlight.remove(s);
            synchronized (inFlight) {
                inFlight.notifyAll();
            }
        }
    }

    private void poll() {
        Semaphore slots = new Semaphore(workers);
        while (!draining) {
            try {
                if (!slots.tryAcquire(200, TimeUnit.MILLISECONDS)) {
                    continue;
                }
                Optional<ClaimedJob> claimed;
                try {
                    claimed = draining ? Optional.empty() : queue.claim(QUEUE, workerId, lease);
                } catch (RuntimeException e) {
                    slots.release();
                    LOG.warn("could not claim a turn job: {}", e.toString());
                    wake.tryAcquire(1, TimeUnit.SECONDS);
                    continue;
                }
                if (claimed.isEmpty()) {
                    slots.release();
                    wake.tryAcquire(250, TimeUnit.MILLISECONDS);
                    continue;
                }
                ClaimedJob job = claimed.get();
                Thread.ofVirtual().name("dm-turn-job-" + job.id()).start(() -> {
                    try {
                        work(job);
                    } finally {
                        slots.release();
                    }
                });
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void work(ClaimedJob claimed) {
        Payload job;
        try {
            job = Json.read(claimed.payload(), Payload.class, "payload");
        } catch (RuntimeException e) {
            settle(claimed, () -> queue.fail(claimed, "unreadable job payload", false));
            return;
        }
        // a job claimed again (its worker died before it wrote the outcome) replays its turn under this key
        String key = job.idempotencyKey() != null ? job.idempotencyKey() : "job:" + claimed.id();
        CancellationSignal signal = new CancellationSignal();
        try (LeaseKeeper keeper = new LeaseKeeper(claimed)) {
            try {
                TurnResult result = play(job, key, signal, claimed.attempt());
                String out = Json.write(new Outcome(result.turn().id(), result.turn().seq(), result.dmMessage().id(),
                        result.replayed()));
                settle(claimed, () -> queue.complete(claimed, out));
            } catch (DmException e) {
                // a turn cut short by shutdown goes back to the queue: another instance replays it (same key)
                boolean retry = signal.isCancelled() && draining;
                settle(claimed, () -> queue.fail(claimed, e.getMessage(), retry));
            } catch (RuntimeException e) {
                LOG.error("turn job {} failed", claimed.id(), e);
                settle(claimed, () -> queue.fail(claimed, "the turn failed", false));
            }
        }
    }

    /**
     * Plays the job's turn. A job delivered again (its worker died) may find the session still
     * locked by that worker's turn, whose lock lives until its lease runs out: it waits for it
     * (up to twice the lock's TTL) instead of failing the player's turn; a first delivery that
     * finds a turn in flight fails as a streamed turn would (409).
     */
    private TurnResult play(Payload job, String key, CancellationSignal signal, int attempt) {
        long deadline = System.nanoTime() + 2 * turns.config().lockTtl().toNanos();
        long pause = 100;
        while (true) {
            try {
                return job.text() == null
                        ? regenerate(job.sessionId(), job.playerId(), signal, TurnListener.NONE)
                        : tracked(signal, s -> turns.play(new TurnRequest(job.sessionId(), job.playerId(), job.text(),
                                key, s), TurnListener.NONE));
            } catch (ConflictException e) {
                if (attempt == 1 || draining || signal.isCancelled() || System.nanoTime() > deadline) {
                    throw e;
                }
                try {
                    Thread.sleep(pause);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
                pause = Math.min(pause * 2, 1_000);
            }
        }
    }

    /** Renews a claimed job's lease every third of it while its turn runs. */
    private final class LeaseKeeper implements AutoCloseable {
        private final Thread thread;

        LeaseKeeper(ClaimedJob job) {
            thread = Thread.ofVirtual().name("dm-turn-job-lease-" + job.id()).start(() -> {
                long every = Math.max(1, lease.toMillis() / 3);
                while (true) {
                    try {
                        Thread.sleep(every);
                    } catch (InterruptedException e) {
                        return;
                    }
                    try {
                        if (!queue.extend(job, lease)) {
                            LOG.warn("turn job {}: its lease was lost; another worker may replay it", job.id());
                            return;
                        }
                    } catch (RuntimeException e) {
                        LOG.warn("turn job {}: could not extend its lease: {}", job.id(), e.toString());
                    }
                }
            });
        }

        @Override
        public void close() {
            thread.interrupt();
        }
    }

    /**
     * Writes a job's outcome, trying again while the job store is unavailable (a database
     * restarting) for up to one lease: after that another worker may claim the job, and it
     * replays the turn under the job's idempotency key instead of playing it twice.
     */
    private void settle(ClaimedJob claimed, Supplier<Boolean> write) {
        long deadline = System.nanoTime() + lease.toNanos();
        long pause = 100;
        for (int attempt = 1; ; attempt++) {
            try {
                if (!write.get()) {
                    LOG.info("turn job {}: its lease was lost, another worker owns it now", claimed.id());
                }
                return;
            } catch (RuntimeException e) {
                long left = deadline - System.nanoTime();
                if (draining || left <= 0) {
                    LOG.warn("turn job {}: could not record its outcome ({}); it is claimed again when its lease "
                            + "runs out", claimed.id(), e.getMessage());
                    return;
                }
                if (attempt == 1) {
                    LOG.warn("turn job {}: could not record its outcome ({}); trying again", claimed.id(),
                            e.getMessage());
                }
                try {
                    Thread.sleep(Math.min(pause, Math.max(1, TimeUnit.NANOSECONDS.toMillis(left))));
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return;
                }
                pause = Math.min(pause * 2, 1_000);
            }
        }
    }

    private void awaitIdle(long deadlineNanos) {
        synchronized (inFlight) {
            while (!inFlight.isEmpty()) {
                long left = deadlineNanos - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                try {
                    inFlight.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private static String jobKey(UUID sessionId, String idempotencyKey) {
        return sessionId + ":" + idempotencyKey;
    }

    /** SHA-256 of the request as it is played (the validated text: the request's only content). */
    static String hash(String text) {
        if (text == null) {
            return null;
        }
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static IdempotencyKeyReusedException keyReused(String key) {
        return new IdempotencyKeyReusedException("the idempotency key " + key + " was used for another message in"
                + " this session; send that message again, or this one with a new key");
    }

    private static UnavailableException shuttingDown() {
        return new UnavailableException("the server is shutting down; try again in a moment");
    }
}
