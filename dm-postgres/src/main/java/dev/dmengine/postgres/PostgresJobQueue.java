package dev.dmengine.postgres;

import dev.dmengine.postgres.internal.Checks;
import dev.dmengine.postgres.internal.Db;
import dev.dmengine.spi.Ids;
import dev.dmengine.spi.InvalidInputException;
import dev.dmengine.spi.infra.ClaimedJob;
import dev.dmengine.spi.infra.Enqueued;
import dev.dmengine.spi.infra.JobInfo;
import dev.dmengine.spi.infra.NewJob;
import dev.dmengine.spi.infra.JobQueue;
import dev.dmengine.spi.infra.JobState;

import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@link JobQueue} on durable job records in {@code game.jobs}. Finished jobs stay readable
 * ({@link #status}) for a retention (a day by default), then are deleted ({@link #purgeFinished}). A claim takes the oldest
 * queued job, or a running one whose lease has run out, with {@code FOR UPDATE SKIP LOCKED},
 * so concurrent workers never block on or share a job. Each claim gets a fresh lease token;
 * calls of a holder whose job was claimed again match no row and change nothing. Lease times
 * are the database's clock, so workers on hosts with skewed clocks agree.
 */
public final class PostgresJobQueue implements JobQueue {

    private static final System.Logger LOG = System.getLogger(PostgresJobQueue.class.getName());
    /** How often one instance looks for finished jobs past their retention, at most. */
    private static final long PURGE_EVERY_NANOS = Duration.ofMinutes(1).toNanos();
    /** The most finished jobs one look deletes. */
    static final int PURGE_BATCH = 1_000;

    private final Db db;
    private final String table;
    private final Duration finishedRetention;
    private final AtomicLong nextPurge = new AtomicLong(System.nanoTime());

    PostgresJobQueue(Db db, Duration finishedRetention) {
        this.db = db;
        this.table = db.game() + ".jobs";
        this.finishedRetention = finishedRetention;
    }

    /**
     * Deletes up to {@value #PURGE_BATCH} finished (succeeded or failed) jobs whose last change
     * is older than the retention, oldest first, and returns how many. Queued and running jobs
     * are never touched. The queue calls it on its own after finishing a job, at most once a
     * minute per instance and best effort (a failure is logged), so the table holds the jobs
     * of about one retention; call it yourself to clean up at once.
     */
    public int purgeFinished() {
        long micros = finishedRetention.toNanos() / 1_000;
        return db.call("delete finished jobs", h -> h.createUpdate("DELETE FROM " + table + " WHERE id IN (SELECT id FROM "
                        + table + " WHERE state IN ('SUCCEEDED', 'FAILED') AND updated_at < clock_timestamp() - "
                        + "make_interval(secs => :micros / 1e6) ORDER BY updated_at LIMIT " + PURGE_BATCH + ")")
                .bind("micros", micros).execute());
    }

    private void purgeWhenDue() {
        long due = nextPurge.get();
        if (System.nanoTime() - due < 0 || !nextPurge.compareAndSet(due, System.nanoTime() + PURGE_EVERY_NANOS)) {
            return;
        }
        try {
            int n = purgeFinished();
            if (n > 0) {
                LOG.log(System.Logger.Level.INFO, "deleted " + n + " finished job(s) older than " + finishedRetention);
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "could not delete finished jobs past their retention (tried again in a "
                    + "minute): " + e);
        }
    }

    private static final String COLUMNS = "id, queue, payload, state, attempts, result, created_at, updated_at, "
            + "owner_id, idempotency_key, request_hash";

    /**
     * One statement: a key already used in the queue hits the unique index and returns the job
     * it named ({@code created} false, nothing inserted), so concurrent requests with one key
     * get one job.
     */
    @Override
    public Enqueued enqueue(NewJob job) {
        if (job == null) {
            throw new InvalidInputException("job", "is required");
        }
        checkQueue(job.queue());
        Checks.text("payload", job.payload(), db.maxJsonBytes());
        if (job.idempotencyKey() != null) {
            checkKey(job.idempotencyKey());
        }
        if (job.requestHash() != null) {
            Checks.text("requestHash", job.requestHash(), 200);
        }
        UUID id = Ids.newId();
        return db.call("enqueue job", h -> h.createQuery("INSERT INTO " + table + " AS j (id, queue, payload, "
                        + "state, attempts, created_at, updated_at, owner_id, idempotency_key, request_hash) "
                        + "VALUES (:id, :queue, :payload, 'QUEUED', 0, clock_timestamp(), clock_timestamp(), :owner, "
                        + ":key, :hash) ON CONFLICT (queue, idempotency_key) WHERE idempotency_key IS NOT NULL "
                        + "DO UPDATE SET queue = j.queue RETURNING " + COLUMNS + ", (j.id = :id) AS created")
                .bind("id", id).bind("queue", job.queue()).bind("payload", job.payload())
                .bind("owner", job.ownerId()).bind("key", job.idempotencyKey()).bind("hash", job.requestHash())
                .map((rs, ctx) -> new Enqueued(info(rs), rs.getBoolean("created")))
                .one());
    }

    @Override
    public Optional<JobInfo> find(String queue, String idempotencyKey) {
        checkQueue(queue);
        checkKey(idempotencyKey);
        return db.call("find job", h -> h.createQuery("SELECT " + COLUMNS + " FROM " + table
                        + " WHERE queue = :queue AND idempotency_key = :key")
                .bind("queue", queue).bind("key", idempotencyKey)
                .map((rs, ctx) -> info(rs)).findOne());
    }

    private static JobInfo info(java.sql.ResultSet rs) throws java.sql.SQLException {
        return new JobInfo(Db.uuid(rs, "id"), rs.getString("queue"), rs.getString("payload"),
                JobState.valueOf(rs.getString("state")), rs.getInt("attempts"), rs.getString("result"),
                Db.instant(rs, "created_at"), Db.instant(rs, "updated_at"), Db.uuid(rs, "owner_id"),
                rs.getString("idempotency_key"), rs.getString("request_hash"));
    }

    private static void checkKey(String key) {
        if (key == null || key.isEmpty() || key.length() > 200 || !key.chars().allMatch(c -> c > 0x20 && c < 0x7F)) {
            throw new InvalidInputException("idempotencyKey", "must be 1 to 200 printable ASCII characters without "
                    + "spaces");
        }
    }

    @Override
    public Optional<ClaimedJob> claim(String queue, String workerId, Duration lease) {
        checkQueue(queue);
        Checks.text("workerId", workerId, 200);
        long micros = leaseMicros(lease);
        String token = UUID.randomUUID().toString();
        return db.call("claim job", h -> h.createQuery("UPDATE " + table + " j SET state = 'RUNNING', "
                        + "attempts = j.attempts + 1, worker_id = :worker, lease_token = :token, "
                        + "lease_until = clock_timestamp() + make_interval(secs => :micros / 1e6), "
                        + "updated_at = clock_timestamp() "
                        + "WHERE j.id = (SELECT id FROM " + table + " WHERE queue = :queue AND (state = 'QUEUED' "
                        + "OR (state = 'RUNNING' AND lease_until < clock_timestamp())) ORDER BY seq "
                        + "LIMIT 1 FOR UPDATE SKIP LOCKED) "
                        + "RETURNING j.id, j.queue, j.payload, j.attempts, j.lease_token, j.lease_until")
                .bind("queue", queue).bind("worker", workerId).bind("token", token).bind("micros", micros)
                .map((rs, ctx) -> new ClaimedJob(Db.uuid(rs, "id"), rs.getString("queue"), rs.getString("payload"),
                        rs.getInt("attempts"), rs.getString("lease_token"), Db.instant(rs, "lease_until")))
                .findOne());
    }

    @Override
    public boolean complete(ClaimedJob job, String result) {
        Checks.text("result", result, db.maxJsonBytes());
        boolean done = db.call("complete job", h -> h.createUpdate("UPDATE " + table + " SET state = 'SUCCEEDED', "
                        + "result = :result, lease_token = NULL, lease_until = NULL, updated_at = clock_timestamp() "
                        + "WHERE id = :id AND state = 'RUNNING' AND lease_token = :token")
                .bind("id", job.id()).bind("token", job.leaseToken()).bind("result", result).execute()) == 1;
        purgeWhenDue();
        return done;
    }

    @Override
    public boolean fail(ClaimedJob job, String reason, boolean retry) {
        Checks.text("reason", reason, 10_000);
        boolean done = db.call("fail job", h -> h.createUpdate("UPDATE " + table + " SET state = :state, result = :reason, "
                        + "lease_token = NULL, lease_until = NULL, updated_at = clock_timestamp() "
                        + "WHERE id = :id AND state = 'RUNNING' AND lease_token = :token")
                .bind("id", job.id()).bind("token", job.leaseToken()).bind("reason", reason)
                .bind("state", retry ? "QUEUED" : "FAILED").execute()) == 1;
        purgeWhenDue();
        return done;
    }

    @Override
    public boolean extend(ClaimedJob job, Duration lease) {
        long micros = leaseMicros(lease);
        return db.call("extend job lease", h -> h.createUpdate("UPDATE " + table + " SET lease_until = "
                        + "clock_timestamp() + make_interval(secs => :micros / 1e6), updated_at = clock_timestamp() "
                        + "WHERE id = :id AND state = 'RUNNING' AND lease_token = :token")
                .bind("id", job.id()).bind("token", job.leaseToken()).bind("micros", micros).execute()) == 1;
    }

    @Override
    public Optional<JobInfo> status(UUID jobId) {
        return db.call("job status", h -> h.createQuery("SELECT " + COLUMNS + " FROM " + table + " WHERE id = :id")
                .bind("id", jobId)
                .map((rs, ctx) -> info(rs))
                .findOne());
    }

    private static void checkQueue(String queue) {
        Checks.text("queue", queue, 200);
        if (queue.isBlank()) {
            throw new InvalidInputException("queue", "must not be blank");
        }
    }

    private static long leaseMicros(Duration lease) {
        if (lease == null || lease.isNegative() || lease.isZero()) {
            throw new InvalidInputException("lease", "must be a positive duration, was " + lease);
        }
        if (lease.compareTo(Duration.ofDays(1)) > 0) {
            throw new InvalidInputException("lease", "must be at most one day, was " + lease);
        }
        return lease.toNanos() / 1_000;
    }

}
