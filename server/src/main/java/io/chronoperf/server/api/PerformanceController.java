package io.chronoperf.server.api;

import io.chronoperf.monitor.History;
import io.chronoperf.runtime.Parameters;
import io.chronoperf.server.monitor.CacheHistory;
import io.chronoperf.server.monitor.MonitorService;
import io.chronoperf.server.performance.PerformanceService;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

@RestController
@RequestMapping("/api/v1/admin/performance")
@Tag(
        name = "performance: system",
        description = "The dashboard in one call, its history and live stream, system health and optimize")
public class PerformanceController {
    /** How often the live stream sends the latest figures. */
    static final Duration STREAM_EVERY = Duration.ofSeconds(5);

    private final PerformanceService performance;
    private final MonitorService monitor;
    private final DataSource dataSource;
    private final Clock clock;
    private final ScheduledExecutorService streams = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "chrono-perf-sse");
        t.setDaemon(true);
        return t;
    });

    private final io.chronoperf.server.watch.Databases databases;

    public PerformanceController(
            PerformanceService performance,
            MonitorService monitor,
            DataSource dataSource,
            Clock clock,
            io.chronoperf.server.watch.Databases databases) {
        this.databases = databases;
        this.performance = performance;
        this.monitor = monitor;
        this.dataSource = dataSource;
        this.clock = clock;
    }

    @GetMapping("/dashboard")
    @Operation(
            summary = "Everything the dashboard shows in one call: health with components, services and tasks, database"
                    + " and cache statistics, top slow queries, index recommendations, alerts, N+1 findings "
                    + "(cached 10 s), and the read replicas' lag and where the admin reads went (live)")
    public PerformanceService.Dashboard dashboard() {
        return performance.dashboard();
    }

    @GetMapping("/system/health")
    @Operation(
            summary = "Comprehensive health: the score and its components, every service (database, redis, cache, "
                    + "scheduler,"
                    + " analyzer, advisor, N+1), every background task (runs, failures, skips, last run, "
                    + "duration, outcome), the gauges")
    public PerformanceService.SystemHealth systemHealth() throws SQLException {
        return performance.health();
    }

    public record OptimizeRequest(Boolean force) {}

    @PostMapping("/system/optimize")
    @Operation(
            summary = "Cache warming, slow-query analysis and index advice now (admin only; never applies an index);"
                    + " concurrent calls share one run")
    public PerformanceService.OptimizeReport optimize(
            @RequestBody(required = false) OptimizeRequest body, @RequestParam(required = false) String database) {
        io.chronoperf.server.watch.WatchedDatabase db = databases.resolve(database);
        if (!db.main()) {
            try {
                return performance.optimize(
                        body != null && Boolean.TRUE.equals(body.force()),
                        db,
                        databases.analyzer(db),
                        databases.advisor(db));
            } catch (java.sql.SQLException e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
        }
        return performance.optimize(body != null && Boolean.TRUE.equals(body.force()));
    }

    /** One point of the dashboard's charts. */
    @Schema(name = "HistoryPoint")
    public record Point(
            Instant takenAt,
            int connections,
            double transactionsPerSecond,
            Double cacheHitRatioPct,
            Double p95StatementMs) {}

    public record HistoryView(
            int hours, List<Point> points, Map<String, List<CacheHistory.Point>> cacheHitRatioByNamespace) {}

    @GetMapping("/history")
    @Operation(
            summary = "The stored history for the charts over the last hours (1 to the retention, 1 by default):"
                    + " connections, transactions per second, buffer cache hit ratio, p95 statement time, "
                    + "cache hit ratio per namespace")
    public HistoryView history(
            @RequestParam(required = false) Integer hours, @RequestParam(required = false) String database)
            throws SQLException {
        int h = Parameters.range("hours", hours, 1, (int) monitor.retention().toHours(), 1);
        Duration window = Duration.ofHours(h);
        io.chronoperf.server.watch.WatchedDatabase db = databases.resolve(database);
        try (Connection c = db.dataSource().getConnection()) {
            SortedMap<Instant, Double> p95 = monitor.history().statementP95(c, window);
            List<Point> points = new ArrayList<>();
            for (History.Point p : monitor.history().series(c, window)) {
                points.add(new Point(
                        p.takenAt(),
                        p.connections(),
                        Math.round(p.transactionsPerSecond() * 100) / 100.0,
                        p.cacheHitRatioPct() == null ? null : Math.round(p.cacheHitRatioPct() * 100) / 100.0,
                        p95.get(p.takenAt())));
            }
            return new HistoryView(
                    h,
                    points,
                    db.main() ? CacheHistory.series(c, clock.instant().minus(window)) : Map.of());
        }
    }

    @GetMapping(path = "/stream", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    @Operation(
            summary =
                    "Server-sent events every 5 s: the health score and status and the latest gauges (event 'figures')")
    public SseEmitter stream() {
        SseEmitter emitter = new SseEmitter(Duration.ofMinutes(30).toMillis());
        ScheduledFuture<?>[] task = new ScheduledFuture<?>[1];
        task[0] = streams.scheduleAtFixedRate(
                () -> {
                    try {
                        PerformanceService.Dashboard d = performance.dashboard();
                        Map<String, Object> figures = new LinkedHashMap<>();
                        figures.put("at", clock.instant().toString());
                        figures.put("score", d.health().score());
                        figures.put("status", d.health().status());
                        figures.put("metrics", d.health().metrics());
                        emitter.send(SseEmitter.event().name("figures").data(figures, MediaType.APPLICATION_JSON));
                    } catch (IOException | RuntimeException e) {
                        emitter.completeWithError(e);
                        task[0].cancel(false);
                    }
                },
                0,
                STREAM_EVERY.toMillis(),
                TimeUnit.MILLISECONDS);
        emitter.onCompletion(() -> task[0].cancel(false));
        emitter.onTimeout(() -> task[0].cancel(false));
        emitter.onError(e -> task[0].cancel(false));
        return emitter;
    }
}
