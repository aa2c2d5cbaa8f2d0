package io.chronoperf.server.monitor;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The periodic analysis's findings in {@code chrono_perf.findings} (server V1): stored as JSON, the latest of a kind
 * read back.
 */
public final class Findings {
    private static final JsonMapper JSON = JsonMapper.builder()
            .propertyNamingStrategy(tools.jackson.databind.PropertyNamingStrategies.SNAKE_CASE)
            .build();

    private Findings() {}

    public static void store(Connection c, Instant at, String kind, Object payload) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO chrono_perf.findings (taken_at, kind, payload) VALUES (?, ?, ?::jsonb)")) {
            ps.setTimestamp(1, Timestamp.from(at));
            ps.setString(2, kind);
            ps.setString(3, JSON.writeValueAsString(payload));
            ps.executeUpdate();
        }
    }

    /** The latest finding of a kind, or null. */
    public static JsonNode latest(Connection c, String kind) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT payload::text FROM chrono_perf.findings WHERE kind = ? ORDER BY taken_at DESC LIMIT 1")) {
            ps.setString(1, kind);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? JSON.readTree(rs.getString(1)) : null;
            }
        }
    }

    static long cleanUp(Connection c, Instant cutoff) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM chrono_perf.findings WHERE taken_at < ?")) {
            ps.setTimestamp(1, Timestamp.from(cutoff));
            return ps.executeUpdate();
        }
    }
}
