package dev.dmengine.postgres.internal;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import java.util.function.Supplier;

import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.Jdbi;

/**
 * The adapters' one way to the database: runs a callback on the transaction bound to this
 * thread by {@link #inTransaction(Supplier)} when there is one, else on a pooled handle of
 * its own, and translates every failure once.
 *
 * <p>Two classes of statement. Request-path statements ({@link #call}, {@link #tx},
 * {@link #inTransaction}) keep the pool's socket timeout, so a dead network fails a turn
 * instead of hanging it. Maintenance statements ({@link #maintenance},
 * {@link #inMaintenanceTransaction}: index builds, re-embedding batches, space retirement;
 * migrations through {@link MaintenanceDataSource}) run on a connection with no socket timeout
 * and no statement timeout, because their length grows with the data (an HNSW build of a
 * million vectors takes minutes) and cutting them half-way only starts them over.
 */
public final class Db {

    private final Jdbi jdbi;
    private final ThreadLocal<Handle> bound = new ThreadLocal<>();
    private final String auth;
    private final String game;
    private final int maxJsonBytes;
    private final int maxTextChars;

    public Db(Jdbi jdbi, String authSchema, String gameSchema, int maxJsonBytes, int maxTextChars) {
        this.jdbi = jdbi;
        this.auth = authSchema;
        this.game = gameSchema;
        this.maxJsonBytes = maxJsonBytes;
        this.maxTextChars = maxTextChars;
    }

    public Jdbi jdbi() {
        return jdbi;
    }

    /** The auth schema's name, safe to splice into SQL (validated at build time). */
    public String auth() {
        return auth;
    }

    /** The game schema's name, safe to splice into SQL (validated at build time). */
    public String game() {
        return game;
    }

    public int maxJsonBytes() {
        return maxJsonBytes;
    }

    public int maxTextChars() {
        return maxTextChars;
    }

    /** Whether this thread runs inside {@link #inTransaction(Supplier)}. */
    public boolean inTransaction() {
        return bound.get() != null;
    }

    /** One statement or a few reads: joins the thread's transaction if any. */
    public <T> T call(String what, HandleCallback<T, Exception> work) {
        Handle h = bound.get();
        try {
            return h != null ? work.withHandle(h) : jdbi.withHandle(work);
        } catch (Exception | Error e) {
            throw rethrow(what, e);
        }
    }

    /** Several statements that must commit together: joins the thread's transaction or begins one. */
    public <T> T tx(String what, HandleCallback<T, Exception> work) {
        Handle h = bound.get();
        try {
            return h != null ? work.withHandle(h) : jdbi.inTransaction(work);
        } catch (Exception | Error e) {
            throw rethrow(what, e);
        }
    }

    /**
     * Runs the work in one transaction bound to this thread; every store call the work makes
     * on this thread joins it. Nested calls join the outer transaction.
     */
    public <T> T inTransaction(Supplier<T> work) {
        return bindTransaction(work, false);
    }

    /**
     * Like {@link #inTransaction(Supplier)}, on a maintenance connection: no socket timeout, no
     * statement timeout. Nested in a request-path transaction it joins that one (and its limits).
     */
    public <T> T inMaintenanceTransaction(Supplier<T> work) {
        return bindTransaction(work, true);
    }

    /**
     * Maintenance statements in one transaction of their own, never joining the thread's: no
     * socket timeout and no statement timeout, however long they take (see the class comment).
     */
    public <T> T maintenance(String what, HandleCallback<T, Exception> work) {
        if (bound.get() != null) {
            throw new IllegalStateException(what + ": maintenance cannot run inside a request transaction");
        }
        return inMaintenanceTransaction(() -> call(what, work));
    }

    private <T> T bindTransaction(Supplier<T> work, boolean maintenance) {
        if (bound.get() != null) {
            return work.get();
        }
        Handle h;
        int socketTimeout = -1;
        try {
            h = jdbi.open();
            if (maintenance) {
                socketTimeout = h.getConnection().getNetworkTimeout();
                h.getConnection().setNetworkTimeout(Runnable::run, 0);
            }
        } catch (Exception e) {
            throw SqlErrors.translate("begin transaction", e);
        }
        try {
            h.begin();
            if (maintenance) {
                h.execute("SET LOCAL statement_timeout = 0");
            }
            bound.set(h);
            T result = work.get();
            bound.remove();
            h.commit();
            return result;
        } catch (RuntimeException | Error e) {
            bound.remove();
            try {
                if (h.isInTransaction()) {
                    h.rollback();
                }
            } catch (Exception rollbackFailure) {
                e.addSuppressed(rollbackFailure);
            }
            throw rethrow("transaction", e);
        } finally {
            bound.remove();
            try {
                if (socketTimeout >= 0) { // back to the request path's limit before the pool reuses it
                    h.getConnection().setNetworkTimeout(Runnable::run, socketTimeout);
                }
            } catch (Exception ignored) {
                // a broken connection: the pool drops it
            }
            try {
                h.close();
            } catch (Exception ignored) {
                // a broken connection: the pool drops it
            }
        }
    }

    private static RuntimeException rethrow(String what, Throwable e) {
        if (e instanceof Error err) {
            throw err;
        }
        return SqlErrors.translate(what, e);
    }

    // ---- value helpers shared by the stores ----

    public static OffsetDateTime ts(Instant instant) {
        return instant == null ? null : instant.truncatedTo(ChronoUnit.MICROS).atOffset(ZoneOffset.UTC);
    }

    public static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    public static UUID uuid(ResultSet rs, String column) throws SQLException {
        return rs.getObject(column, UUID.class);
    }
}
