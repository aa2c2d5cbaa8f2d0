package io.chronoperf.admin.repository;

import static io.chronoperf.admin.internal.Jdbc.instant;
import static io.chronoperf.admin.internal.Jdbc.nullableLong;

import io.chronoperf.admin.internal.Jdbc;
import io.chronoperf.admin.repository.Bounds.Cursor;
import io.chronoperf.admin.repository.Bounds.Page;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import javax.sql.DataSource;

/** The audit log: filtered listing with keyset pagination and statistics over time. Thread-safe. */
public final class AuditLogRepository {
    public static final Set<String> CATEGORIES = Set.of(
            "user_management", "security_event", "system_config", "backup", "content", "authentication", "data_export");
    public static final Set<String> SEVERITIES = Set.of("info", "low", "medium", "high", "critical");
    public static final Set<String> BUCKETS = Set.of("hour", "day");

    private final Jdbc jdbc;
    private final Clock clock;

    public AuditLogRepository(DataSource dataSource, Clock clock) {
        this.jdbc = new Jdbc(dataSource);
        this.clock = clock;
    }

    public record Entry(
            long id,
            Instant createdAt,
            Long adminUserId,
            Long userId,
            String category,
            String action,
            String severity,
            boolean success,
            String resourceType,
            String resourceId,
            int affectedCount,
            String ipAddress,
            String details) {}

    /** Listing filter; null fields do not filter. {@code from}/{@code to} default to the last 24 hours. */
    public record Filter(
            Long adminUserId, String category, String severity, Boolean success, Instant from, Instant to) {
        public Filter {
            category = Bounds.oneOf("category", category, CATEGORIES);
            severity = Bounds.oneOf("severity", severity, SEVERITIES);
        }
    }

    public Page<Entry> list(Filter filter, Integer limit, String cursor) {
        int n = Bounds.limit(limit);
        Cursor after = Cursor.decode(cursor);
        Instant[] window = Bounds.window(filter.from(), filter.to(), clock.instant());
        StringBuilder sql = new StringBuilder("""
                SELECT id, created_at, admin_user_id, user_id, category, action, severity, success, resource_type,
                       resource_id, affected_count, host(ip_address) AS ip, details::text AS details
                  FROM audit_logs WHERE created_at >= ? AND created_at < ?""");
        List<Object> params = new ArrayList<>(List.of(window[0], window[1]));
        if (filter.adminUserId() != null) {
            sql.append(" AND admin_user_id = ?");
            params.add(filter.adminUserId());
        }
        if (filter.category() != null) {
            sql.append(" AND category = ?");
            params.add(filter.category());
        }
        if (filter.severity() != null) {
            sql.append(" AND severity = ?");
            params.add(filter.severity());
        }
        if (filter.success() != null) {
            sql.append(" AND success = ?");
            params.add(filter.success());
        }
        if (after != null) {
            sql.append(" AND (created_at, id) < (?, ?)");
            params.add(after.instant());
            params.add(after.id());
        }
        sql.append(" ORDER BY created_at DESC, id DESC LIMIT ?");
        params.add(n + 1);
        List<Entry> rows = jdbc.list(sql.toString(), AuditLogRepository::map, params.toArray());
        return Page.of(rows, n, e -> Cursor.of(e.createdAt(), e.id()));
    }

    /** One time bucket of one category and severity. */
    public record Bucket(
            Instant bucket, String category, String severity, long entries, long failures, long affected) {}

    public record Stats(Instant from, Instant to, String bucket, long entries, long failures, List<Bucket> buckets) {}

    /**
     * Entries by category and severity per UTC hour or day, from the trigger-maintained hourly
     * rollup (V3__dashboard_rollups.sql): a day of window is at most 24 x 35 rows to read. Buckets
     * are whole hours: {@code from} is rounded down to its hour.
     */
    public Stats stats(Instant from, Instant to, String bucket) {
        String unit = bucket == null ? "hour" : Bounds.oneOf("bucket", bucket, BUCKETS);
        Instant[] window = Bounds.window(from, to, clock.instant());
        List<Bucket> buckets = jdbc.list(
                """
                SELECT date_trunc(?, bucket, 'UTC') AS bucket, category, severity, sum(entries) AS entries,
                       sum(failures) AS failures, sum(affected) AS affected
                  FROM audit_log_hourly
                 WHERE bucket >= date_trunc('hour', ?::timestamptz, 'UTC') AND bucket < ? AND entries > 0
                 GROUP BY 1, 2, 3 ORDER BY 1, 2, 3""",
                rs -> new Bucket(
                        instant(rs, "bucket"),
                        rs.getString("category"),
                        rs.getString("severity"),
                        rs.getLong("entries"),
                        rs.getLong("failures"),
                        rs.getLong("affected")),
                unit,
                window[0],
                window[1]);
        long entries = buckets.stream().mapToLong(Bucket::entries).sum();
        long failures = buckets.stream().mapToLong(Bucket::failures).sum();
        return new Stats(window[0], window[1], unit, entries, failures, buckets);
    }

    static Entry map(ResultSet rs) throws SQLException {
        return new Entry(
                rs.getLong("id"),
                instant(rs, "created_at"),
                nullableLong(rs, "admin_user_id"),
                nullableLong(rs, "user_id"),
                rs.getString("category"),
                rs.getString("action"),
                rs.getString("severity"),
                rs.getBoolean("success"),
                rs.getString("resource_type"),
                rs.getString("resource_id"),
                rs.getInt("affected_count"),
                rs.getString("ip"),
                rs.getString("details"));
    }
}
