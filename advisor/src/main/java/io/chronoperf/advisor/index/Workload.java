package io.chronoperf.advisor.index;

import io.chronoperf.runtime.OwnStatements;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The statements the advisor optimizes for, each with a weight (how often it runs, or its share
 * of the time): from a file of statements separated by semicolons, from a directory with one
 * {@code .sql} file per query, or from pg_stat_statements (weighted by calls).
 */
public record Workload(String source, List<Query> queries) {
    /**
     * One statement and its weight; {@code id} names it in reports; {@code observed} is what it did
     * when it ran (from pg_stat_statements), null when the workload is a file.
     */
    public record Query(String id, String sql, double weight, Observed observed) {
        public Query(String id, String sql, double weight) {
            this(id, sql, weight, null);
        }
    }

    /** What a statement did per call when it ran: rows returned or affected, time, shared blocks touched. */
    public record Observed(long calls, double rowsPerCall, double meanMs, double blocksPerCall) {}

    public Workload {
        queries = List.copyOf(queries);
    }

    /** Statements separated by semicolons (outside quotes and comments), each of weight 1. */
    public static Workload fromText(String source, String text) {
        List<Query> out = new ArrayList<>();
        int n = 1;
        for (String statement : split(text)) {
            out.add(new Query(source + "#" + n++, statement, 1));
        }
        return new Workload(source, out);
    }

    /**
     * A file of statements, or a directory of {@code .sql} files (one query each; a file may
     * hold a setup statement first, such as TPC-H q15's view: only its last statement is the query).
     */
    public static Workload fromPath(Path path) throws IOException {
        if (!Files.isDirectory(path)) {
            return fromText(path.getFileName().toString(), Files.readString(path, StandardCharsets.UTF_8));
        }
        List<Query> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(path)) {
            for (Path f :
                    files.filter(p -> p.toString().endsWith(".sql")).sorted().toList()) {
                List<String> statements = split(Files.readString(f, StandardCharsets.UTF_8));
                if (!statements.isEmpty()) {
                    out.add(new Query(
                            f.getFileName().toString().replaceFirst("\\.sql$", ""),
                            statements.get(statements.size() - 1),
                            1));
                }
            }
        }
        return new Workload(path.toString(), out);
    }

    /**
     * The database's statements from pg_stat_statements that read or write tables (not the
     * monitor's, not utility statements), the {@code limit} with the most total time, weighted by calls.
     */
    public static Workload fromStatStatements(Connection c, int limit) throws SQLException {
        return fromStatStatements(c, limit, false);
    }

    /** As {@link #fromStatStatements(Connection, int)}, weighted by total time (ms) when {@code byTime}. */
    public static Workload fromStatStatements(Connection c, int limit, boolean byTime) throws SQLException {
        List<Query> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(OwnStatements.MARK + """
                SELECT s.queryid, s.query, CASE WHEN ? THEN s.total_exec_time ELSE s.calls END,
                       s.calls, s.rows, s.total_exec_time, s.shared_blks_hit + s.shared_blks_read
                  FROM pg_stat_statements s JOIN pg_catalog.pg_database d ON d.oid = s.dbid
                 WHERE d.datname = current_database() AND s.calls > 0
                   AND s.query ~* '^\\s*(with|select|update|delete|insert)\\M'
                   AND s.query !~* 'pg_catalog|pg_stat_|information_schema'
                   AND """ + OwnStatements.NOT_OWN_SQL + """

                 ORDER BY s.total_exec_time DESC LIMIT ?""")) {
            ps.setBoolean(1, byTime);
            ps.setInt(2, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long calls = rs.getLong(4);
                    out.add(new Query(
                            "pgss:" + rs.getLong(1),
                            rs.getString(2),
                            rs.getDouble(3),
                            new Observed(
                                    calls, rs.getDouble(5) / calls, rs.getDouble(6) / calls, rs.getDouble(7) / calls)));
                }
            }
        }
        return new Workload("pg_stat_statements", out);
    }

    /**
     * The monitor's stored deltas of a window (what ran in it, not since the statistics reset):
     * the statements with the most total time, weighted by calls or by total time (ms).
     */
    public static Workload fromDeltas(
            List<io.chronoperf.monitor.History.StatementDelta> deltas, int limit, boolean byTime) {
        List<Query> out = new ArrayList<>();
        for (io.chronoperf.monitor.History.StatementDelta d : deltas) {
            String sql = d.query();
            if (out.size() >= limit
                    || !sql.matches("(?is)^\\s*(with|select|update|delete|insert)\\b.*")
                    || sql.matches("(?is).*\\b(pg_catalog|pg_stat_\\w*|information_schema)\\b.*")
                    || OwnStatements.isOwn(sql)) {
                continue;
            }
            out.add(new Query(
                    "pgss:" + d.queryid(),
                    sql,
                    byTime ? d.totalMs() : d.calls(),
                    d.calls() == 0
                            ? null
                            : new Observed(
                                    d.calls(),
                                    (double) d.rows() / d.calls(),
                                    d.meanMs(),
                                    (double) (d.sharedHit() + d.sharedRead()) / d.calls())));
        }
        return new Workload("the monitor's pg_stat_statements deltas", out);
    }

    /** The statements of a text ({@link io.chronoperf.advisor.SqlScript}), trimmed. */
    static List<String> split(String text) {
        return io.chronoperf.advisor.SqlScript.split(text).stream()
                .map(st -> st.sql().strip())
                .toList();
    }
}
