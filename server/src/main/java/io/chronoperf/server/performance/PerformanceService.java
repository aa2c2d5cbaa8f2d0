package io.chronoperf.server.performance;

import io.chronoperf.advisor.analyze.QueryAnalyzer;
import io.chronoperf.advisor.index.IndexAdvisor;
import io.chronoperf.cache.AdminCache;
import io.chronoperf.cache.CacheStats;
import io.chronoperf.cache.WarmReport;
import io.chronoperf.monitor.BlindSpots;
import io.chronoperf.monitor.DatabaseCollector;
import io.chronoperf.monitor.HealthScore;
import io.chronoperf.monitor.History;
import io.chronoperf.monitor.StatementSummary;
import io.chronoperf.monitor.alert.Alert;
import io.chronoperf.runtime.DatabaseErrors;
import io.chronoperf.server.advisor.AdvisorService;
import io.chronoperf.server.cache.AdminNamespaces;
import io.chronoperf.server.monitor.Findings;
import io.chronoperf.server.monitor.MonitorService;
import io.chronoperf.server.nplusone.NPlusOneLog;
import io.chronoperf.server.replica.ReadReplicas;
import io.chronoperf.server.tasks.TaskRegistry;
import io.swagger.v3.oas.annotations.media.Schema;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import javax.sql.DataSource;

/**
 * The one coordinating service: it owns nothing's internals but knows every part (cache, monitor,
 * query analyzer, index advisor, N+1 detector, background tasks) and answers for them together:
 * the comprehensive health, the dashboard in one call (served through the cache), the periodic
 * performance analysis, and system optimize (warming, analysis and index advice now, never
 * applying; concurrent calls share one run).
 */
public final class PerformanceService {
    /** Slow statements the periodic analysis explains (the most total time first). */
    public static final int ANALYSED = 10;

    private final DataSource dataSource;
    private final AdminCache cache;
    private final MonitorService monitor;
    private final AdvisorService advisor;
    private final QueryAnalyzer analyzer;
    private final NPlusOneLog nPlusOne;
    private final Supplier<TaskRegistry> tasks;
    private final Clock clock;
    private final double slowMs;
    private final ReadReplicas replicas;
    private final AtomicReference<CompletableFuture<OptimizeReport>> running = new AtomicReference<>();

    public PerformanceService(
            DataSource dataSource,
            AdminCache cache,
            MonitorService monitor,
            AdvisorService advisor,
            QueryAnalyzer analyzer,
            NPlusOneLog nPlusOne,
            Supplier<TaskRegistry> tasks,
            Clock clock,
            double slowMs,
            ReadReplicas replicas) {
        this.dataSource = dataSource;
        this.replicas = replicas;
        this.cache = cache;
        cache.require(AdminNamespaces.PERFORMANCE);
        this.monitor = monitor;
        this.advisor = advisor;
        this.analyzer = analyzer;
        this.nPlusOne = nPlusOne;
        this.tasks = tasks;
        this.clock = clock;
        this.slowMs = slowMs;
    }

    /** A slow statement with its analysis (plan insights, index suggestions, rewrites). */
    public record AnalysedQuery(
            long queryid,
            String query,
            long calls,
            double meanMs,
            double totalMs,
            QueryAnalyzer.Analysis analysis,
            String error) {}

    /** @param adviceNote why there is no advice, when there is none */
    public record AnalysisReport(
            Instant at, long millis, List<AnalysedQuery> slowQueries, IndexAdvisor.Advice advice, String adviceNote) {}

