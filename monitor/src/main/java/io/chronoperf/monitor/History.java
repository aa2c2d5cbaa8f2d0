package io.chronoperf.monitor;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Snapshots stored in the {@code perf} schema (V4 migration) and read back: {@link #sample}
 * writes one database sample and the cumulative pg_stat_statements counters (the monitored
 * database may be another one than where history is kept); {@link #slowQueries} computes the
 * deltas in a window; {@link #cleanUp} applies the retention. Time comes from the injected clock.
 */
public final class History {
    private final Clock clock;

    public History(Clock clock) {
        this.clock = clock;
    }

    /** Takes one sample of {@code monitored} into {@code store}; returns the statements sampled. */
    public int sample(Connection monitored, Connection store, DatabaseCollector collector) throws SQLException {
        Timestamp now = Timestamp.from(clock.instant());
        DatabaseCollector.Snapshot s = collector.collect(monitored);
        try (PreparedStatement ps = store.prepareStatement("""
                INSERT INTO perf.database_samples (taken_at, commits, rollbacks, blocks_hit, blocks_read, deadlocks,
                       temp_bytes, connections, active, idle_in_tx, max_connections, blocked, long_running)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""")) {
            ps.setTimestamp(1, now);
            ps.setLong(2, s.database().commits());
            ps.setLong(3, s.database().rollbacks());
            ps.setLong(4, s.database().blocksHit());
            ps.setLong(5, s.database().blocksRead());
            ps.setLong(6, s.database().deadlocks());
            ps.setLong(7, s.database().tempBytes());
            ps.setInt(8, s.connections().total());
            ps.setInt(9, s.connections().active());
            ps.setInt(10, s.connections().idleInTransaction());
            ps.setInt(11, s.connections().maxConnections());
            ps.setInt(12, s.blocked().size());
            ps.setInt(13, s.longRunning().size());
            ps.executeUpdate();
        }
        if (!StatementSummary.of(monitored).available()) {
            return 0;
        }
        int n = 0;
        try (PreparedStatement read = monitored.prepareStatement("""
                SELECT s.queryid, s.query, s.calls, s.total_exec_time, s.max_exec_time, s.rows, s.shared_blks_hit,
                       s.shared_blks_read
                  FROM pg_stat_statements s JOIN pg_catalog.pg_database d ON d.oid = s.dbid
                 WHERE d.datname = current_database() AND s.queryid IS NOT NULL
                   AND s.query NOT LIKE '%perf.%' AND s.query NOT LIKE '%pg_stat_statements%'""");
             PreparedStatement text = store.prepareStatement(
                     "INSERT INTO perf.statements (queryid, query) VALUES (?, ?) ON CONFLICT (queryid) DO NOTHING");
             PreparedStatement sample = store.prepareStatement("""
                     INSERT INTO perf.statement_samples (taken_at, queryid, calls, total_ms, max_ms, rows, shared_hit, shared_read)
                     VALUES (?, ?, ?, ?, ?, ?, ?, ?)""");
             ResultSet rs = read.executeQuery()) {
            while (rs.next()) {
                text.setLong(1, rs.getLong(1));
                text.setString(2, rs.getString(2));
                text.addBatch();
                sample.setTimestamp(1, now);
                sample.setLong(2, rs.getLong(1));
                sample.setLong(3, rs.getLong(3));
                sample.setDouble(4, rs.getDouble(4));
                sample.setDouble(5, rs.getDouble(5));
                sample.setLong(6, rs.getLong(6));
                sample.setLong(7, rs.getLong(7));
                sample.setLong(8, rs.getLong(8));
                sample.addBatch();
                n++;
            }
            text.executeBatch();
            sample.executeBatch();
        }
        return n;
    }

    /** A statement over the slow threshold in a window. */
    public record SlowQuery(long queryid, String query, long calls, double totalMs, double meanMs, double maxMs, long rows,
                            Double cacheHitRatioPct, double shareOfTotalPct) {
    }

    /**
     * Statements whose mean time in the window is at least {@code slowMs}, by total time: the
     * deltas between consecutive samples (negative deltas, from a statistics reset, are dropped).
     */
    public List<SlowQuery> slowQueries(Connection store, Duration window, double slowMs, int limit) throws SQLException {
        Instant since = clock.instant().minus(window);
        List<SlowQuery> out = new ArrayList<>();
        try (PreparedStatement ps = store.prepareStatement("""
                WITH first AS (SELECT min(taken_at) AS t FROM perf.database_samples),
                d AS (
                    -- A statement absent from the previous sample but sampled after the first one is new:
                    -- it started from zero. Before the first sample nothing is known: no delta.
                    SELECT queryid, taken_at, max_ms,
                           calls - coalesce(lag(calls) OVER w, CASE WHEN taken_at > (SELECT t FROM first) THEN 0 END) AS calls,
                           total_ms - coalesce(lag(total_ms) OVER w, CASE WHEN taken_at > (SELECT t FROM first) THEN 0 END) AS total_ms,
                           rows - coalesce(lag(rows) OVER w, CASE WHEN taken_at > (SELECT t FROM first) THEN 0 END) AS rows,
                           shared_hit - coalesce(lag(shared_hit) OVER w, CASE WHEN taken_at > (SELECT t FROM first) THEN 0 END) AS hit,
                           shared_read - coalesce(lag(shared_read) OVER w, CASE WHEN taken_at > (SELECT t FROM first) THEN 0 END) AS read
                      FROM perf.statement_samples
                     WHERE taken_at >= ?::timestamptz - interval '1 day' -- one sample before the window gives its first delta
                    WINDOW w AS (PARTITION BY queryid ORDER BY taken_at)),
                w AS (
                    SELECT queryid, sum(calls) AS calls, sum(total_ms) AS total_ms, max(max_ms) AS max_ms,
                           sum(rows) AS rows, sum(hit) AS hit, sum(read) AS read
                      FROM d WHERE taken_at >= ? AND calls > 0 AND total_ms >= 0
                     GROUP BY queryid)
                SELECT w.queryid, s.query, w.calls, w.total_ms, w.total_ms / w.calls, w.max_ms, w.rows,
                       CASE WHEN w.hit + w.read > 0 THEN 100.0 * w.hit / (w.hit + w.read) END,
                       100.0 * w.total_ms / nullif(sum(w.total_ms) OVER (), 0)
                  FROM w JOIN perf.statements s USING (queryid)
                 ORDER BY w.total_ms DESC""")) {
            ps.setTimestamp(1, Timestamp.from(since));
            ps.setTimestamp(2, Timestamp.from(since));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next() && out.size() < limit) {
                    if (rs.getDouble(5) < slowMs) {
                        continue;
                    }
                    Object hit = rs.getObject(8);
                    out.add(new SlowQuery(rs.getLong(1), rs.getString(2), rs.getLong(3), rs.getDouble(4), rs.getDouble(5),
                            rs.getDouble(6), rs.getLong(7), hit == null ? null : ((Number) hit).doubleValue(), rs.getDouble(9)));
                }
            }
        }
        return out;
    }

    /** Deletes samples older than the retention; returns the rows removed. */
    public long cleanUp(Connection store, Duration retention) throws SQLException {
        Timestamp cutoff = Timestamp.from(clock.instant().minus(retention));
        long removed = 0;
        for (String table : List.of("perf.database_samples", "perf.statement_samples")) {
            try (PreparedStatement ps = store.prepareStatement("DELETE FROM " + table + " WHERE taken_at < ?")) {
                ps.setTimestamp(1, cutoff);
                removed += ps.executeUpdate();
            }
        }
        try (PreparedStatement ps = store.prepareStatement(
                "DELETE FROM perf.statements s WHERE NOT EXISTS (SELECT 1 FROM perf.statement_samples x WHERE x.queryid = s.queryid)")) {
            removed += ps.executeUpdate();
        }
        return removed;
    }
}
