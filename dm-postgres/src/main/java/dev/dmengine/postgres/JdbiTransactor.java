package dev.dmengine.postgres;

import dev.dmengine.postgres.internal.Db;
import dev.dmengine.spi.Transactor;

import java.util.function.Supplier;

/**
 * Runs work in one PostgreSQL transaction bound to the calling thread: every store of the
 * same {@link PostgresAdapters} called by the work on that thread joins it, so a turn's
 * writes commit together or not at all. Nested calls join the outer transaction; any
 * exception rolls the whole unit back. A failed statement aborts the transaction, so work
 * that catches a store's exception should rethrow it rather than go on.
 */
public final class JdbiTransactor implements Transactor {

    private final Db db;

    JdbiTransactor(Db db) {
        this.db = db;
    }

    @Override
    public <T> T inTransaction(Supplier<T> work) {
        return db.inTransaction(work);
    }
}
