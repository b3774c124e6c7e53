package dev.dmengine.postgres.internal;

import dev.dmengine.spi.ConflictException;
import dev.dmengine.spi.DmException;
import dev.dmengine.spi.InvalidInputException;
import dev.dmengine.spi.UnavailableException;

import java.io.IOException;
import java.net.SocketException;
import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTimeoutException;
import java.sql.SQLTransientException;

import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/** Translates JDBC/Jdbi failures into the dm-spi exception hierarchy, once, at the boundary. */
public final class SqlErrors {

    private SqlErrors() {
    }

    public static RuntimeException translate(String what, Throwable failure) {
        if (failure instanceof DmException dm) {
            return dm;
        }
        SQLException sql = find(failure, SQLException.class);
        String state = sql == null ? null : firstState(sql);
        if (state != null) {
            if (state.equals("23505")) {
                return new ConflictException(what + ": already exists (" + constraint(sql) + ")", failure);
            }
            if (state.equals("23503")) {
                return new InvalidInputException(field(what), "refers to something that does not exist ("
                        + constraint(sql) + ")");
            }
            if (state.startsWith("23")) { // check, not-null, exclusion
                return new InvalidInputException(field(what), "violates " + constraint(sql));
            }
            if (state.startsWith("22")) { // data exception: bad JSON, bad encoding, out of range
                return new InvalidInputException(field(what), serverMessage(sql));
            }
            if (state.startsWith("08") // connection exception
                    || state.startsWith("53") // insufficient resources
                    || state.startsWith("57") // operator intervention: shutdown, cancel (timeouts)
                    || state.equals("40001") || state.equals("40P01") // serialization, deadlock
                    || state.equals("55P03") // lock not available
                    || state.equals("25P03")) { // idle in transaction timeout
                return new UnavailableException(what + ": PostgreSQL is unavailable (" + state + ": "
                        + sql.getMessage() + ")", failure);
            }
        }
        if (sql instanceof SQLTransientException || sql instanceof SQLRecoverableException
                || sql instanceof SQLTimeoutException
                || find(failure, SocketException.class) != null || find(failure, IOException.class) != null) {
            return new UnavailableException(what + ": PostgreSQL is unavailable (" + rootMessage(failure) + ")",
                    failure);
        }
        if (sql == null && failure instanceof RuntimeException re
                && !(failure instanceof org.jdbi.v3.core.JdbiException)) {
            return re; // not a database failure: the caller's own exception passes through
        }
        if (sql != null && state == null) {
            // the pool or driver gave up before the server said anything
            return new UnavailableException(what + ": PostgreSQL is unavailable (" + rootMessage(failure) + ")",
                    failure);
        }
        return new IllegalStateException(what + " failed: " + rootMessage(failure), failure);
    }

    private static String firstState(SQLException e) {
        for (SQLException cur = e; cur != null; cur = cur.getNextException()) {
            if (cur.getSQLState() != null) {
                return cur.getSQLState();
            }
        }
        return null;
    }

    private static String constraint(SQLException e) {
        if (e instanceof PSQLException p) {
            ServerErrorMessage m = p.getServerErrorMessage();
            if (m != null && m.getConstraint() != null) {
                return m.getConstraint();
            }
        }
        return e.getMessage();
    }

    private static String serverMessage(SQLException e) {
        if (e instanceof PSQLException p && p.getServerErrorMessage() != null
                && p.getServerErrorMessage().getMessage() != null) {
            return p.getServerErrorMessage().getMessage();
        }
        return String.valueOf(e.getMessage());
    }

    private static String field(String what) {
        return what;
    }

    private static String rootMessage(Throwable t) {
        Throwable cur = t;
        while (cur.getCause() != null && cur.getCause() != cur) {
            cur = cur.getCause();
        }
        return cur.getClass().getSimpleName() + ": " + cur.getMessage();
    }

    private static <T extends Throwable> T find(Throwable t, Class<T> type) {
        for (Throwable cur = t; cur != null; cur = cur.getCause() == cur ? null : cur.getCause()) {
            if (type.isInstance(cur)) {
                return type.cast(cur);
            }
        }
        return null;
    }
}
