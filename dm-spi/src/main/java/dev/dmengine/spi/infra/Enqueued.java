package dev.dmengine.spi.infra;

import java.util.Objects;

/**
 * What {@link JobQueue#enqueue(NewJob)} did.
 *
 * @param job     the job as stored: the new one, or the one its idempotency key already named
 * @param created {@code false} when the key named an existing job and nothing was enqueued
 */
public record Enqueued(JobInfo job, boolean created) {

    public Enqueued {
        Objects.requireNonNull(job, "job");
    }
}
