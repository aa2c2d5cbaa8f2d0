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
 * Creates recommended indexes with proof. The read-only part of the workload (normalized
 * statements with values from pg_stats) is timed with EXPLAIN ANALYZE in READ ONLY transactions
 * that are rolled back: one warm-up run each, then {@link #ROUNDS} rounds in which every statement
 * runs once (the statements interleaved, so that a drift of the machine touches them all alike),
 * before and after; each index is built with CREATE INDEX CONCURRENTLY under a lock_timeout, one
 * at a time, checked for indisvalid, dropped and built once more when invalid, and its table
 * analyzed. Only statements whose plan afterwards uses a new index are credited: a statement that
 * got faster without using one got faster by warm-up or noise, not by the index. The speed-up of
 * the credited statements comes with a 95% confidence interval (on the logarithm of the per-round
 * totals); when there is none to credit, or the interval holds 1, the verdict is "no measurable
 * change". The outcome is stored in {@code chrono_perf.index_applications} when the database has
 * that table (chrono-perf's own), and returned in any case. Nothing is ever dropped here except
 * an invalid index this run built.
 */
public final class IndexApplier {
    /** Timed rounds before and after (each statement once a round); medians and the interval come from them. */
    public static final int ROUNDS = 7;
    /** Student's t for 95% with ROUNDS + ROUNDS - 2 = 12 degrees of freedom. */
    private static final double T_95 = 2.179;

    private static final JsonMapper JSON = JsonMapper.builder().build();

    public record Applied(
            String ddl, String name, boolean valid, int attempts, long sizeBytes, long buildMs, String error) {}

    /**
     * One timed statement: medians before and after, whether its plan uses a new index (only those
     * are credited), and its own speed-up with the 95% interval.
     */
    public record QueryTiming(
            String query,
            String sql,
            Double beforeMs,
            Double afterMs,
            boolean usesNewIndex,
            Double speedup,
            Double speedupLow,
            Double speedupHigh) {}

    /**
     * @param beforeMs   weighted sum of the median execution times of the credited statements, before
     * @param speedupLow the 95% confidence interval of {@code speedup}
     * @param verdict    the sentence: how much faster, or "no measurable change" and why
     * @param stored     true when the outcome was written to chrono_perf.index_applications
     */
    public record Outcome(
            List<Applied> indexes,
            Double beforeMs,
            Double afterMs,
            Double speedup,
            Double speedupLow,
            Double speedupHigh,
            String verdict,
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
        List<QueryAnalyzer.Plannable> plans = new ArrayList<>();
        List<Workload.Query> runnable = new ArrayList<>();
        for (Workload.Query q : timed) {
            QueryAnalyzer.Plannable plan = runnablePlan(c, q.sql());
            if (plan == null) {
                skipped.add(q.id() + " (no values to run it with)");
            } else {
                plans.add(plan);
                runnable.add(q);
            }
        }
        progress.accept("timing " + runnable.size() + " read-only statements before (" + ROUNDS + " rounds)");
        double[][] before = time(c, plans);
        List<Applied> applied = new ArrayList<>();
        for (IndexAdvisor.Recommendation r : indexes) {
            IndexDef d = r.definition();
            progress.accept("creating " + d.name());
            applied.add(create(c, d));
        }
        progress.accept("timing " + runnable.size() + " read-only statements after (" + ROUNDS + " rounds)");
        double[][] after = time(c, plans);
        List<String> names =
                applied.stream().filter(Applied::valid).map(Applied::name).toList();
        List<QueryTiming> timings = new ArrayList<>();
        double[] totalBefore = new double[ROUNDS];
        double[] totalAfter = new double[ROUNDS];
        int credited = 0;
        for (int i = 0; i < runnable.size(); i++) {
            boolean complete = complete(before[i]) && complete(after[i]);
            boolean uses = complete && usesAny(c, plans.get(i), names);
            double[] ci = complete ? interval(before[i], after[i]) : null;
            timings.add(new QueryTiming(
                    runnable.get(i).id(),
                    runnable.get(i).sql(),
                    complete(before[i]) ? round(median(before[i])) : null,
                    complete(after[i]) ? round(median(after[i])) : null,
                    uses,
                    ci == null ? null : round(ci[0]),
                    ci == null ? null : round(ci[1]),
                    ci == null ? null : round(ci[2])));
            if (uses) {
                credited++;
                for (int r = 0; r < ROUNDS; r++) {
                    totalBefore[r] += runnable.get(i).weight() * before[i][r];
                    totalAfter[r] += runnable.get(i).weight() * after[i][r];
                }
            }
        }
        Double beforeMs = null;
        Double afterMs = null;
        double[] ci = null;
        String verdict;
        if (names.isEmpty()) {
            verdict = "no measurable change: no index was built";
        } else if (credited == 0) {
            verdict = "no measurable change: no timed statement's plan uses the new "
                    + (names.size() == 1 ? "index" : "indexes");
        } else {
            beforeMs = round(median(totalBefore));
            afterMs = round(median(totalAfter));
            ci = interval(totalBefore, totalAfter);
            String range = String.format(java.util.Locale.ROOT, "95%% interval %.2fx to %.2fx", ci[1], ci[2]);
            verdict = ci[1] <= 1 && ci[2] >= 1
                    ? "no measurable change: the " + credited + " statement" + (credited == 1 ? "" : "s")
                            + " using the new indexes ran " + String.format(java.util.Locale.ROOT, "%.2fx", ci[0])
                            + " as fast, " + range + ", which holds no change"
                    : String.format(java.util.Locale.ROOT, "%.2fx %s", ci[0], ci[0] >= 1 ? "faster" : "speed (slower)")
                            + " over the " + credited + " statement" + (credited == 1 ? "" : "s")
                            + " whose plan uses the new indexes (" + range + "; " + ROUNDS
                            + " interleaved rounds before and after, after a warm-up)";
        }
        String notTimed = skipped.isEmpty() ? null : skipped.size() + " statements were not timed: " + skipped;
        Outcome outcome = new Outcome(
                applied,
                beforeMs,
                afterMs,
                ci == null ? null : round(ci[0]),
                ci == null ? null : round(ci[1]),
                ci == null ? null : round(ci[2]),
                verdict,
                timings,
                notTimed,
                false);
        return store(c, outcome);
    }

    /** The statement ready to run: as it is, or with common values from pg_stats for its $n; null when none fit. */
    private static QueryAnalyzer.Plannable runnablePlan(Connection c, String sql) throws SQLException {
        try {
            QueryAnalyzer.Plannable plan = QueryAnalyzer.plannable(c, sql);
            if (plan.executable()) {
                return plan;
            }
            return QueryAnalyzer.plannableWith(c, sql, io.chronoperf.advisor.analyze.RepresentativeValues.Kind.COMMON);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** True when the statement's plan names one of the indexes. */
    private boolean usesAny(Connection c, QueryAnalyzer.Plannable plan, List<String> names) throws SQLException {
        try {
            String json = QueryAnalyzer.explain(c, plan, "").toString();
            for (String name : names) {
                if (json.contains("\"Index Name\":\"" + name + "\"")) {
                    return true;
                }
            }
            return false;
        } catch (SQLException e) {
            return false;
        }
    }

    /**
     * Speed-up (before over after) of the geometric means, and its 95% interval from Welch's
     * standard error of the difference of the log times (Student's t with 12 degrees of freedom).
     */
    static double[] interval(double[] before, double[] after) {
        double mb = meanLog(before);
        double ma = meanLog(after);
        double se = Math.sqrt(varLog(before, mb) / before.length + varLog(after, ma) / after.length);
        double d = mb - ma;
        return new double[] {Math.exp(d), Math.exp(d - T_95 * se), Math.exp(d + T_95 * se)};
    }

    private static double meanLog(double[] xs) {
        double sum = 0;
        for (double x : xs) {
            sum += Math.log(Math.max(x, 1e-3));
        }
        return sum / xs.length;
    }

    private static double varLog(double[] xs, double mean) {
        double sum = 0;
        for (double x : xs) {
            double d = Math.log(Math.max(x, 1e-3)) - mean;
            sum += d * d;
        }
        return sum / (xs.length - 1);
    }

    private static double median(double[] xs) {
        double[] sorted = xs.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static boolean complete(double[] runs) {
        for (double r : runs) {
            if (Double.isNaN(r)) {
                return false;
            }
        }
        return true;
    }

    private Applied create(Connection c, IndexDef d) throws SQLException {
        String error = null;
        long start = System.nanoTime();
        if (relationExists(c, d)) {
            // IF NOT EXISTS would build nothing and the other index would pass for this one
            return new Applied(
                    d.ddl(),
                    d.name(),
                    false,
                    0,
                    0,
                    0,
                    "a relation named " + d.qualifiedName() + " already exists (another index, or this one built"
                            + " before): nothing was built; drop or rename it, or create this index under another"
                            + " name by hand");
        }
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

    private static boolean relationExists(Connection c, IndexDef d) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(OwnStatements.MARK + "SELECT to_regclass(?) IS NOT NULL")) {
            ps.setString(1, d.qualifiedName());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
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

    /**
     * Execution times of each statement ({@code [statement][round]}, NaN when it cannot run): a
     * warm-up run each first, then ROUNDS rounds of every statement once.
     */
    private double[][] time(Connection c, List<QueryAnalyzer.Plannable> plans) throws SQLException {
        double[][] out = new double[plans.size()][ROUNDS];
        for (QueryAnalyzer.Plannable plan : plans) {
            run(c, plan); // warm-up: the pages it reads in cache, before and after alike
        }
        for (int r = 0; r < ROUNDS; r++) {
            for (int i = 0; i < plans.size(); i++) {
                out[i][r] = run(c, plans.get(i));
            }
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
        Outcome stored = new Outcome(
                o.indexes(),
                o.beforeMs(),
                o.afterMs(),
                o.speedup(),
                o.speedupLow(),
                o.speedupHigh(),
                o.verdict(),
                o.queries(),
                o.notTimed(),
                true);
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
