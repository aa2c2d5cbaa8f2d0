package io.chronoperf.advisor.index;

import io.chronoperf.advisor.analyze.QueryAnalyzer;
import io.chronoperf.advisor.analyze.SafetyCheck;
import io.chronoperf.runtime.OwnStatements;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import tools.jackson.databind.json.JsonMapper;

/**
 * Creates recommended indexes with proof: the read-only part of the workload is timed with
 * EXPLAIN ANALYZE (in a READ ONLY transaction, rolled back) before and after; each index is built
 * with CREATE INDEX CONCURRENTLY under a lock_timeout, one at a time, checked for indisvalid,
 * dropped and built once more when invalid, and its table analyzed. The outcome is stored in
 * {@code chrono_perf.index_applications} when the database has that table (chrono-perf's own), and
 * returned in any case. Nothing is ever dropped here except an invalid index this run built.
 */
public final class IndexApplier {
    /** Runs per query when timing; the median counts. */
    public static final int RUNS = 3;

    private static final JsonMapper JSON = JsonMapper.builder().build();

    public record Applied(
            String ddl, String name, boolean valid, int attempts, long sizeBytes, long buildMs, String error) {}

    public record QueryTiming(String query, Double beforeMs, Double afterMs) {}

    /**
     * @param beforeMs weighted sum of the median execution times of the timed queries, before
     * @param stored   true when the outcome was written to chrono_perf.index_applications
     */
    public record Outcome(
            List<Applied> indexes,
            Double beforeMs,
            Double afterMs,
            Double speedup,
            List<QueryTiming> queries,
            String notTimed,
            boolean stored) {}

    private final Duration lockTimeout;
    private final Duration statementTimeout;
    private final Consumer<String> progress;

    public IndexApplier(Duration lockTimeout, Duration statementTimeout, Consumer<String> progress) {
        this.lockTimeout = lockTimeout;
        this.statementTimeout = statementTimeout;
        this.progress = progress;
    }

    public Outcome apply(Connection c, Workload workload, List<IndexAdvisor.Recommendation> indexes)
            throws SQLException {
        c.setAutoCommit(true); // CREATE INDEX CONCURRENTLY cannot run in a transaction block
        List<Workload.Query> timed = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (Workload.Query q : workload.queries()) {
            if (SafetyCheck.of(q.sql()).verdict() == SafetyCheck.Verdict.EXECUTE) {
                timed.add(q);
            } else {
                skipped.add(q.id());
            }
        }
        progress.accept("timing " + timed.size() + " read-only queries before");
        double[] before = time(c, timed);
        List<Applied> applied = new ArrayList<>();
        for (IndexAdvisor.Recommendation r : indexes) {
            IndexDef d = r.definition();
            progress.accept("creating " + d.name());
            applied.add(create(c, d));
        }
        progress.accept("timing " + timed.size() + " read-only queries after");
        double[] after = time(c, timed);
        List<QueryTiming> timings = new ArrayList<>();
        double b = 0;
        double a = 0;
        boolean complete = !timed.isEmpty();
        for (int i = 0; i < timed.size(); i++) {
            Double x = Double.isNaN(before[i]) ? null : before[i];
            Double y = Double.isNaN(after[i]) ? null : after[i];
            timings.add(new QueryTiming(timed.get(i).id(), x, y));
            if (x == null || y == null) {
                complete = false;
                continue;
            }
            b += timed.get(i).weight() * x;
            a += timed.get(i).weight() * y;
        }
        Double beforeMs = complete || b > 0 ? round(b) : null;
        Double afterMs = complete || a > 0 ? round(a) : null;
        Double speedup = beforeMs != null && afterMs != null && afterMs > 0 ? round(beforeMs / afterMs) : null;
        String notTimed = skipped.isEmpty()
                ? null
                : skipped.size() + " statements are not read-only and were not timed: " + skipped;
        Outcome outcome = new Outcome(applied, beforeMs, afterMs, speedup, timings, notTimed, false);
        return store(c, outcome);
    }

