package dev.dmengine.postgres.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dmengine.spi.ConflictException;
import dev.dmengine.spi.InvalidInputException;
import dev.dmengine.spi.UnavailableException;

import java.io.EOFException;
import java.net.ConnectException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.LinkedHashMap;
import java.util.Map;

import org.jdbi.v3.core.ConnectionException;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;
import org.postgresql.util.PSQLState;

class SqlErrorsTest {

    private static RuntimeException wrapped(String state) {
        return new UnableToExecuteStatementException(new SQLException("boom", state), null);
    }

    @Test
    void maps_a_unique_violation_to_a_conflict() {
        assertThat(SqlErrors.translate("create player", wrapped("23505"))).isInstanceOf(ConflictException.class);
    }

    @Test
    void maps_data_and_integrity_errors_to_invalid_input() {
        assertThat(SqlErrors.translate("append", wrapped("22P02"))).isInstanceOf(InvalidInputException.class);
        assertThat(SqlErrors.translate("append", wrapped("22021"))).isInstanceOf(InvalidInputException.class);
        assertThat(SqlErrors.translate("append", wrapped("23514"))).isInstanceOf(InvalidInputException.class);
    }

    @Test
    void maps_connection_failures_shutdowns_and_timeouts_to_retriable_unavailable() {
        for (String state : new String[] {"08006", "08001", "57P01", "57014", "53300", "40001", "40P01"}) {
            RuntimeException e = SqlErrors.translate("count", wrapped(state));
            assertThat(e).as(state).isInstanceOf(UnavailableException.class);
            assertThat(((UnavailableException) e).isRetriable()).isTrue();
        }
        assertThat(SqlErrors.translate("count", new ConnectionException(
                new SQLTransientConnectionException("dm-postgres - Connection is not available, request timed out"))))
                .isInstanceOf(UnavailableException.class);
        assertThat(SqlErrors.translate("count", new ConnectionException(new SQLException("refused", "08001",
                new ConnectException("Connection refused"))))).isInstanceOf(UnavailableException.class);
    }

    @Test
    void says_why_the_database_is_unavailable_in_words_a_player_can_read_and_keeps_the_details_in_the_cause() {
        Map<RuntimeException, String> cases = new LinkedHashMap<>();
        cases.put(new UnableToExecuteStatementException(new SQLException(
                "FATAL: terminating connection due to administrator command", "57P01"), null),
                "get player: the database is shutting down");
        cases.put(new UnableToExecuteStatementException(new PSQLException(
                "An I/O error occurred while sending to the backend.", PSQLState.CONNECTION_FAILURE,
                new EOFException()), null), "append message: the connection to the database was lost");
        cases.put(new ConnectionException(new SQLTransientConnectionException("dm-server - Connection is not "
                + "available, request timed out after 2000ms (total=0, active=0, idle=0, waiting=24)", "08001",
                new PSQLException("Connection to 127.0.0.1:5432 refused. Check that the hostname and port are "
                        + "correct and that the postmaster is accepting TCP/IP connections.",
                        PSQLState.CONNECTION_UNABLE_TO_CONNECT, new ConnectException("Connection refused")))),
                "get character: the database cannot be reached");
        cases.put(new ConnectionException(new SQLTransientConnectionException("dm-server - Connection is not "
                + "available, request timed out after 2000ms (total=10, active=10, idle=0, waiting=9)")),
                "latest turn: the database had no free connection in time");
        cases.put(wrapped("57014"), "search vectors: the database took too long to answer");
        cases.put(wrapped("57P03"), "get session: the database is starting up");
        cases.put(wrapped("40P01"), "update character: the database refused a conflicting concurrent change");
        cases.put(new ConnectionException(new SQLException("no state")), "begin transaction: the database cannot be "
                + "reached");
        cases.forEach((failure, expected) -> {
            String what = expected.substring(0, expected.indexOf(':'));
            RuntimeException e = SqlErrors.translate(what, failure);
            assertThat(e).isInstanceOf(UnavailableException.class).hasMessage(expected).hasCause(failure);
        });
    }

    @Test
    void lets_the_callers_own_exceptions_through() {
        IllegalArgumentException own = new IllegalArgumentException("mine");
        assertThat(SqlErrors.translate("work", own)).isSameAs(own);
    }

    @Test
    void reports_a_programming_error_as_an_illegal_state_not_as_retriable() {
        assertThat(SqlErrors.translate("query", wrapped("42601"))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("query");
    }
}
