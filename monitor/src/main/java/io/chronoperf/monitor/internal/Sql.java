package io.chronoperf.monitor.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/** How the monitor sends its statements: each marked, so that what it sends never counts as the workload. */
public final class Sql {
    /** The comment that starts every statement of the monitor. */
    public static final String MARK = "/* chrono-perf monitor */ ";

    private Sql() {}

    /**
     * Prepares a statement of the monitor, marked with {@link #MARK} so that history leaves it out
     * of the workload: pg_stat_statements does not record application_name, but it keeps the
     * first text of each statement, comment included.
     */
    public static PreparedStatement prepare(Connection c, String sql) throws SQLException {
        return c.prepareStatement(MARK + sql);
    }
}
