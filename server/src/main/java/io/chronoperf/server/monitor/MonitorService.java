package io.chronoperf.server.monitor;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import io.chronoperf.cache.AdminCache;
import io.chronoperf.cache.CacheStats;
import io.chronoperf.monitor.DatabaseCollector;
import io.chronoperf.monitor.HealthScore;
import io.chronoperf.monitor.History;
import io.chronoperf.monitor.Metric;
import io.chronoperf.monitor.Observation;
import io.chronoperf.monitor.StatementSummary;
import io.chronoperf.monitor.SystemCollector;
import io.chronoperf.monitor.alert.Alerts;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The monitor of the application's database: takes a snapshot, stores it in the perf schema,
 * turns it with the pool, Redis and the host into an {@link Observation}, evaluates the alert
 * rules on it and keeps it for the Micrometer gauges. The scheduling lives in {@link MonitorConfig}.
 */
public final class MonitorService {
    private static final Logger log = LoggerFactory.getLogger(MonitorService.class);
    /** The window of the mean statement time (alert rule mean_query_time_high). */
    static final Duration MEAN_WINDOW = Duration.ofMinutes(5);

    /** HikariCP's figures. */
    public record Pool(int active, int idle, int pending, int maximum) {
        public double usage() {
            return maximum == 0 ? 0 : (double) active / maximum;
        }
    }

    private final DataSource dataSource;
    private final AdminCache cache;
    private final History history;
    private final Alerts alerts;
    private final SystemCollector system;
    private final Clock clock;
    private final DatabaseCollector collector;
    private final Duration retention;
    private final AtomicReference<Observation> latest = new AtomicReference<>();

    public MonitorService(
            DataSource dataSource,
            AdminCache cache,
            History history,
            Alerts alerts,
            SystemCollector system,
            Clock clock,
            DatabaseCollector.Options options,
            Duration retention) {
        this.dataSource = dataSource;
        this.cache = cache;
        this.history = history;
        this.alerts = alerts;
        this.system = system;
        this.clock = clock;
        this.collector = new DatabaseCollector(options);
        this.retention = retention;
    }

    public DatabaseCollector collector() {
        return collector;
    }

    public History history() {
        return history;
    }

    public Alerts alerts() {
        return alerts;
    }

    public Duration retention() {
        return retention;
    }

    /** The latest observation (null before the first sample). */
    public Observation latest() {
        return latest.get();
    }

    /** Samples, stores and observes (the background task counts and logs a failure). */
    public synchronized void sample() throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            DatabaseCollector.Snapshot s = collector.collect(c);
            history.sample(c, c, s);
            CacheStats stats = cache.stats(); // one Redis INFO per sample
            CacheHistory.sample(c, clock.instant(), stats);
            latest.set(observe(c, s, stats));
        }
    }

    /** Evaluates the alert rules on the latest observation (sampling first when there is none). */
    public List<io.chronoperf.monitor.alert.Alert> evaluateAlerts() throws SQLException {
        if (latest.get() == null) {
            sample();
        }
        try (Connection c = dataSource.getConnection()) {
            return alerts.evaluate(c, latest.get());
        }
    }

    private Observation observe(Connection c, DatabaseCollector.Snapshot s, CacheStats stats) throws SQLException {
        List<History.Point> series = history.series(c, Duration.ofMinutes(15));
        History.Point last = series.isEmpty() ? null : series.get(series.size() - 1);
        HealthScore.Result score = HealthScore.of(
                s,
                StatementSummary.of(c),
                HealthScore.CacheWindow.of(last, s),
                stats.redis() == CacheStats.RedisState.DEGRADED);
        Observation.Builder b = Observation.at(clock.instant())
                .database(s, last, history.meanStatementMs(c, MEAN_WINDOW), score)
                .system(system.collect());
        Pool pool = pool();
        if (pool != null) {
            b.put(Metric.POOL_ACTIVE, pool.active())
                    .put(Metric.POOL_IDLE, pool.idle())
                    .put(Metric.POOL_PENDING, pool.pending())
                    .put(Metric.POOL_USAGE, pool.usage());
        }
        if (stats.redis() != CacheStats.RedisState.NONE) {
            b.put(Metric.REDIS_DOWN, stats.redis() == CacheStats.RedisState.DEGRADED ? 1 : 0);
            b.put(Metric.REDIS_MEMORY_BYTES, stats.redisMemoryBytes() < 0 ? null : stats.redisMemoryBytes());
            b.put(Metric.REDIS_HIT_RATIO_PCT, stats.redisKeyspaceHitRatioPct());
        }
        return b.build();
    }

    /** The buffer cache hit ratio of the last stored interval (the dashboard tile's), else since the reset. */
    public HealthScore.CacheWindow cacheWindow(Connection c, DatabaseCollector.Snapshot s) throws SQLException {
        List<History.Point> series = history.series(c, Duration.ofMinutes(15));
        return HealthScore.CacheWindow.of(series.isEmpty() ? null : series.get(series.size() - 1), s);
    }

    /** HikariCP's figures, or null when the data source is not a Hikari pool. */
    public Pool pool() {
        try {
            HikariDataSource hikari = dataSource.unwrap(HikariDataSource.class);
            HikariPoolMXBean mx = hikari.getHikariPoolMXBean();
            return mx == null
                    ? null
                    : new Pool(
                            mx.getActiveConnections(),
                            mx.getIdleConnections(),
                            mx.getThreadsAwaitingConnection(),
                            hikari.getMaximumPoolSize());
        } catch (SQLException notHikari) {
            return null;
        }
    }

    public SystemCollector.SystemStats system() {
        return system.collect();
    }

    /** Removes samples, resolved alerts and findings older than the retention; returns the rows removed. */
    public long cleanUp() throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            Instant cutoff = clock.instant().minus(retention);
            long removed = history.cleanUp(c, retention)
                    + alerts.cleanUp(c, clock.instant(), retention)
                    + CacheHistory.cleanUp(c, cutoff)
                    + Findings.cleanUp(c, cutoff);
            log.info("Monitoring history clean-up removed {} rows older than {}", removed, retention);
            return removed;
        }
    }
}
