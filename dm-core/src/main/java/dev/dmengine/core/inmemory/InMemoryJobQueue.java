package dev.dmengine.core.inmemory;

import dev.dmengine.core.game.Validation;
import dev.dmengine.spi.Ids;
import dev.dmengine.spi.infra.ClaimedJob;
import dev.dmengine.spi.infra.Enqueued;
import dev.dmengine.spi.infra.JobInfo;
import dev.dmengine.spi.infra.NewJob;
import dev.dmengine.spi.infra.JobQueue;
import dev.dmengine.spi.infra.JobState;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;

/**
 * JVM-local work queues with leases on a {@link Clock}. A claim takes the oldest job that is
 * queued or whose lease has run out, with a fresh lease token; calls that carry an older token
 * change nothing. A job failed with retry goes to the back of its queue. Finished jobs stay
 * visible to {@link #status} for {@code finishedRetention} (default one day). Not durable:
 * jobs die with the JVM.
 */
public final class InMemoryJobQueue implements JobQueue {

    public static final Duration DEFAULT_FINISHED_RETENTION = Duration.ofDays(1);
    private static final int SWEEP_EVERY = 1_024;

    private static final class Job {
        final UUID id;
        final String queue;
        final String payload;
        final UUID ownerId;
        final String idempotencyKey;
        final String requestHash;
        final Instant createdAt;
        long seq;
        JobState state = JobState.QUEUED;
        int attempts;
        String result;
        Instant updatedAt;
        String leaseToken;
        Instant leaseUntil;

        Job(UUID id, NewJob spec, Instant createdAt, long seq) {
            this.id = id;
            this.queue = spec.queue();
            this.payload = spec.payload();
            this.ownerId = spec.ownerId();
            this.idempotencyKey = spec.idempotencyKey();
            this.requestHash = spec.requestHash();
            this.createdAt = createdAt;
            this.updatedAt = createdAt;
            this.seq = seq;
        }

        boolean claimableAt(Instant now) {
            return state == JobState.QUEUED || (state == JobState.RUNNING && !now.isBefore(leaseUntil));
        }

        JobInfo info() {
            return new JobInfo(id, queue, payload, state, attempts, result, createdAt, updatedAt, ownerId,
                    idempotencyKey, requestHash);
        }
    }

    private final Clock clock;
    private final Duration finishedRetention;
    private final Map<UUID, Job> jobs = new HashMap<>();
    /** Jobs by queue and idempotency key ({@code queue + '\n' + key}). */
    private final Map<String, Job> keyed = new HashMap<>();
    /** Unfinished jobs (queued or running) per queue, by position. */
    private final Map<String, NavigableMap<Long, Job>> open = new HashMap<>();
    private long nextSeq;
    private int untilSweep = SWEEP_EVERY;

    public InMemoryJobQueue(Clock clock, Duration finishedRetention) {
        this.clock = Checks.notNull(clock, "clock");
        this.finishedRetention = Checks.positive(finishedRetention, "finishedRetention");
    }

    public InMemoryJobQueue(Clock clock) {
        this(clock, DEFAULT_FINISHED_RETENTION);
    }

    public InMemoryJobQueue() {
        this(Clock.systemUTC());
    }

    @Override
    public synchronized Enqueued enqueue(NewJob spec) {
        Checks.notNull(spec, "job");
        Validation.storable("queue", Checks.notBlank(spec.queue(), "queue"));
        Validation.storable("payload", spec.payload());
        if (spec.idempotencyKey() != null) {
            Validation.storable("idempotencyKey", Checks.key(spec.idempotencyKey(), "idempotencyKey"));
        }
        if (spec.requestHash() != null) {
            Validation.storable("requestHash", spec.requestHash());
        }
        Instant now = clock.instant();
        sweep(now);
        if (spec.idempotencyKey() != null) {
            Job held = keyed.get(spec.queue() + "\n" + spec.idempotencyKey());
            if (held != null) {
                return new Enqueued(held.info(), false);
            }
        }
        Job job = new Job(Ids.newId(), spec, now, nextSeq++);
        jobs.put(job.id, job);
        if (job.idempotencyKey != null) {
            keyed.put(job.queue + "\n" + job.idempotencyKey, job);
        }
        open.computeIfAbsent(job.queue, q -> new TreeMap<>()).put(job.seq, job);
        return new Enqueued(job.info(), true);
    }