    /**
     * The periodic analysis: the slow statements of the last 24 hours analysed (generic plans:
     * pg_stat_statements keeps no values), the index advice refreshed; both stored in chrono_perf.findings.
     */
    public AnalysisReport analyze() throws SQLException {
        long start = System.nanoTime();
        List<AnalysedQuery> analysed = new ArrayList<>();
        try (Connection c = dataSource.getConnection()) {
            for (History.SlowQuery q : monitor.history().slowQueries(c, Duration.ofHours(24), slowMs, ANALYSED)) {
                try {
                    analysed.add(new AnalysedQuery(
                            q.queryid(),
                            q.query(),
                            q.calls(),
                            q.meanMs(),
                            q.totalMs(),
                            analyzer.analyze(q.query(), List.of(), q.meanMs()),
                            null));
                } catch (RuntimeException e) {
                    analysed.add(new AnalysedQuery(
                            q.queryid(), q.query(), q.calls(), q.meanMs(), q.totalMs(), null, e.getMessage()));
                }
            }
        }
        IndexAdvisor.Advice advice;
        String note = null;
        java.util.Optional<String> why = advisor.whyNoAdvice();
        if (why.isPresent()) {
            advice = null; // no pg_stat_statements: no advice, said in the report
            note = why.get();
        } else {
            advice = advisor.advise(IndexAdvisor.Options.DEFAULT);
        }
        AnalysisReport report =
                new AnalysisReport(clock.instant(), (System.nanoTime() - start) / 1_000_000, analysed, advice, note);
        try (Connection c = dataSource.getConnection()) {
            Findings.store(c, report.at(), "slow_query_analysis", analysed);
            if (advice != null) {
                Findings.store(c, report.at(), "index_advice", advice);
            }
        }
        cache.invalidateNamespace(AdminNamespaces.PERFORMANCE);
        return report;
    }

    public record OptimizeReport(
            Instant startedAt,
            long millis,
            boolean forced,
            List<WarmReport> warmed,
            int slowQueriesAnalysed,
            IndexAdvisor.Advice advice,
            String note) {}

    /**
     * Warming, analysis and index advice now; never applies an index. A call while a run is in
     * progress joins it and gets its report.
     */
    /**
     * System optimize on a watched database: its slow statements of the last 24 h analysed (its own
     * analysis role) and its index advice refreshed; recommended, never applied. No warming (the
     * cache is main's) and no findings stored (they are main's).
     */
    public OptimizeReport optimize(
            boolean force, io.chronoperf.server.watch.WatchedDatabase db, QueryAnalyzer on, AdvisorService itsAdvisor)
            throws SQLException {
        long start = System.nanoTime();
        Instant at = clock.instant();
        int analysed = 0;
        try (Connection c = db.dataSource().getConnection()) {
            for (History.SlowQuery q : monitor.history().slowQueries(c, Duration.ofHours(24), slowMs, ANALYSED)) {
                try {
                    on.analyze(q.query(), List.of(), q.meanMs());
                    analysed++;
                } catch (RuntimeException e) {
                    // counted out: the report says how many were analysed
                }
            }
        } catch (SQLException e) {
            if (!db.historyReady()) {
                analysed = 0; // no history there: nothing to read the slow statements from
            } else {
                throw e;
            }
        }
        IndexAdvisor.Advice advice = null;
        String note = null;
        java.util.Optional<String> why = itsAdvisor.whyNoAdvice();
        if (why.isPresent()) {
            note = why.get();
        } else {
            advice = itsAdvisor.advise(IndexAdvisor.Options.DEFAULT);
        }
        return new OptimizeReport(
                at,
                (System.nanoTime() - start) / 1_000_000,
                force,
                List.of(),
                analysed,
                advice,
                "indexes are recommended, never applied here: POST indexes/apply?database=" + db.name()
                        + " with confirm does that" + (note == null ? "" : "; no index advice: " + note));
    }

    public OptimizeReport optimize(boolean force) {
        CompletableFuture<OptimizeReport> mine = new CompletableFuture<>();
        CompletableFuture<OptimizeReport> current = running.compareAndExchange(null, mine);
        if (current != null) {
            return join(current);
        }
        try {
            long start = System.nanoTime();
            Instant at = clock.instant();
            List<WarmReport> warmed = new ArrayList<>();
            for (String ns : cache.warmedNamespaces()) {
                warmed.add(cache.warm(ns, force));
            }
            AnalysisReport analysis = analyze();
            OptimizeReport r = new OptimizeReport(
                    at,
                    (System.nanoTime() - start) / 1_000_000,
                    force,
                    warmed,
                    analysis.slowQueries().size(),
                    analysis.advice(),
                    "indexes are recommended, never applied here: POST indexes/apply with confirm does that"
                            + (analysis.adviceNote() == null ? "" : "; no index advice: " + analysis.adviceNote()));
            try (Connection c = dataSource.getConnection()) {
                Findings.store(
                        c,
                        at,
                        "optimize",
                        Map.of(
                                "millis",
                                r.millis(),
                                "forced",
                                force,
                                "warmed",
                                warmed.size(),
                                "slow_queries_analysed",
                                r.slowQueriesAnalysed(),
                                "indexes_recommended",
                                analysis.advice() == null
                                        ? 0
                                        : analysis.advice().indexes().size()));
            }
            mine.complete(r);
            return r;
        } catch (SQLException | RuntimeException e) {
            mine.completeExceptionally(e);
            throw e instanceof RuntimeException re ? re : new IllegalStateException(e.getMessage(), e);
        } finally {
            running.set(null);
        }
    }

