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
 * daemon thread per {@link PostgresAdapters}; it works while rows are pending, then sleeps
 * until a write wakes it or {@code idle} passes (so rows written by other server instances
 * are taken too). Errors (the database being down) are logged and retried with back-off;
 * nothing is lost, the rows stay pending.
 */
final class AnnIndexer implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(AnnIndexer.class.getName());
    private static final int BATCH = 256;

    private final PgVectorIndex index;
    private final long idleNanos;
    private final Thread thread;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wake = lock.newCondition();
    private final AtomicLong indexed = new AtomicLong();
    private boolean signalled;
    private volatile boolean closed;

    AnnIndexer(PgVectorIndex index, Duration idle) {
        this.index = index;
        this.idleNanos = idle.toNanos();
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
                indexed.addAndGet(n);
                backoffMillis = 0;
                if (n > 0) {
                    continue; // more may be pending
                }
                sleep(idleNanos, true);
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

    private void sleep(long nanos, boolean wakeable) {
        lock.lock();
        try {
            long left = nanos;
            while (!(wakeable && signalled) && !closed && left > 0) {
                left = wake.awaitNanos(left);
            }
            signalled = false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closed = true;
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
