package dev.dmengine.spi;

import java.util.function.Supplier;

/**
 * Runs work whose store writes belong together as one unit. Stores backed by one database
 * join the unit when called inside it; the in-memory default simply runs the work.
 */
@FunctionalInterface
public interface Transactor {

    <T> T inTransaction(Supplier<T> work);

    /** Runs the work as it is, for stores that cannot share a transaction. */
    static Transactor none() {
        return Supplier::get;
    }
}
