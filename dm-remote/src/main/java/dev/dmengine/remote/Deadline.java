package dev.dmengine.remote;

import java.io.Closeable;
import java.io.IOException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Aborts a blocked read when a deadline passes (the first chunk is late, the stream goes quiet
 * for too long after it, or the whole call is late) or the caller cancels: it closes the response stream from a watchdog thread, which makes the
 * reading thread's {@code read} fail at once. The first reason to abort wins and is kept for the
 * reader to report.
 */
public final class Deadline {

    /** Why the stream was aborted. */
    public enum Reason { FIRST_TOKEN_TIMEOUT, IDLE_TIMEOUT, TOTAL_TIMEOUT, CANCELLED }

    private static final ScheduledExecutorService WATCHDOG = watchdog();

    private final AtomicReference<Reason> reason = new AtomicReference<>();
    private volatile Closeable target;
    private volatile ScheduledFuture<?> firstToken;
    private volatile ScheduledFuture<?> total;
    private volatile ScheduledFuture<?> idle;
    private volatile long idleNanos; // 0: no idle deadline
    private volatile long lastChunk;
    private volatile boolean chunkSeen;
    private volatile boolean disarmed;

    private static ScheduledExecutorService watchdog() {
        ScheduledThreadPoolExecutor e = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "dm-model-deadline");
            t.setDaemon(true);
            return t;
        });
        e.setRemoveOnCancelPolicy(true);
        return e;
    }

    /**
     * Arms all three deadlines, in nanoseconds from now (values of 0 or less fire at once): the
     * first chunk, then — once one came — the longest quiet spell between chunks (0 for none),
     * and the whole call.
     */
    public void arm(long firstTokenNanos, long totalNanos, long idleNanos) {
        this.idleNanos = Math.max(0, idleNanos);
        arm(firstTokenNanos, totalNanos);
    }

    /** Arms the first-chunk and whole-call deadlines, in nanoseconds from now (values of 0 or less fire at once). */
    public void arm(long firstTokenNanos, long totalNanos) {
        if (firstTokenNanos < totalNanos) { // otherwise the total deadline comes first and names the failure
            firstToken = WATCHDOG.schedule(() -> abort(Reason.FIRST_TOKEN_TIMEOUT), Math.max(0, firstTokenNanos),
                    TimeUnit.NANOSECONDS);
        }
        total = WATCHDOG.schedule(() -> abort(Reason.TOTAL_TIMEOUT), Math.max(0, totalNanos), TimeUnit.NANOSECONDS);
    }

    /** The stream to close on abort; closes it at once if the deadline already fired. */
    public void watch(Closeable stream) {
        target = stream;
        if (reason.get() != null) {
            closeQuietly(stream);
        }
    }

    /**
     * The provider showed a sign of life — any parsed chunk, reasoning and tool calls included,
     * not only visible text: only the total deadline is left.
     */
    public void firstChunkArrived() {
        chunkArrived();
    }

    /**
     * A chunk arrived (any parsed one is a sign of life): the first one ends the first-chunk
     * deadline and starts the idle one, every one restarts the quiet spell. Cheap enough to
     * call per chunk: one volatile write, the idle check reschedules itself only once a period.
     */
    public void chunkArrived() {
        lastChunk = System.nanoTime();
        if (chunkSeen) {
            return;
        }
        chunkSeen = true;
        ScheduledFuture<?> f = firstToken;
        if (f != null) {
            f.cancel(false);
        }
        if (idleNanos > 0) {
            idle = WATCHDOG.schedule(this::checkIdle, idleNanos, TimeUnit.NANOSECONDS);
        }
    }

    private void checkIdle() {
        if (disarmed || reason.get() != null) {
            return;
        }
        long quiet = System.nanoTime() - lastChunk;
        if (quiet >= idleNanos) {
            abort(Reason.IDLE_TIMEOUT);
        } else {
            idle = WATCHDOG.schedule(this::checkIdle, idleNanos - quiet, TimeUnit.NANOSECONDS);
        }
    }

    public void abort(Reason why) {
        if (reason.compareAndSet(null, why)) {
            Closeable t = target;
            if (t != null) {
                closeQuietly(t);
            }
        }
    }

    /** Why the stream was aborted, or null while it was not. */
    public Reason reason() {
        return reason.get();
    }

    public void disarm() {
        disarmed = true;
        ScheduledFuture<?> i = idle;
        if (i != null) {
            i.cancel(false);
        }
        ScheduledFuture<?> f = firstToken;
        if (f != null) {
            f.cancel(false);
        }
        ScheduledFuture<?> t = total;
        if (t != null) {
            t.cancel(false);
        }
        target = null;
    }

    private static void closeQuietly(Closeable c) {
        try {
            c.close();
        } catch (IOException | RuntimeException ignored) {
            // the reader sees the failure of its read
        }
    }
}
