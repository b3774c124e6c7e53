package dev.dmengine.postgres;

import dev.dmengine.postgres.internal.Checks;
import dev.dmengine.postgres.internal.Db;
import dev.dmengine.spi.Ids;
import dev.dmengine.spi.InvalidInputException;
import dev.dmengine.spi.infra.ClaimedJob;
import dev.dmengine.spi.infra.JobInfo;
import dev.dmengine.spi.infra.JobQueue;
import dev.dmengine.spi.infra.JobState;

import java.time.Duration;
import java.util.Optional;
import java.util.UUID;

/**
 * {@link JobQueue} on durable job records in {@code game.jobs}. A claim takes the oldest
 * queued job, or a running one whose lease has run out, with {@code FOR UPDATE SKIP LOCKED},
 * so concurrent workers never block on or share a job. Each claim gets a fresh lease token;
 * calls of a holder whose job was claimed again match no row and change nothing. Lease times
 * are the database's clock, so workers on hosts with skewed clocks agree.
 */
public final class PostgresJobQueue implements JobQueue {

    private final Db db;
    private final String table;

    PostgresJobQueue(Db db) {
        this.db = db;
        this.table = db.game() + ".jobs";
    }

    @Override
    public UUID enqueue(String queue, String payload) {
        checkQueue(queue);
        Checks.text("payload", payload, db.maxJsonBytes());
        UUID id = Ids.newId();
        db.call("enqueue job", h -> h.createUpdate("INSERT INTO " + table + " (id, queue, payload, state, attempts, "
                        + "created_at, updated_at) VALUES (:id, :queue, :payload, 'QUEUED', 0, clock_timestamp(), "
                        + "clock_timestamp())")
                .bind("id", id).bind("queue", queue).bind("payload", payload).execute());
        return id;
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
        return db.call("complete job", h -> h.createUpdate("UPDATE " + table + " SET state = 'SUCCEEDED', "
                        + "result = :result, lease_token = NULL, lease_until = NULL, updated_at = clock_timestamp() "
                        + "WHERE id = :id AND state = 'RUNNING' AND lease_token = :token")
                .bind("id", job.id()).bind("token", job.leaseToken()).bind("result", result).execute()) == 1;
    }

    @Override
    public boolean fail(ClaimedJob job, String reason, boolean retry) {
        Checks.text("reason", reason, 10_000);
        return db.call("fail job", h -> h.createUpdate("UPDATE " + table + " SET state = :state, result = :reason, "
                        + "lease_token = NULL, lease_until = NULL, updated_at = clock_timestamp() "
                        + "WHERE id = :id AND state = 'RUNNING' AND lease_token = :token")
                .bind("id", job.id()).bind("token", job.leaseToken()).bind("reason", reason)
                .bind("state", retry ? "QUEUED" : "FAILED").execute()) == 1;
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
        return db.call("job status", h -> h.createQuery("SELECT id, queue, state, attempts, result, created_at, "
                        + "updated_at FROM " + table + " WHERE id = :id")
                .bind("id", jobId)
                .map((rs, ctx) -> new JobInfo(Db.uuid(rs, "id"), rs.getString("queue"),
                        JobState.valueOf(rs.getString("state")), rs.getInt("attempts"), rs.getString("result"),
                        Db.instant(rs, "created_at"), Db.instant(rs, "updated_at")))
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
