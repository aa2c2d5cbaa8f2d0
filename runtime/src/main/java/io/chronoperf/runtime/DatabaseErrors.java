package io.chronoperf.runtime;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;

/** Which failures mean "the database is away" (an outage to wait out), as opposed to a fault. */
public final class DatabaseErrors {
    private DatabaseErrors() {}

    /**
     * True when a connection could not be had or was lost anywhere in the cause chain: a pool
     * timeout ({@link SQLTransientConnectionException}), SQLSTATE class 08 (connection exception)
     * or 57P01-57P03 (administrator shutdown, crash shutdown, cannot connect now).
     */
    public static boolean isUnavailable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLTransientConnectionException) {
                return true;
            }
            if (t instanceof SQLException s
                    && s.getSQLState() != null
                    && (s.getSQLState().startsWith("08") || s.getSQLState().startsWith("57P0"))) {
                return true;
            }
        }
        return false;
    }
}