    private Applied create(Connection c, IndexDef d) throws SQLException {
        String error = null;
        long start = System.nanoTime();
        for (int attempt = 1; attempt <= 2; attempt++) {
            try (Statement s = c.createStatement()) {
                s.execute(OwnStatements.MARK + "SET lock_timeout = " + lockTimeout.toMillis());
                try {
                    s.execute(OwnStatements.mark(d.ddl()));
                } finally {
                    s.execute(OwnStatements.MARK + "RESET lock_timeout");
                }
            } catch (SQLException e) {
                error = e.getMessage();
            }
            Boolean valid = valid(c, d);
            if (Boolean.TRUE.equals(valid)) {
                try (Statement s = c.createStatement()) {
                    s.execute(OwnStatements.MARK + "ANALYZE " + d.qualified());
                }
                return new Applied(
                        d.ddl(),
                        d.name(),
                        true,
                        attempt,
                        indexSize(c, d),
                        (System.nanoTime() - start) / 1_000_000,
                        null);
            }
            if (valid != null) { // a failed concurrent build left an invalid index: drop it, then try once more
                try (Statement s = c.createStatement()) {
                    s.execute(OwnStatements.MARK + "DROP INDEX CONCURRENTLY IF EXISTS " + d.qualifiedName());
                }
            }
        }
        return new Applied(d.ddl(), d.name(), false, 2, 0, (System.nanoTime() - start) / 1_000_000, error);
    }

    /** indisvalid of the index, or null when it does not exist. */
    private static Boolean valid(Connection c, IndexDef d) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(OwnStatements.MARK
                + "SELECT i.indisvalid FROM pg_catalog.pg_index i WHERE i.indexrelid = to_regclass(?)")) {
            ps.setString(1, d.qualifiedName());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getBoolean(1) : null;
            }
        }
    }

    private static long indexSize(Connection c, IndexDef d) throws SQLException {
        try (PreparedStatement ps =
                c.prepareStatement(OwnStatements.MARK + "SELECT pg_catalog.pg_relation_size(to_regclass(?))")) {
            ps.setString(1, d.qualifiedName());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        }
    }

    /** Median execution time of each query over RUNS runs (NaN when it cannot be run). */
    private double[] time(Connection c, List<Workload.Query> queries) throws SQLException {
        double[] out = new double[queries.size()];
        for (int i = 0; i < queries.size(); i++) {
            QueryAnalyzer.Plannable plan;
            try {
                plan = QueryAnalyzer.plannable(c, queries.get(i).sql());
            } catch (RuntimeException e) {
                plan = null;
            }
            if (plan == null || !plan.executable()) { // a generic plan cannot be executed
                out[i] = Double.NaN;
                continue;
            }
            double[] runs = new double[RUNS];
            for (int r = 0; r < RUNS; r++) {
                runs[r] = run(c, plan);
            }
            Arrays.sort(runs);
            out[i] = runs[RUNS / 2];
        }
        return out;
    }

    private double run(Connection c, QueryAnalyzer.Plannable plan) throws SQLException {
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            s.execute(OwnStatements.MARK + "SET TRANSACTION READ ONLY");
            s.execute(OwnStatements.MARK + "SET LOCAL statement_timeout = " + statementTimeout.toMillis());
            return QueryAnalyzer.explain(c, plan, "ANALYZE, ")
                    .get(0)
                    .get("Execution Time")
                    .asDouble();
        } catch (SQLException e) {
            return Double.NaN;
        } finally {
            c.rollback();
            c.setAutoCommit(true);
        }
    }

    private static Outcome store(Connection c, Outcome o) throws SQLException {
        try (PreparedStatement check = c.prepareStatement(
                        OwnStatements.MARK + "SELECT to_regclass('chrono_perf.index_applications') IS NOT NULL");
                ResultSet rs = check.executeQuery()) {
            rs.next();
            if (!rs.getBoolean(1)) {
                return o;
            }
        }
        Outcome stored =
                new Outcome(o.indexes(), o.beforeMs(), o.afterMs(), o.speedup(), o.queries(), o.notTimed(), true);
        try (PreparedStatement ps = c.prepareStatement(OwnStatements.MARK
                + "INSERT INTO chrono_perf.index_applications (ddl, before_ms, after_ms, outcome) VALUES (?, "
                + "?, ?, ?::jsonb)")) {
            ps.setArray(
                    1,
                    c.createArrayOf(
                            "text", o.indexes().stream().map(Applied::ddl).toArray()));
            ps.setObject(2, o.beforeMs());
            ps.setObject(3, o.afterMs());
            ps.setString(4, JSON.writeValueAsString(stored));
            ps.executeUpdate();
        }
        return stored;
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
