package dev.dmengine.server;

import dev.dmengine.core.DmEngine;
import dev.dmengine.core.turn.TurnListener;
import dev.dmengine.core.turn.TurnRequest;
import dev.dmengine.core.turn.TurnResult;
import dev.dmengine.spi.DmException;
import dev.dmengine.spi.UnavailableException;
import dev.dmengine.spi.generation.CancellationSignal;
import dev.dmengine.spi.infra.ClaimedJob;
import dev.dmengine.spi.infra.JobQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Runs turns and tracks every one in flight, whether streamed on its request or run as a job
 * from the {@link JobQueue} ({@code 202 Accepted}). On shutdown it admits no new turn, lets the
 * ones in flight finish within the grace period, then cancels the rest: the engine ends those
 * with {@code turn.failed}, keeps the player message and stores no half reply.
 */
final class TurnRunner {

    static final String QUEUE = "dm-turns";
    private static final Logger LOG = LoggerFactory.getLogger(TurnRunner.class);
    private static final Duration LEASE = Duration.ofMinutes(10);

    /** A queued turn: play {@code text}, or regenerate the latest reply when {@code text} is null. */
    record TurnJob(UUID sessionId, UUID playerId, String text, String idempotencyKey) {
    }

    private final DmEngine engine;
    private final int workers;
    private final Set<CancellationSignal> inFlight = ConcurrentHashMap.newKeySet();
    private final Semaphore wake = new Semaphore(0);
    private final String workerId = "server-" + UUID.randomUUID();
    private volatile boolean draining;
    private volatile Thread poller;

    private final Duration lease;

    TurnRunner(DmEngine engine, int workers) {
        this(engine, workers, LEASE);
    }

    /** {@code lease}: how long a claimed job is this server's before another may claim it again. */
    TurnRunner(DmEngine engine, int workers, Duration lease) {
        this.engine = engine;
        this.workers = workers;
        this.lease = lease;
    }

    int inFlight() {
        return inFlight.size();
    }

    boolean draining() {
        return draining;
    }

    /** Runs a turn on this thread, tracked for shutdown. */
    <T> T run(CancellationSignal signal, Function<CancellationSignal, T> work) {
        inFlight.add(signal);
        try {
            if (draining) {
                throw new UnavailableException("the server is shutting down; try again in a moment");
            }
            return work.apply(signal);
        } finally {
            inFlight.remove(signal);
            synchronized (inFlight) {
                inFlight.notifyAll();
            }
        }
    }

    TurnResult play(TurnJob job, CancellationSignal signal, TurnListener listener) {
        return run(signal, s -> job.text() == null
                ? engine.turns().regenerate(job.sessionId(), job.playerId(), s, listener)
                : engine.turns().play(new TurnRequest(job.sessionId(), job.playerId(), job.text(),
                        job.idempotencyKey(), s), listener));
    }

    UUID enqueue(TurnJob job) {
        if (draining) {
            throw new UnavailableException("the server is shutting down; try again in a moment");
        }
        UUID id = engine.ports().jobQueue().enqueue(QUEUE, Http.MAPPER.valueToTree(job).toString());
        wake.release();
        return id;
    }

    void start() {
        poller = Thread.ofVirtual().name("dm-turn-jobs").start(this::poll);
    }

    private void poll() {
        JobQueue queue = engine.ports().jobQueue();
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
                        work(queue, job);
                    } finally {
                        slots.release();
                    }
                });
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void work(JobQueue queue, ClaimedJob claimed) {
        long leaseEnds = System.nanoTime() + lease.toNanos();
        TurnJob job;
        try {
            job = Http.MAPPER.readValue(claimed.payload(), TurnJob.class);
        } catch (Exception e) {
            settle(claimed, leaseEnds, () -> queue.fail(claimed, "unreadable job payload", false));
            return;
        }
        if (job.text() != null && job.idempotencyKey() == null) {
            // a job claimed again (its lease ran out before its outcome was written) replays its turn
            job = new TurnJob(job.sessionId(), job.playerId(), job.text(), "job:" + claimed.id());
        }
        CancellationSignal signal = new CancellationSignal();
        try {
            TurnResult result = play(job, signal, TurnListener.NONE);
            String out = Http.MAPPER.valueToTree(Map.of("turnId", result.turn().id().toString(),
                    "seq", result.turn().seq(), "dmMessageId", result.dmMessage().id().toString(),
                    "replayed", result.replayed())).toString();
            settle(claimed, leaseEnds, () -> queue.complete(claimed, out));
        } catch (DmException e) {
            // a turn cut short by shutdown may be played again by another server (same idempotency key)
            boolean retry = signal.isCancelled() && draining;
            settle(claimed, leaseEnds, () -> queue.fail(claimed, e.getMessage(), retry));
        } catch (RuntimeException e) {
            LOG.error("turn job {} failed", claimed.id(), e);
            settle(claimed, leaseEnds, () -> queue.fail(claimed, "the turn failed", false));
        }
    }

    /**
     * Writes a job's outcome, trying again while the job store is unavailable (a database
     * restarting) until the job's lease runs out: after that another worker may claim the job,
     * and it replays the turn under the job's idempotency key instead of playing it twice.
     */
    private void settle(ClaimedJob claimed, long leaseEndsNanos, Supplier<Boolean> write) {
        long pause = 100;
        for (int attempt = 1; ; attempt++) {
            try {
                if (!write.get()) {
                    LOG.info("turn job {}: its lease was lost, another worker owns it now", claimed.id());
                }
                return;
            } catch (RuntimeException e) {
                long left = leaseEndsNanos - System.nanoTime();
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
                pause = Math.min(pause * 2, 1_000); // the worker's slot is held meanwhile: be back soon after the store
            }
        }
    }

    /**
     * Stops admitting turns, waits up to {@code grace} for those in flight, cancels the rest and
     * waits a little more for them to record their failure.
     */
    void drain(Duration grace) {
        draining = true;
        wake.release();
        long deadline = System.nanoTime() + grace.toNanos();
        awaitIdle(deadline);
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
}
