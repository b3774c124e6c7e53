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
import java.sql.SQLTransientConnectionException;
import java.sql.SQLTransientException;

import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/**
 * Translates JDBC/Jdbi failures into the dm-spi exception hierarchy, once, at the boundary. An
 * {@link UnavailableException}'s message names the operation and says why in plain words (a failed
 * turn shows it to the player); the SQLSTATE and the driver's text stay in its cause, for logs.
 */
public final class SqlErrors {

    private SqlErrors() {
    }

    private static final String LOST = "the connection to the database was lost";

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
            String why = unavailable(state);
            if (why != null) {
                return unavailable(what, why, failure);
            }
        }
        if (sql instanceof SQLTransientConnectionException && state == null && sql.getCause() == null) {
            // the pool is exhausted: no connection failed, none came free
            return unavailable(what, "the database had no free connection in time", failure);
        }
        if (sql instanceof SQLTimeoutException) {
            return unavailable(what, "the database took too long to answer", failure);
        }
        if (sql instanceof SQLTransientException || sql instanceof SQLRecoverableException
                || find(failure, SocketException.class) != null || find(failure, IOException.class) != null) {
            return unavailable(what, LOST, failure);
        }
        if (sql == null && failure instanceof RuntimeException re
                && !(failure instanceof org.jdbi.v3.core.JdbiException)) {
            return re; // not a database failure: the caller's own exception passes through
        }
        if (sql != null && state == null) {
            // the pool or the driver gave up before the server said anything
            return unavailable(what, "the database cannot be reached", failure);
        }
        return new IllegalStateException(what + " failed: " + rootMessage(failure), failure);
    }

    /**
     * Why the database is unavailable, by SQLSTATE, in words a player can read (the message of a
     * failed turn); null when the state is not one of unavailability. The SQLSTATE, the driver's
     * and the pool's text stay in the cause, for the logs.
     */
    private static String unavailable(String state) {
        if (state.equals("08001") || state.equals("08004")) {
            return "the database cannot be reached";
        }
        if (state.startsWith("08")) {
            return LOST;
        }
        return switch (state) {
            case "57P01", "57P02" -> "the database is shutting down"; // an administrator, a crashed backend
            case "57P03" -> "the database is starting up";
            case "57014", "25P03" -> "the database took too long to answer"; // statement, idle-in-transaction timeout
            case "40001", "40P01" -> "the database refused a conflicting concurrent change"; // serialization, deadlock
            case "55P03" -> "the database could not take a lock in time";
            default -> state.startsWith("57") ? "the database is shutting down"
                    : state.startsWith("53") ? "the database is out of resources" : null;
        };
    }

    private static UnavailableException unavailable(String what, String why, Throwable failure) {
        return new UnavailableException(what + ": " + why, failure);
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
