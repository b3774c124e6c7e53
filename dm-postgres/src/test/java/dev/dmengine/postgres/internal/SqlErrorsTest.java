package dev.dmengine.postgres.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dmengine.spi.ConflictException;
import dev.dmengine.spi.InvalidInputException;
import dev.dmengine.spi.UnavailableException;

import java.net.ConnectException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;

import org.jdbi.v3.core.ConnectionException;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;
import org.junit.jupiter.api.Test;

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
