package dev.dmengine.postgres;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The background worker that puts written vectors into their space's HNSW graph
 * ({@link PgVectorIndex#indexPending(int)}), off the path of the turn that wrote them. One
 * daemon thread per {@link PostgresAdapters}; it works while full batches are pending, then
 * sleeps until a write wakes it or {@code idle} passes (so rows written by other server
 * instances are taken too). Errors (the database being down) are logged and retried with
 * back-off; nothing is lost, the rows stay pending.
 *
 * <p>A write does not start the indexing at once: the worker first waits {@code delay}, so the
 * writes of that moment go into the graph together (as a search engine refreshes its
 * index once a second rather than per document). Indexed at once, a turn's two vectors made
 * PostgreSQL insert into the graph while the session's next turn, or another session's, was
 * reading and writing: on this 2-core machine that cost the next turn about 2.5 ms of its
 * 15 ms p50 (FullStackTurnBench). Nothing waits for the graph: a pending vector is found by an
 * exact scan of the pending rows, and a session's own search does not use the graph at all.
 */
final class AnnIndexer implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(AnnIndexer.class.getName());
    private static final int BATCH = 256;

    private final PgVectorIndex index;
    private final long idleNanos;
    private final long delayNanos;
    private final Thread thread;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wake = lock.newCondition();
    private final AtomicLong indexed = new AtomicLong();
    private final AtomicLong passes = new AtomicLong();
    private boolean signalled;
    private volatile boolean closed;

    AnnIndexer(PgVectorIndex index, Duration idle, Duration delay) {
        this.index = index;
        this.idleNanos = idle.toNanos();
        this.delayNanos = delay.toNanos();
        this.thread = Thread.ofPlatform().daemon().name("dm-postgres-ann-indexer").unstarted(this::loop);
    }

    AnnIndexer start() {
        index.onWrite(this::wake);
        thread.start();
        return this;
    }

    /** Rows this worker has put in a graph since it started. */
    long indexed() {
        return indexed.get();
    }

    /** Passes over the queue (each a transaction per 32 rows) that put at least one row in a graph. */
    long passes() {
        return passes.get();
    }

    void wake() {
        lock.lock();
        try {
            signalled = true;
            wake.signal();
        } finally {
            lock.unlock();
        }
    }

    private void loop() {
        long backoffMillis = 0;
        boolean installed = false;
        while (!closed) {
            try {
                if (!installed && !(installed = index.spaces().installed())) {
                    sleep(idleNanos, true); // migrations have not run yet (or run elsewhere): wait for them
                    continue;
                }
                int n = index.indexPending(BATCH);
                if (n > 0) {
                    indexed.addAndGet(n);
                    passes.incrementAndGet();
                }
                backoffMillis = 0;
                if (n == BATCH) {
                    continue; // a full batch: more are pending
                }
                if (sleep(idleNanos, true) && delayNanos > 0) {
                    sleep(delayNanos, false); // a write woke it: let the writes of this moment join it
                }
            } catch (RuntimeException e) {
                if (closed) {
                    return;
                }
                backoffMillis = Math.min(10_000, Math.max(250, backoffMillis * 2));
                LOG.log(Level.WARNING, "ANN indexing failed, retrying in " + backoffMillis + " ms: " + e.getMessage());
                sleep(TimeUnit.MILLISECONDS.toNanos(backoffMillis), false); // writes do not cut a back-off short
            }
        }
    }

    /**
     * Waits {@code nanos}, or less if {@code wakeable} and a write signals; returns whether a write
     * ended the wait (and takes its signal). A wait that is not wakeable leaves the signals of the
     * writes made meanwhile for the next wakeable one.
     */
    private boolean sleep(long nanos, boolean wakeable) {
        lock.lock();
        try {
            long left = nanos;
            while (!(wakeable && signalled) && !closed && left > 0) {
                left = wake.awaitNanos(left);
            }
            boolean woken = wakeable && signalled;
            if (wakeable) {
                signalled = false;
            }
            return woken;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closed = true;
            return false;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        closed = true;
        index.onWrite(() -> { });
        wake();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
