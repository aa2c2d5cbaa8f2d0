package io.chronoperf.admin.repository;

import static io.chronoperf.admin.internal.Jdbc.instant;
import static io.chronoperf.admin.internal.Jdbc.nullableInt;
import static io.chronoperf.admin.internal.Jdbc.nullableLong;

import io.chronoperf.admin.internal.Jdbc;
import io.chronoperf.admin.repository.Bounds.Cursor;
import io.chronoperf.admin.repository.Bounds.Page;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import javax.sql.DataSource;

/** Backups: executions by status and the latest health checks. Thread-safe. */
public final class BackupRepository {
    public static final Set<String> STATUSES = Set.of("pending", "running", "completed", "failed", "cancelled");

    private final Jdbc jdbc;

    public BackupRepository(DataSource dataSource) {
        this.jdbc = new Jdbc(dataSource);
    }

    public record Execution(
            long id,
            long backupId,
            String backupType,
            String status,
            Instant createdAt,
            Instant startedAt,
            Instant completedAt,
            Long sizeBytes,
            Integer durationSeconds,
            String errorMessage) {}

    /** Executions of one status (or all), newest first, keyset-paginated. */
    public Page<Execution> executions(String status, Integer limit, String cursor) {
        String s = Bounds.oneOf("status", status, STATUSES);
        int n = Bounds.limit(limit);
        Cursor after = Cursor.decode(cursor);
        String base = "SELECT id, backup_id, backup_type, status, created_at, started_at, completed_at, size_bytes,"
                + " duration_seconds, error_message FROM backup_executions WHERE (?::text IS NULL OR status = ?::text)";
        List<Execution> rows = after == null
                ? jdbc.list(
                        base + " ORDER BY created_at DESC, id DESC LIMIT ?",
                        BackupRepository::mapExecution,
                        s,
                        s,
                        n + 1)
                : jdbc.list(
                        base + " AND (created_at, id) < (?, ?) ORDER BY created_at DESC, id DESC LIMIT ?",
                        BackupRepository::mapExecution,
                        s,
                        s,
                        after.instant(),
                        after.id(),
                        n + 1);
        return Page.of(rows, n, e -> Cursor.of(e.createdAt(), e.id()));
    }

    public record HealthCheck(
            long backupId,
            String backupName,
            String targetType,
            String checkType,
            String status,
            int healthScore,
            Instant checkedAt,
            String message) {}

    /** The latest check of each target type for every enabled backup (one index probe per backup). */
    public List<HealthCheck> latestHealth(Integer limit) {
        int n = Bounds.range("limit", limit, 1, 1000, 200);
        return jdbc.list(
                """
                SELECT b.id, b.name, h.target_type, h.check_type, h.status, h.health_score, h.checked_at, h.message
                  FROM (SELECT id, name FROM backups WHERE is_enabled ORDER BY id LIMIT ?) b
                 CROSS JOIN LATERAL (
                       SELECT DISTINCT ON (target_type) target_type, check_type, status, health_score, checked_at,
                           message
                         FROM (SELECT * FROM backup_health_checks hc WHERE hc.backup_id = b.id
                                ORDER BY checked_at DESC LIMIT 16) recent
                        ORDER BY target_type, checked_at DESC) h
                 ORDER BY h.health_score, b.id, h.target_type""",
                rs -> new HealthCheck(
                        rs.getLong(1),
                        rs.getString(2),
                        rs.getString(3),
                        rs.getString(4),
                        rs.getString(5),
                        rs.getInt(6),
                        instant(rs, "checked_at"),
                        rs.getString(8)),
                n);
    }

    private static Execution mapExecution(java.sql.ResultSet rs) throws java.sql.SQLException {
        return new Execution(
                rs.getLong("id"),
                rs.getLong("backup_id"),
                rs.getString("backup_type"),
                rs.getString("status"),
                instant(rs, "created_at"),
                instant(rs, "started_at"),
                instant(rs, "completed_at"),
                nullableLong(rs, "size_bytes"),
                nullableInt(rs, "duration_seconds"),
                rs.getString("error_message"));
    }
}
