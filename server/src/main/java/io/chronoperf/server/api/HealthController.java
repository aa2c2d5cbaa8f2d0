package io.chronoperf.server.api;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import io.chronoperf.advisor.analyze.Insight;
import io.chronoperf.advisor.analyze.QueryAnalyzer;
import io.chronoperf.cache.AdminCache;
import io.chronoperf.cache.CacheStats;
import io.chronoperf.monitor.DatabaseCollector;
import io.chronoperf.monitor.History;
import io.chronoperf.monitor.SystemCollector;
import io.chronoperf.monitor.Trends;
import io.chronoperf.monitor.alert.Alert;
import io.chronoperf.monitor.alert.Rule;
import io.chronoperf.runtime.Parameters;
import io.chronoperf.runtime.Setting;
import io.chronoperf.runtime.Settings;
import io.chronoperf.server.monitor.MonitorService;
import io.chronoperf.server.performance.PerformanceService;
import io.chronoperf.server.watch.Databases;
import io.chronoperf.server.watch.WatchedDatabase;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import javax.sql.DataSource;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/admin/performance")
@Tag(
        name = "performance: monitoring",
        description = "Health score, database statistics, slow queries, trends and alerts")
public class HealthController {
    private final DataSource dataSource;
    private final AdminCache cache;
    private final MonitorService monitor;
    private final Trends trends;
    private final double slowMs;
    private final Clock clock;

    private final PerformanceService performance;
    private final Databases databases;

    public HealthController(
            DataSource dataSource,
            AdminCache cache,
            MonitorService monitor,
            Trends trends,
            PerformanceService performance,
            Databases databases,
            Settings settings,
            Clock clock) {
        this.databases = databases;
        this.clock = clock;
        this.performance = performance;
        this.dataSource = dataSource;
        this.cache = cache;
        this.monitor = monitor;
        this.trends = trends;
        this.slowMs = settings.decimal(Setting.SLOW_MS);
    }

    /** One slow statement with the analyzer's text findings (POST query/analyze gives the full analysis). */
    @Schema(name = "SlowQueryWithSuggestions")
    public record SlowQuery(History.SlowQuery statement, List<Insight> suggestions) {}

    /** The slow statements of a window, from the stored snapshots. */
    public record SlowQueries(int hours, double slowThresholdMs, List<SlowQuery> queries) {}

    @GetMapping("/database/slow-queries")
    @Operation(
            summary = "Statements whose mean time in the last hours (1 to the retention) is at least the slow threshold"
                    + " (chrono-perf.monitor.slow-ms, default 200 ms), by total time, from the "
                    + "pg_stat_statements deltas between snapshots")
    public SlowQueries slowQueries(
            @RequestParam(required = false) Integer hours, @RequestParam(required = false) String database)
            throws SQLException {
        int h = hours(hours);
        try (Connection c = databases.resolve(database).dataSource().getConnection()) {
            return new SlowQueries(
                    h,
                    slowMs,
                    monitor.history().slowQueries(c, Duration.ofHours(h), slowMs, 50).stream()
                            .map(q -> new SlowQuery(q, QueryAnalyzer.textFindings(q.query())))
                            .toList());
        }
    }

    @GetMapping("/health")
    @Operation(
            summary = "Health score (the seed's formula plus capped other factors), its components, each service's"
                    + " state (database, redis, cache, scheduler, analyzer, advisor, N+1), the background "
                    + "tasks and the latest gauges")
    public PerformanceService.SystemHealth health(@RequestParam(required = false) String database) throws SQLException {
        return performance.health(databases.resolve(database));
    }

    /** The snapshot of the database, with the application's pool, Redis and host beside it. */
    @Schema(name = "DatabaseStats")
    public record Stats(
            @JsonUnwrapped DatabaseCollector.Snapshot snapshot,
            MonitorService.Pool pool,
            RedisStats redis,
            SystemCollector.SystemStats system) {}

    public record RedisStats(String state, long memoryBytes, Double keyspaceHitRatioPct, long connectedClients) {}

    @GetMapping("/database/stats")
    @Operation(
            summary =
                    "Database counters and cache ratio, connections, long-running and blocked sessions, locks by mode,"
                            + " tables, index hygiene (unused, duplicate, invalid), bloat estimates, transaction-ID "
                            + "age, sequences near"
                            + " their maximum, replicas; the HikariCP pool, Redis and the host (OSHI)")
    public Stats databaseStats(@RequestParam(required = false) String database) throws SQLException {
        WatchedDatabase db = databases.resolve(database);
        DatabaseCollector.Snapshot s;
        try (Connection c = db.dataSource().getConnection()) {
            s = monitor.collector().collect(c);
        }
        if (!db.main()) { // the pool, Redis and host beside it are the server's: shown with main
            return new Stats(s, null, null, null);
        }
        CacheStats cs = cache.stats();
        return new Stats(
                s,
                monitor.pool(),
                new RedisStats(
                        cs.redis().label(), cs.redisMemoryBytes(), cs.redisKeyspaceHitRatioPct(), cs.redisClients()),
                monitor.system());
    }

    public record TrendsView(int hours, List<Trends.Regression> regressions, List<Trends.Anomaly> anomalies) {}

    @GetMapping("/database/trends")
    @Operation(
            summary = "Statements whose mean time in the last hour is at least twice the previous 24 hours' (20 calls"
                    + " in each at least), and anomalies of the latest interval (robust z-score at least 3.5 against "
                    + "the last"
                    + " hours, 1 to the retention) in connections, cache hit ratio and transactions per second")
    public TrendsView trends(
            @RequestParam(required = false) Integer hours, @RequestParam(required = false) String database)
            throws SQLException {
        int h = hours(hours);
        try (Connection c = databases.resolve(database).dataSource().getConnection()) {
            return new TrendsView(h, trends.regressions(c), trends.anomalies(c, Duration.ofHours(h)));
        }
    }

    public record AlertsView(int hours, List<Alert> alerts, List<Rule> rules) {}

    @GetMapping("/alerts")
    @Operation(
            summary = "Open alerts, then those resolved in the last hours (1 to the retention, 24 by default), with"
                    + " the rules and their fire and resolve thresholds")
    public AlertsView alerts(
            @RequestParam(required = false) Integer hours, @RequestParam(required = false) String database)
            throws SQLException {
        int h = hours(hours);
        try (Connection c = databases.resolve(database).dataSource().getConnection()) {
            return new AlertsView(
                    h,
                    monitor.alerts().list(c, clock.instant().minus(Duration.ofHours(h)), 200),
                    monitor.alerts().rules());
        }
    }

    private int hours(Integer hours) {
        return Parameters.range("hours", hours, 1, (int) monitor.retention().toHours(), 24);
    }
}