    @Override
    public synchronized Optional<JobInfo> find(String queue, String idempotencyKey) {
        Checks.notNull(queue, "queue");
        Checks.notNull(idempotencyKey, "idempotencyKey");
        return Optional.ofNullable(keyed.get(queue + "\n" + idempotencyKey)).map(Job::info);
    }

    @Override
    public synchronized Optional<ClaimedJob> claim(String queue, String workerId, Duration lease) {
        Checks.notBlank(queue, "queue");
        Checks.notBlank(workerId, "workerId");
        Checks.positive(lease, "lease");
        Instant now = clock.instant();
        NavigableMap<Long, Job> waiting = open.get(queue);
        if (waiting == null) {
            return Optional.empty();
        }
        for (Job job : waiting.values()) {
            if (job.claimableAt(now)) {
                job.state = JobState.RUNNING;
                job.attempts++;
                job.leaseToken = workerId + "/" + UUID.randomUUID();
                job.leaseUntil = now.plus(lease);
                job.updatedAt = now;
                return Optional.of(new ClaimedJob(job.id, job.queue, job.payload, job.attempts, job.leaseToken,
                        job.leaseUntil));
            }
        }
        return Optional.empty();
    }

    @Override
    public synchronized boolean complete(ClaimedJob claimed, String result) {
        Validation.storable("result", result);
        Job job = held(claimed);
        if (job == null) {
            return false;
        }
        finish(job, JobState.SUCCEEDED, result);
        return true;
    }

    @Override
    public synchronized boolean fail(ClaimedJob claimed, String reason, boolean retry) {
        Validation.storable("reason", reason);
        Job job = held(claimed);
        if (job == null) {
            return false;
        }
        if (!retry) {
            finish(job, JobState.FAILED, reason);
            return true;
        }
        NavigableMap<Long, Job> waiting = open.get(job.queue);
        waiting.remove(job.seq);
        job.seq = nextSeq++;
        waiting.put(job.seq, job);
        job.state = JobState.QUEUED;
        job.result = reason;
        job.leaseToken = null;
        job.leaseUntil = null;
        job.updatedAt = clock.instant();
        return true;
    }

    @Override
    public synchronized boolean extend(ClaimedJob claimed, Duration lease) {
        Checks.positive(lease, "lease");
        Job job = held(claimed);
        if (job == null) {
            return false;
        }
        Instant now = clock.instant();
        job.leaseUntil = now.plus(lease);
        job.updatedAt = now;
        return true;
    }

    /** How many jobs of the queue it holds: queued, running, and finished ones within the retention. */
    public synchronized long count(String queue) {
        Checks.notNull(queue, "queue");
        return jobs.values().stream().filter(j -> j.queue.equals(queue)).count();
    }

    @Override
    public synchronized Optional<JobInfo> status(UUID jobId) {
        Job job = jobs.get(Checks.notNull(jobId, "jobId"));
        return job == null ? Optional.empty() : Optional.of(job.info());
    }

    /**
     * The job if the claim still holds it: running under the same lease token. A lease that ran
     * out but was not claimed again is still honoured; once redelivered it is lost.
     */
    private Job held(ClaimedJob claimed) {
        Checks.notNull(claimed, "job");
        Job job = jobs.get(claimed.id());
        if (job == null || job.state != JobState.RUNNING || !claimed.leaseToken().equals(job.leaseToken)) {
            return null;
        }
        return job;
    }

    private void finish(Job job, JobState state, String result) {
        NavigableMap<Long, Job> waiting = open.get(job.queue);
        waiting.remove(job.seq);
        if (waiting.isEmpty()) {
            open.remove(job.queue);
        }
        job.state = state;
        job.result = result;
        job.leaseToken = null;
        job.leaseUntil = null;
        job.updatedAt = clock.instant();
    }

    private void sweep(Instant now) {
        if (--untilSweep > 0) {
            return;
        }
        untilSweep = SWEEP_EVERY;
        Instant horizon = now.minus(finishedRetention);
        for (Iterator<Job> it = jobs.values().iterator(); it.hasNext(); ) {
            Job job = it.next();
            boolean finished = job.state == JobState.SUCCEEDED || job.state == JobState.FAILED;
            if (finished && job.updatedAt.isBefore(horizon)) {
                it.remove();
                if (job.idempotencyKey != null) {
                    keyed.remove(job.queue + "\n" + job.idempotencyKey, job);
                }
            }
        }
    }
}
