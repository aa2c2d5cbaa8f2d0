package io.chronoperf.monitor;

import io.chronoperf.monitor.internal.Sql;
import io.chronoperf.runtime.OwnStatements;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * How many of the database's statements are slow, from pg_stat_statements (cumulative since its
 * last reset, which chrono-perf never performs): slow at a mean of 200 ms or more (the seed's
 * "query response time should be under 200 ms average"), critical at 1 s or more.
 *
 * @param available false when pg_stat_statements is not installed (the score then has no slow term)
 */
public record StatementSummary(boolean available, long statements, long slow, long critical, long calls) {
    public static final double SLOW_MS = 200;
    public static final double CRITICAL_MS = 1_000;

    public static StatementSummary of(Connection c) throws SQLException {
        try (PreparedStatement ps =
                        Sql.prepare(c, "SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'pg_stat_statements'");
                ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                return new StatementSummary(false, 0, 0, 0, 0);
            }
        }
        try (PreparedStatement ps = Sql.prepare(c, """
                SELECT count(*), count(*) FILTER (WHERE mean_exec_time >= ? AND mean_exec_time < ?),
                       count(*) FILTER (WHERE mean_exec_time >= ?), coalesce(sum(calls), 0)
                  FROM pg_stat_statements s JOIN pg_catalog.pg_database d ON d.oid = s.dbid
                 WHERE d.datname = current_database() AND """ + OwnStatements.NOT_OWN_SQL)) {
            ps.setDouble(1, SLOW_MS);
            ps.setDouble(2, CRITICAL_MS);
            ps.setDouble(3, CRITICAL_MS);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new StatementSummary(true, rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4));
            }
        } catch (SQLException notPreloaded) {
            return new StatementSummary(false, 0, 0, 0, 0);
        }
    }
}
