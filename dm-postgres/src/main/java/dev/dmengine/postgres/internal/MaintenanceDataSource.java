package dev.dmengine.postgres.internal;

import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.logging.Logger;

import javax.sql.DataSource;

/**
 * The pool seen by maintenance work that opens its own connections (Flyway migrations): each
 * connection has no socket timeout and no statement timeout while it is borrowed, and gets
 * both back when it is returned. A migration that rebuilds an index over a large table may
 * take minutes; the request path's socket timeout must not cut it.
 */
public final class MaintenanceDataSource implements DataSource {

    private final DataSource pool;

    public MaintenanceDataSource(DataSource pool) {
        this.pool = pool;
    }

    @Override
    public Connection getConnection() throws SQLException {
        return unlimited(pool.getConnection());
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        return unlimited(pool.getConnection(username, password));
    }

    private static Connection unlimited(Connection c) throws SQLException {
        int socketTimeout;
        try {
            socketTimeout = c.getNetworkTimeout();
            c.setNetworkTimeout(Runnable::run, 0);
            try (var st = c.createStatement()) {
                st.execute("SET statement_timeout = 0");
            }
        } catch (SQLException | RuntimeException e) {
            c.close();
            throw e;
        }
        return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("close") && method.getParameterCount() == 0 && !c.isClosed()) {
                        try {
                            if (!c.getAutoCommit()) {
                                c.rollback(); // RESET must not run in a transaction the caller left open
                            }
                            try (var st = c.createStatement()) {
                                st.execute("RESET statement_timeout");
                            }
                            c.setNetworkTimeout(Runnable::run, socketTimeout);
                        } catch (SQLException ignored) {
                            // a broken connection: the pool drops it on close
                        }
                    }
                    try {
                        return method.invoke(c, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    @Override
    public PrintWriter getLogWriter() throws SQLException {
        return pool.getLogWriter();
    }

    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
        pool.setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
        pool.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() throws SQLException {
        return pool.getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        return pool.getParentLogger();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        return iface.isInstance(this) ? iface.cast(this) : pool.unwrap(iface);
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) throws SQLException {
        return iface.isInstance(this) || pool.isWrapperFor(iface);
    }
}
