package io.chronoperf.advisor.nplusone;

import io.chronoperf.advisor.Fingerprint;
import io.chronoperf.runtime.OwnStatements;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * N+1 sources in applications we do not instrument, seen from the database: statements in
 * pg_stat_statements called very often, returning about one row per call, in the shape of a
 * lookup by one key ({@code SELECT ... FROM t WHERE col = $1}). A lead, not a proof: the calls
 * may come from many requests rather than from loops; the capture (or a trace) tells which.
 *
 * <p>Needs the pg_stat_statements extension in the database (preloaded by the server) and a
 * role allowed to read it (pg_read_all_stats for other users' query texts).
 */
public final class StatStatementsSuspects {
    /** One lookup called suspiciously often. */
    public record Suspect(String query, long calls, double rowsPerCall, double meanMs, double totalMs, String reason) {}

    /** The suspects, or why there are none to look at. */
    public record Result(boolean available, String reason, List<Suspect> suspects) {}

    private static final Pattern KEY_LOOKUP = Pattern.compile(
            "select .+ from [a-z_.\"0-9]+(?: (?:as )?[a-z_0-9]+)? where [a-z_.\"0-9]+=\\?(?: limit \\?)?");

    private StatStatementsSuspects() {}

    /**
     * @param minCalls calls that make a lookup suspicious (1,000 by default in the API)
     */
    public static Result find(Connection c, long minCalls, int limit) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(OwnStatements.MARK
                        + "SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'pg_stat_statements'");
                ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                return new Result(
                        false,
                        "pg_stat_statements is not installed in this database:"
                                + " CREATE EXTENSION pg_stat_statements (it must be in shared_preload_libraries)",
                        List.of());
            }
        }
        List<Suspect> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(OwnStatements.MARK + """
                SELECT s.query, s.calls, s.rows, s.mean_exec_time, s.total_exec_time
                  FROM pg_stat_statements s
                  JOIN pg_catalog.pg_database d ON d.oid = s.dbid
                 WHERE d.datname = current_database() AND s.calls >= ? AND s.rows <= s.calls * 1.5
                   AND """ + OwnStatements.NOT_OWN_SQL + """

                 ORDER BY s.calls DESC
                 LIMIT 500""")) {
            ps.setLong(1, minCalls);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next() && out.size() < limit) {
                    String query = rs.getString(1);
                    if (query == null
                            || !KEY_LOOKUP.matcher(Fingerprint.of(query)).matches()) {
                        continue;
                    }
                    long calls = rs.getLong(2);
                    double rowsPerCall = (double) rs.getLong(3) / calls;
                    out.add(new Suspect(
                            query,
                            calls,
                            rowsPerCall,
                            rs.getDouble(4),
                            rs.getDouble(5),
                            String.format(
                                    java.util.Locale.ROOT,
                                    "%,d calls returning %.2f rows each, by one key:"
                                            + " likely run once per row of another query; batch it with = ANY($1)",
                                    calls,
                                    rowsPerCall)));
                }
            }
        } catch (SQLException e) {
            if ("55000".equals(e.getSQLState())) { // object not in prerequisite state: not preloaded
                return new Result(
                        false,
                        "pg_stat_statements is installed but not preloaded: add it to"
                                + " shared_preload_libraries and restart PostgreSQL",
                        List.of());
            }
            throw e;
        }
        return new Result(true, null, out);
    }
}
