package io.chronoperf.server.monitor;

import io.chronoperf.cache.CacheStats;
import io.swagger.v3.oas.annotations.media.Schema;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The cache's hits and misses per namespace at each sample ({@code chrono_perf.cache_samples}, server V1),
 * cumulative since the instance started; the hit ratio per interval is read from the deltas
 * (a restart shows as a negative delta and is dropped).
 */
public final class CacheHistory {
    private CacheHistory() {}

    @Schema(name = "CacheHitPoint")
    public record Point(Instant takenAt, double hitRatioPct) {}

    static void sample(Connection c, Instant at, CacheStats stats) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO chrono_perf.cache_samples (taken_at, namespace, hits, misses) VALUES (?, ?, ?, ?)")) {
            for (Map.Entry<String, CacheStats.Namespace> e : stats.namespaces().entrySet()) {
                ps.setTimestamp(1, Timestamp.from(at));
                ps.setString(2, e.getKey());
                ps.setLong(3, e.getValue().l1Hits() + e.getValue().l2Hits());
                ps.setLong(4, e.getValue().misses());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    public static Map<String, List<Point>> series(Connection c, Instant since) throws SQLException {
        Map<String, List<Point>> out = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT namespace, taken_at, 100.0 * hits / (hits + misses)
                  FROM (SELECT namespace, taken_at, hits - lag(hits) OVER w AS hits, misses - lag(misses) OVER w AS
                      misses
                          FROM chrono_perf.cache_samples WHERE taken_at >= ?::timestamptz - interval '1 hour'
                        WINDOW w AS (PARTITION BY namespace ORDER BY taken_at)) d
                 WHERE taken_at >= ? AND hits >= 0 AND misses >= 0 AND hits + misses > 0
                 ORDER BY namespace, taken_at""")) {
            ps.setTimestamp(1, Timestamp.from(since));
            ps.setTimestamp(2, Timestamp.from(since));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.computeIfAbsent(rs.getString(1), k -> new ArrayList<>())
                            .add(new Point(rs.getTimestamp(2).toInstant(), Math.round(rs.getDouble(3) * 100) / 100.0));
                }
            }
        }
        return out;
    }

    static long cleanUp(Connection c, Instant cutoff) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM chrono_perf.cache_samples WHERE taken_at < ?")) {
            ps.setTimestamp(1, Timestamp.from(cutoff));
            return ps.executeUpdate();
        }
    }
}