    private static OptimizeReport join(CompletableFuture<OptimizeReport> f) {
        try {
            return f.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
        }
    }

    /** The health of every part, with the score. */
    public record SystemHealth(
            String status,
            double score,
            boolean partial,
            List<String> notMeasured,
            List<HealthScore.Component> components,
            String cacheHitWindow,
            List<BlindSpots.BlindSpot> blindSpots,
            Map<String, String> services,
            StatementSummary statements,
            Map<String, TaskRegistry.TaskState> tasks,
            Map<String, Double> metrics) {}

    /**
     * The health of every part. While the database is away it degrades instead of failing: status
     * critical, {@code database: down}, nothing measured from the database, the rest as it is.
     */
    public SystemHealth health() throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            DatabaseCollector.Snapshot s = monitor.collector().collect(c);
            return health(s, StatementSummary.of(c), monitor.cacheWindow(c, s), BlindSpots.of(c), cache.stats());
        } catch (SQLException | RuntimeException e) {
            if (!DatabaseErrors.isUnavailable(e)) {
                throw e;
            }
            return databaseAway(e);
        }
    }

    /**
     * The health of a watched database (main: {@link #health()}): its score, blind spots and
     * state; the server's own services (Redis, cache, tasks) are main's. Degraded while it is away.
     */
    public SystemHealth health(io.chronoperf.server.watch.WatchedDatabase db) throws SQLException {
        if (db.main()) {
            return health();
        }
        Map<String, Double> metrics =
                db.latest() == null ? Map.of() : db.latest().byKey();
        try (Connection c = db.dataSource().getConnection()) {
            DatabaseCollector.Snapshot s = monitor.collector().collect(c);
            HealthScore.CacheWindow window = HealthScore.CacheWindow.sinceReset(s);
            if (db.historyReady()) {
                List<History.Point> series = monitor.history().series(c, Duration.ofMinutes(15));
                window = HealthScore.CacheWindow.of(series.isEmpty() ? null : series.get(series.size() - 1), s);
            }
            StatementSummary statements = StatementSummary.of(c);
            HealthScore.Result r = HealthScore.of(s, statements, window, false);
            Map<String, String> services = new LinkedHashMap<>();
            services.put("database", "up");
            services.put("history", db.history());
            return new SystemHealth(
                    r.status(),
                    r.score(),
                    r.partial(),
                    r.notMeasured(),
                    r.components(),
                    r.cacheWindow(),
                    BlindSpots.of(c),
                    services,
                    statements,
                    Map.of(),
                    metrics);
        } catch (SQLException | RuntimeException e) {
            if (!DatabaseErrors.isUnavailable(e)) {
                throw e;
            }
            Map<String, String> services = new LinkedHashMap<>();
            services.put("database", "down");
            services.put("history", db.history());
            return new SystemHealth(
                    "critical",
                    0,
                    true,
                    List.of("everything read from the database: it is not answering ("
                            + (e.getMessage() == null
                                    ? e.toString()
                                    : e.getMessage().lines().findFirst().orElse("")) + ")"),
                    List.of(),
                    null,
                    List.of(),
                    services,
                    null,
                    Map.of(),
                    metrics);
        }
    }

    private SystemHealth databaseAway(Exception e) {
        Map<String, TaskRegistry.TaskState> states = tasks.get().states();
        Map<String, String> services = services(cache.stats(), states);
        services.put("database", "down");
        String cause = e.getMessage() == null
                ? e.getClass().getSimpleName()
                : e.getMessage().lines().findFirst().orElse("");
        return new SystemHealth(
                "critical",
                0,
                true,
                List.of("everything read from the database: it is not answering (" + cause + ")"),
                List.of(),
                null,
                List.of(),
                services,
                null,
                states,
                monitor.latest() == null ? Map.of() : monitor.latest().byKey());
    }

    private Map<String, String> services(CacheStats cs, Map<String, TaskRegistry.TaskState> states) {
        Map<String, String> services = new LinkedHashMap<>();
        services.put("database", "up");
        services.put("redis", cs.redis().label());
        services.put("cache", "up");
        List<String> overrunning = states.values().stream()
                .filter(t -> t != null && t.overrunning())
                .map(TaskRegistry.TaskState::name)
                .toList();
        services.put(
                "scheduler",
                !overrunning.isEmpty()
                        ? "overrunning: " + String.join(", ", overrunning)
                        : states.values().stream()
                                        .anyMatch(t -> t.lastOutcome() != null
                                                && t.lastOutcome().startsWith("failed"))
                                ? "failing"
                                : states.values().stream().allMatch(t -> t.runs() == 0) ? "starting" : "up");
        services.put("analyzer", "up");
        services.put("advisor", advisor.latest() == null ? "no advice yet" : "up");
        services.put("n_plus_one", "up");
        return services;
    }

    private SystemHealth health(
            DatabaseCollector.Snapshot s,
            StatementSummary statements,
            HealthScore.CacheWindow window,
            List<BlindSpots.BlindSpot> blindSpots,
            CacheStats cs) {
        HealthScore.Result r = HealthScore.of(s, statements, window, cs.redis() == CacheStats.RedisState.DEGRADED);
        Map<String, TaskRegistry.TaskState> states = tasks.get().states();
        Map<String, String> services = services(cs, states);
        return new SystemHealth(
                r.status(),
                r.score(),
                r.partial(),
                r.notMeasured(),
                r.components(),
                r.cacheWindow(),
                blindSpots,
                services,
                statements,
                states,
                monitor.latest() == null ? Map.of() : monitor.latest().byKey());
    }

    /** Everything the dashboard shows, in one document. */
    @Schema(name = "PerformanceDashboard")
    public record Dashboard(
            Instant generatedAt,
            SystemHealth health,
            DatabaseCollector.DatabaseStats database,
            DatabaseCollector.Connections connections,
            CacheStats cache,
            List<History.SlowQuery> slowQueries,
            IndexAdvisor.Advice recommendations,
            List<Alert> alerts,
            List<NPlusOneLog.Summary> nPlusOne,
            ReadReplicas.Status replicas) {
        /** This document with the read routing as it is now (the rest may come from the cache). */
        Dashboard withReplicas(ReadReplicas.Status now) {
            return new Dashboard(
                    generatedAt,
                    health,
                    database,
                    connections,
                    cache,
                    slowQueries,
                    recommendations,
                    alerts,
                    nPlusOne,
                    now);
        }
    }

    /**
     * The dashboard document, from the cache (10 s) or built. While the database is away: the last
     * one, stale (the cache says how old), or, when there is none, a degraded one whose health says
     * {@code database: down}.
     */
    public Dashboard dashboard() {
        try {
            return cache.get(
                            cache.key(AdminNamespaces.PERFORMANCE, "dashboard").build(),
                            Dashboard.class,
                            this::buildDashboard)
                    .withReplicas(replicas.status());
        } catch (RuntimeException e) {
            if (!DatabaseErrors.isUnavailable(e)) {
                throw e;
            }
            return new Dashboard(
                    clock.instant(),
                    databaseAway(e),
                    null,
                    null,
                    cache.stats(),
                    List.of(),
                    advisor.latest(),
                    List.of(),
                    List.of(), // the findings are in the database too
                    replicas.status());
        }
    }

    public Dashboard buildDashboard() {
        try {
            try (Connection c = dataSource.getConnection()) {
                DatabaseCollector.Snapshot s =
                        monitor.collector().collect(c); // one snapshot and one Redis INFO per build
                CacheStats cs = cache.stats();
                return new Dashboard(
                        clock.instant(),
                        health(s, StatementSummary.of(c), monitor.cacheWindow(c, s), BlindSpots.of(c), cs),
                        s.database(),
                        s.connections(),
                        cs,
                        monitor.history().slowQueries(c, Duration.ofHours(24), slowMs, 10),
                        advisor.latest(),
                        monitor.alerts().list(c, clock.instant().minus(Duration.ofHours(24)), 50),
                        nPlusOne.summary(Duration.ofHours(24)),
                        replicas.status());
            }
        } catch (SQLException e) {
            throw new IllegalStateException("the dashboard could not be built: " + e.getMessage(), e);
        }
    }
}
