package io.chronoperf.bench;

import io.chronoperf.admin.StrategicIndexes;
import io.chronoperf.advisor.index.IndexAdvisor;
import io.chronoperf.advisor.index.Workload;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import javax.sql.DataSource;

/**
 * The advisor against the seed's 46 strategic indexes on the admin workload: the admin query mix
 * is timed with the 46; they are dropped; the mix runs once more so that pg_stat_statements holds
 * it (the workload is the delta of calls, as in production: normalized texts planned with values
 * from pg_stats, or generic plans on 16+); the advisor chooses under half of the 46's total size;
 * its indexes are built and the mix is timed again; then the 46 are restored and the advisor's
 * dropped. Speedups are against the mix timed without any of them.
 */
public final class AdvisorBenchmark {
    public record Result(
            long strategicBytes,
            long budgetBytes,
            IndexAdvisor.Advice advice,
            double withStrategicMs,
            double withoutMs,
            double withAdvisorMs,
            Map<String, double[]> perQuery) {
        public double strategicSpeedup() {
            return withoutMs / withStrategicMs;
        }

        public double advisorSpeedup() {
            return withoutMs / withAdvisorMs;
        }
    }

    private final DataSource dataSource;
    private final Consumer<String> log;

    public AdvisorBenchmark(DataSource dataSource, Consumer<String> log) {
        this.dataSource = dataSource;
        this.log = log;
    }

    public Result run(int iterations, int iterationsWithout, long seed) throws SQLException {
        WorkloadBenchmark mix = new WorkloadBenchmark(dataSource, log);
        List<QueryCase> cases = mix.cases();
        List<StrategicIndexes.Index> strategic = StrategicIndexes.list(dataSource);
        if (strategic.size() != 46) {
            throw new io.chronoperf.runtime.ChronoPerfException(
                    io.chronoperf.runtime.ErrorCode.MIGRATION,
                    "Expected the 46"
                            + " strategic indexes, found " + strategic.size()
                            + ": load the data into a freshly migrated database first"
                            + " (./chrono-perf seed --scale demo).");
        }
        long strategicBytes =
                strategic.stream().mapToLong(StrategicIndexes.Index::sizeBytes).sum();
        log.accept(String.format(
                Locale.ROOT,
                "timing the mix with the %d strategic indexes (%,d MB)",
                strategic.size(),
                strategicBytes >> 20));
        Map<String, long[]> with = mix.measure(cases, 3, iterations, seed);
        List<IndexAdvisor.Recommendation> built = List.of();
        try (Connection c = dataSource.getConnection()) {
            log.accept("dropping them");
            StrategicIndexes.drop(c, strategic);
            analyze(c);
            Map<Long, Long> before = calls(c);
            log.accept("timing the mix without them (this run also fills pg_stat_statements)");
            Map<String, long[]> without = mix.measure(cases, 1, iterationsWithout, seed);
            Workload workload = delta(c, before);
            long budget = strategicBytes / 2;
            log.accept(String.format(
                    Locale.ROOT,
                    "advising on %d statements under %,d MB",
                    workload.queries().size(),
                    budget >> 20));
            IndexAdvisor.Advice advice = new IndexAdvisor(
                            new IndexAdvisor.Options(
                                    budget,
                                    3,
                                    0,
                                    IndexAdvisor.Options.DEFAULT.minImprovementPct(),
                                    256L << 20,
                                    10L << 20),
                            step -> {})
                    .advise(c, workload);
            for (IndexAdvisor.Recommendation r : advice.indexes()) {
                log.accept("  " + r.ddl());
            }
            built = advice.indexes();
            try (Statement s = c.createStatement()) {
                for (IndexAdvisor.Recommendation r : built) {
                    s.execute(r.ddl().replace("CONCURRENTLY ", "")); // a quiet benchmark database
                }
            }
            analyze(c);
            long advisorBytes = 0;
            for (IndexAdvisor.Recommendation r : built) {
                advisorBytes += size(c, r);
            }
            log.accept(String.format(
                    Locale.ROOT,
                    "built %d indexes, %,d MB; timing the mix with them",
                    built.size(),
                    advisorBytes >> 20));
            Map<String, long[]> advised = mix.measure(cases, 3, iterations, seed);
            Map<String, double[]> perQuery = new java.util.LinkedHashMap<>();
            double w = 0;
            double wo = 0;
            double a = 0;
            for (String key : with.keySet()) {
                double x = mean(with.get(key));
                double y = mean(without.get(key));
                double z = mean(advised.get(key));
                perQuery.put(key, new double[] {x, y, z});
                w += x;
                wo += y;
                a += z;
            }
            IndexAdvisor.Advice measured = new IndexAdvisor.Advice(
                    advice.workload(),
                    advice.baselineCost(),
                    advice.finalCost(),
                    advice.method(),
                    advice.whatIfNote(),
                    advice.plannerCalls(),
                    advice.runtimeMs(),
                    advice.queries(),
                    advice.queriesUnplanned(),
                    budget,
                    advisorBytes,
                    advice.indexes(),
                    advice.hygiene(),
                    advice.unplanned(),
                    advice.estimateMisses());
            return new Result(strategicBytes, budget, measured, w, wo, a, perQuery);
        } finally {
            try (Connection c = dataSource.getConnection();
                    Statement s = c.createStatement()) {
                log.accept("restoring the strategic indexes, dropping the advisor's");
                for (IndexAdvisor.Recommendation r : built) {
                    s.execute("DROP INDEX IF EXISTS " + r.definition().qualifiedName());
                }
                StrategicIndexes.restore(c, strategic, ix -> {});
            }
        }
    }

    private static long size(Connection c, IndexAdvisor.Recommendation r) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_relation_size(to_regclass(?))")) {
            ps.setString(1, r.definition().qualifiedName());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static double mean(long[] nanos) {
        return java.util.Arrays.stream(nanos).average().orElse(0) / 1e6;
    }

    private static void analyze(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("ANALYZE");
        }
    }

    private static Map<Long, Long> calls(Connection c) throws SQLException {
        Map<Long, Long> out = new HashMap<>();
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(
                        "SELECT queryid, calls FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid"
                                + " WHERE d.datname = current_database() AND queryid IS NOT NULL")) {
            while (rs.next()) {
                out.put(rs.getLong(1), rs.getLong(2));
            }
        }
        return out;
    }

    /** The statements that ran since {@code before}, each weighted by its calls in between. */
    private static Workload delta(Connection c, Map<Long, Long> before) throws SQLException {
        List<Workload.Query> out = new ArrayList<>();
        for (Workload.Query q : Workload.fromStatStatements(c, 1000).queries()) {
            long id = Long.parseLong(q.id().substring("pgss:".length()));
            double calls = q.weight() - before.getOrDefault(id, 0L);
            if (calls > 0 && !q.sql().contains("pg_stat_statements") && !q.sql().startsWith("ANALYZE")) {
                out.add(new Workload.Query(q.id(), q.sql(), calls));
            }
        }
        return new Workload("admin mix (pg_stat_statements delta)", out);
    }
}
