package dev.dmengine.spi.infra;

/** Where a job is in its life. */
public enum JobState {
    QUEUED,
    RUNNING,
    SUCCEEDED,
    FAILED
}
