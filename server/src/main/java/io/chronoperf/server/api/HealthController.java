package io.chronoperf.server.api;

import io.chronoperf.cache.AdminCache;
import io.chronoperf.cache.CacheStats;
import io.chronoperf.monitor.DatabaseCollector;
import io.chronoperf.monitor.HealthScore;
import io.chronoperf.monitor.StatementSummary;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.sql.DataSource;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/admin/performance")
@Tag(name = "performance: health", description = "Health score and database statistics (live; history comes with the monitoring issue)")
public class HealthController {
    private final DataSource dataSource;
    private final AdminCache cache;
    private final DatabaseCollector collector = new DatabaseCollector(DatabaseCollector.Options.DEFAULT);

    private final io.chronoperf.monitor.History history;
    private final io.chronoperf.server.monitor.MonitorConfig.Sampler sampler;
    private final double slowMs;

    public HealthController(DataSource dataSource, AdminCache cache, io.chronoperf.monitor.History history,
                            io.chronoperf.server.monitor.MonitorConfig.Sampler sampler,
                            @org.springframework.beans.factory.annotation.Value("${chrono-perf.monitor.slow-ms:200}") double slowMs) {
        this.dataSource = dataSource;
        this.cache = cache;
        this.history = history;
        this.sampler = sampler;
        this.slowMs = slowMs;
    }

    /** One slow statement with the analyzer's text findings (POST query/analyze gives the full analysis). */
    public record SlowQuery(io.chronoperf.monitor.History.SlowQuery statement,
                            java.util.List<io.chronoperf.advisor.analyze.Insight> suggestions) {
    }

    /** The slow statements of a window, from the stored snapshots. */
    public record SlowQueries(int hours, double slowThresholdMs, java.util.List<SlowQuery> queries) {
    }

    @GetMapping("/database/slow-queries")
    @Operation(summary = "Statements whose mean time in the last hours (1 to the retention) is at least the slow threshold"
            + " (chrono-perf.monitor.slow-ms, default 200 ms), by total time, from the pg_stat_statements deltas between snapshots")
    public SlowQueries slowQueries(@org.springframework.web.bind.annotation.RequestParam(required = false) Integer hours)
            throws SQLException {
        int maxHours = (int) sampler.retention().toHours();
        int h = io.chronoperf.admin.repository.Bounds.range("hours", hours, 1, maxHours, 24);
        try (Connection c = dataSource.getConnection()) {
            return new SlowQueries(h, slowMs, history.slowQueries(c, java.time.Duration.ofHours(h), slowMs, 50).stream()
                    .map(q -> new SlowQuery(q, io.chronoperf.advisor.analyze.QueryAnalyzer.textFindings(q.query())))
                    .toList());
        }
    }

    /** The score, its components, and the state of each service. */
    public record Health(String status, double score, java.util.List<HealthScore.Component> components,
                         Map<String, String> services, StatementSummary statements) {
    }

    @GetMapping("/health")
    @Operation(summary = "Health score (the seed's formula plus capped other factors), its components, and each service's state")
    public Health health() throws SQLException {
        DatabaseCollector.Snapshot s;
        StatementSummary statements;
        try (Connection c = dataSource.getConnection()) {
            s = collector.collect(c);
            statements = StatementSummary.of(c);
        }
        CacheStats cacheStats = cache.stats();
        boolean redisDown = cacheStats.redis().equals("degraded");
        HealthScore.Result r = HealthScore.of(s, statements, redisDown);
        Map<String, String> services = new LinkedHashMap<>();
        services.put("database", "up");
        services.put("redis", cacheStats.redis());
        services.put("cache", "up");
        return new Health(r.status(), r.score(), r.components(), services, statements);
    }

    @GetMapping("/database/stats")
    @Operation(summary = "Database counters and cache ratio, connections, long-running and blocked sessions, locks,"
            + " index hygiene (unused, duplicate, invalid), transaction-ID age, sequences near their maximum")
    public DatabaseCollector.Snapshot databaseStats() throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            return collector.collect(c);
        }
    }
}
