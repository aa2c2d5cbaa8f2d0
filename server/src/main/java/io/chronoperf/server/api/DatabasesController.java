package io.chronoperf.server.api;

import io.chronoperf.monitor.Metric;
import io.chronoperf.monitor.Observation;
import io.chronoperf.runtime.DatabaseEndpoint;
import io.chronoperf.server.monitor.MonitorService;
import io.chronoperf.server.watch.Databases;
import io.chronoperf.server.watch.WatchedDatabase;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.time.Instant;
import java.util.List;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/admin/performance")
@Tag(
        name = "performance: monitoring",
        description = "Health score, database statistics, slow queries, trends and alerts")
public class DatabasesController {
    private final Databases databases;
    private final MonitorService monitor;

    public DatabasesController(Databases databases, MonitorService monitor) {
        this.databases = databases;
        this.monitor = monitor;
    }

    /**
     * One watched database.
     *
     * @param state   up or down (its own watch, every 0.5 s)
     * @param history whether its history and alerts are kept (in its own schema chrono_perf), and if not why
     * @param score   the health score of its latest sample, or null before the first one
     */
    public record DatabaseEntry(
            String name,
            String url,
            boolean main,
            String state,
            Instant downSince,
            String reason,
            String history,
            Double score) {}

    public record DatabaseList(List<DatabaseEntry> databases) {}

    @GetMapping("/databases")
    @Operation(
            summary =
                    "The databases chrono-perf watches: main (the one it runs on) and those of CHRONO_PERF_WATCH, each"
                            + " with its state (up, down since), where its history is kept and its latest score; the "
                            + "monitoring endpoints"
                            + " (health, database/stats, database/slow-queries, database/trends, alerts, history) take "
                            + "?database=name")
    public DatabaseList databases() {
        return new DatabaseList(databases.all().stream().map(this::entry).toList());
    }

    private DatabaseEntry entry(WatchedDatabase db) {
        Observation latest = db.main() ? monitor.latest() : db.latest(); // main is sampled by the monitor
        Double score = latest == null ? null : latest.get(Metric.HEALTH_SCORE);
        return new DatabaseEntry(
                db.name(),
                DatabaseEndpoint.masked(db.url()),
                db.main(),
                db.up() ? "up" : "down",
                db.downSince(),
                db.downReason(),
                db.history(),
                score);
    }
}
