package io.chronoperf.monitor;

import io.chronoperf.monitor.internal.Sql;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The pages pgHero users look for, read on demand from the catalog and the statistics views of
 * any PostgreSQL 13+: space (tables and indexes by size), connections (by user, application,
 * state, client), live queries (and their cancel and terminate), maintenance (vacuum and analyze,
 * dead rows, transaction-ID age per table), settings beside recommendations for a machine, index
 * usage, and one statement's history from the stored samples. Every statement is marked as
 * chrono-perf's own ({@link DatabaseCollector#prepare}); chrono-perf's own sessions are left out
 * of the lists.
 */
public final class Inspection {
    private Inspection() {}

    /**
     * A table or an index with its sizes.
     *
     * @param growthBytesPerDay its growth over the stored hourly sizes of the last 7 days (null:
     *                          fewer than two samples an hour apart, or no history here)
     */
    public record Relation(
            String kind,
            String name,
            String table,
            long totalBytes,
            long relationBytes,
            long rows,
            Double growthBytesPerDay) {}

    public record Space(long databaseBytes, List<Relation> tables, List<Relation> indexes) {}

    public static Space space(Connection c, int limit) throws SQLException {
        long size;
        try (PreparedStatement ps = Sql.prepare(c, "SELECT pg_database_size(current_database())");
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            size = rs.getLong(1);
        }
        List<Relation> tables = new ArrayList<>();
        try (PreparedStatement ps = Sql.prepare(c, """
                SELECT n.nspname || '.' || c.relname, pg_total_relation_size(c.oid), pg_relation_size(c.oid),
                       greatest(c.reltuples, 0)::bigint
                  FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                 WHERE c.relkind IN ('r', 'm', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
                   AND n.nspname NOT LIKE 'pg_toast%'
                 ORDER BY 2 DESC LIMIT ?""")) {
            ps.setInt(1, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    tables.add(new Relation(
                            "table",
                            rs.getString(1),
                            rs.getString(1),
                            rs.getLong(2),
                            rs.getLong(3),
                            rs.getLong(4),
                            null));
                }
            }
        }
        List<Relation> indexes = new ArrayList<>();
        try (PreparedStatement ps = Sql.prepare(c, """
                SELECT n.nspname || '.' || i.relname, n.nspname || '.' || t.relname, pg_relation_size(i.oid),
                       greatest(i.reltuples, 0)::bigint
                  FROM pg_catalog.pg_index x
                  JOIN pg_catalog.pg_class i ON i.oid = x.indexrelid
                  JOIN pg_catalog.pg_class t ON t.oid = x.indrelid
                  JOIN pg_catalog.pg_namespace n ON n.oid = i.relnamespace
                 WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
                 ORDER BY 3 DESC LIMIT ?""")) {
            ps.setInt(1, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    indexes.add(new Relation(
                            "index",
                            rs.getString(1),
                            rs.getString(2),
                            rs.getLong(3),
                            rs.getLong(3),
                            rs.getLong(4),
                            null));
                }
            }
        }
        Map<String, Double> growth = growth(c);
        return new Space(size, withGrowth(tables, growth), withGrowth(indexes, growth));
    }

    private static List<Relation> withGrowth(List<Relation> relations, Map<String, Double> growth) {
        return relations.stream()
                .map(r -> new Relation(
                        r.kind(),
                        r.name(),
                        r.table(),
                        r.totalBytes(),
                        r.relationBytes(),
                        r.rows(),
                        growth.get(r.name())))
                .toList();
    }

    /** Bytes a day per relation, from the first and last stored sizes of the last 7 days. */
    private static Map<String, Double> growth(Connection c) throws SQLException {
        Map<String, Double> out = new LinkedHashMap<>();
        try (PreparedStatement has = Sql.prepare(c, "SELECT to_regclass('chrono_perf.relation_sizes') IS NOT NULL");
                ResultSet rs = has.executeQuery()) {
            rs.next();
            if (!rs.getBoolean(1)) {
                return out;
            }
        }
        try (PreparedStatement ps = Sql.prepare(c, """
                SELECT relation,
                       (array_agg(bytes ORDER BY taken_at DESC))[1] - (array_agg(bytes ORDER BY taken_at))[1],
                       extract(epoch FROM max(taken_at) - min(taken_at))
                  FROM chrono_perf.relation_sizes WHERE taken_at >= now() - interval '7 days'
                 GROUP BY relation HAVING max(taken_at) - min(taken_at) >= interval '1 hour'""");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.put(rs.getString(1), (double) Math.round(rs.getDouble(2) / rs.getDouble(3) * 86_400));
            }
        }
        return out;
    }

    /** Sessions counted by one property. */
    public record Count(String value, long sessions) {}

    public record ConnectionsView(int maxConnections, long total, Map<String, List<Count>> by) {}

    public static ConnectionsView connections(Connection c) throws SQLException {
        Map<String, List<Count>> by = new LinkedHashMap<>();
        long total = 0;
        for (String[] group : new String[][] {
            {"user", "coalesce(usename, '(none)')"},
            {"application", "coalesce(nullif(application_name, ''), '(none)')"},
            {"state", "coalesce(state, backend_type)"},
            {"client", "coalesce(host(client_addr), 'local socket')"}
        }) {
            List<Count> counts = new ArrayList<>();
            // the expression is one of the four constants above, never input
            try (PreparedStatement ps = Sql.prepare(
                            c,
                            "SELECT " + group[1] + ", count(*) FROM pg_catalog.pg_stat_activity"
                                    + " WHERE datname = current_database() GROUP BY 1 ORDER BY 2 DESC, 1");
                    ResultSet rs = ps.executeQuery()) {
                long sum = 0;
                while (rs.next()) {
                    counts.add(new Count(rs.getString(1), rs.getLong(2)));
                    sum += rs.getLong(2);
                }
                total = sum;
            }
            by.put(group[0], counts);
        }
        int max;
        try (PreparedStatement ps = Sql.prepare(c, "SELECT current_setting('max_connections')::int");
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            max = rs.getInt(1);
        }
        return new ConnectionsView(max, total, by);
    }

    /** A statement running now (chrono-perf's own sessions left out). */
    public record LiveQuery(
            int pid,
            String user,
            String application,
            String client,
            String state,
            double seconds,
            String waitEvent,
            String query) {}

    public static List<LiveQuery> liveQueries(Connection c) throws SQLException {
        List<LiveQuery> out = new ArrayList<>();
        try (PreparedStatement ps = Sql.prepare(c, """
                SELECT pid, usename, application_name, host(client_addr), state,
                       extract(epoch FROM now() - coalesce(query_start, backend_start)), wait_event_type || ':' ||
                           wait_event,
                       query
                  FROM pg_catalog.pg_stat_activity
                 WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'
                   AND state IS DISTINCT FROM 'idle' AND coalesce(application_name, '') NOT LIKE 'chrono-perf%'
                 ORDER BY 6 DESC LIMIT 200""");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(new LiveQuery(
                        rs.getInt(1),
                        rs.getString(2),
                        rs.getString(3),
                        rs.getString(4),
                        rs.getString(5),
                        Math.round(rs.getDouble(6) * 10) / 10.0,
                        rs.getString(7),
                        rs.getString(8)));
            }
        }
        return out;
    }

    /** What a cancel or a terminate found and did. */
    public record Signal(int pid, String action, boolean found, boolean done, String user, String query) {}

    /**
     * Cancels the statement of a session ({@code pg_cancel_backend}) or ends the session
     * ({@code pg_terminate_backend}), only if it is a client session of this database and not
     * chrono-perf's own; says what it found.
     */
    public static Signal signal(Connection c, int pid, boolean terminate) throws SQLException {
        String action = terminate ? "terminate" : "cancel";
        try (PreparedStatement find = Sql.prepare(c, """
                SELECT usename, query FROM pg_catalog.pg_stat_activity
                 WHERE pid = ? AND datname = current_database() AND backend_type = 'client backend'
                   AND pid <> pg_backend_pid() AND coalesce(application_name, '') NOT LIKE 'chrono-perf%'""")) {
            find.setInt(1, pid);
            try (ResultSet rs = find.executeQuery()) {
                if (!rs.next()) {
                    return new Signal(pid, action, false, false, null, null);
                }
                String user = rs.getString(1);
                String query = rs.getString(2);
                try (PreparedStatement ps = Sql.prepare(
                        c,
                        terminate
                                ? "SELECT pg_catalog.pg_terminate_backend(?)"
                                : "SELECT pg_catalog.pg_cancel_backend(?)")) {
                    ps.setInt(1, pid);
                    try (ResultSet done = ps.executeQuery()) {
                        done.next();
                        return new Signal(pid, action, true, done.getBoolean(1), user, query);
                    }
                }
            }
        }
    }

    /** A table's upkeep. */
    public record Upkeep(
            String table,
            long liveRows,
            long deadRows,
            long modifiedSinceAnalyze,
            Instant lastVacuum,
            Instant lastAutovacuum,
            Instant lastAnalyze,
            Instant lastAutoanalyze,
            long xidAge,
            String advice) {}

    public record Maintenance(long databaseXidAge, double xidAgePct, List<Upkeep> tables) {}

    public static Maintenance maintenance(Connection c, int limit) throws SQLException {
        List<Upkeep> out = new ArrayList<>();
        try (PreparedStatement ps = Sql.prepare(c, """
                SELECT s.schemaname || '.' || s.relname, s.n_live_tup, s.n_dead_tup, s.n_mod_since_analyze,
                    s.last_vacuum,
                       s.last_autovacuum, s.last_analyze, s.last_autoanalyze, age(c.relfrozenxid)
                  FROM pg_catalog.pg_stat_user_tables s JOIN pg_catalog.pg_class c ON c.oid = s.relid
                 ORDER BY s.n_dead_tup DESC, age(c.relfrozenxid) DESC LIMIT ?""")) {
            ps.setInt(1, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long live = rs.getLong(2);
                    long dead = rs.getLong(3);
                    long mods = rs.getLong(4);
                    Instant analyzed = latest(rs.getTimestamp(7), rs.getTimestamp(8));
                    String advice = dead > 1000 && dead > live * 0.2
                            ? "VACUUM (ANALYZE) " + rs.getString(1) + ": dead rows are over 20% of the live ones"
                            : analyzed == null && live > 0
                                    ? "ANALYZE " + rs.getString(1) + ": never analysed, the planner guesses"
                                    : mods > 1000 && mods > live * 0.2
                                            ? "ANALYZE " + rs.getString(1) + ": over 20% of the rows changed since"
                                            : null;
                    out.add(new Upkeep(
                            rs.getString(1),
                            live,
                            dead,
                            mods,
                            instant(rs.getTimestamp(5)),
                            instant(rs.getTimestamp(6)),
                            instant(rs.getTimestamp(7)),
                            instant(rs.getTimestamp(8)),
                            rs.getLong(9),
                            advice));
                }
            }
        }
        long age;
        try (PreparedStatement ps = Sql.prepare(
                        c, "SELECT age(datfrozenxid) FROM pg_catalog.pg_database WHERE datname = current_database()");
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            age = rs.getLong(1);
        }
        return new Maintenance(age, Math.round(age / 2_000_000_000.0 * 1000) / 10.0, out);
    }

    /** A server setting beside what a machine of this size would want. */
    public record SettingAdvice(String name, String current, String recommended, boolean differs, String why) {}

    public record SettingsView(long memoryMb, int cores, String basis, List<SettingAdvice> settings) {}

    /**
     * Key settings beside recommendations for a machine with {@code memoryMb} and {@code cores}
     * (the rules of thumb of PGTune for a web workload on SSDs: shared_buffers 25% of memory,
     * effective_cache_size 75%, work_mem so that max_connections sorts fit in a quarter of it,
     * maintenance_work_mem 1/16 up to 2 GB, random_page_cost 1.1, ...).
     */
    public static SettingsView settings(Connection c, long memoryMb, int cores, String basis) throws SQLException {
        Map<String, String> current = new LinkedHashMap<>();
        try (PreparedStatement ps = Sql.prepare(c, """
                SELECT name, setting, unit FROM pg_catalog.pg_settings WHERE name IN ('shared_buffers',
                    'effective_cache_size',
                  'work_mem', 'maintenance_work_mem', 'max_connections', 'random_page_cost', 'effective_io_concurrency',
                  'checkpoint_completion_target', 'max_wal_size', 'min_wal_size', 'wal_buffers',
                      'default_statistics_target',
                  'max_worker_processes', 'max_parallel_workers', 'max_parallel_workers_per_gather', 'autovacuum',
                  'shared_preload_libraries', 'track_io_timing')""");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                current.put(rs.getString(1), human(rs.getString(2), rs.getString(3)));
            }
        }
        int maxConnections = Integer.parseInt(current.getOrDefault("max_connections", "100"));
        long shared = memoryMb / 4;
        long workMb = Math.max(4, (memoryMb - shared) / (maxConnections * 3L));
        List<SettingAdvice> out = new ArrayList<>();
        add(out, current, "shared_buffers", mb(shared), "25% of the machine's memory");
        add(
                out,
                current,
                "effective_cache_size",
                mb(memoryMb * 3 / 4),
                "75% of memory: what the OS cache and shared buffers hold");
        add(
                out,
                current,
                "work_mem",
                mb(workMb),
                "per sort or hash, per connection: the memory left after shared buffers over 3 x max_connections");
        add(
                out,
                current,
                "maintenance_work_mem",
                mb(Math.min(2048, memoryMb / 16)),
                "1/16 of memory, at most 2 GB: faster VACUUM and CREATE INDEX");
        add(out, current, "random_page_cost", "1.1", "SSD storage: random reads cost about as much as sequential ones");
        add(out, current, "effective_io_concurrency", "200", "SSD storage");
        add(out, current, "checkpoint_completion_target", "0.9", "spread checkpoint writes");
        add(out, current, "wal_buffers", "16MB", "the usual cap");
        add(
                out,
                current,
                "default_statistics_target",
                "100",
                "PostgreSQL's default; raise per column where estimates are off");
        add(out, current, "max_worker_processes", Integer.toString(Math.max(8, cores)), "at least the cores");
        add(out, current, "max_parallel_workers", Integer.toString(cores), "the cores");
        add(
                out,
                current,
                "max_parallel_workers_per_gather",
                Integer.toString(Math.max(1, Math.min(4, cores / 2))),
                "half the cores, at most 4");
        add(out, current, "track_io_timing", "on", "block read times in pg_stat_statements and EXPLAIN (BUFFERS)");
        add(
                out,
                current,
                "max_connections",
                current.getOrDefault("max_connections", "100"),
                "keep it low and pool connections (HikariCP)");
        String preload = current.getOrDefault("shared_preload_libraries", "");
        add(
                out,
                current,
                "shared_preload_libraries",
                preload.contains("pg_stat_statements")
                        ? preload
                        : (preload.isBlank() ? "" : preload + ",") + "pg_stat_statements",
                "pg_stat_statements: statement figures");
        add(out, current, "autovacuum", "on", "never off");
        return new SettingsView(memoryMb, cores, basis, out);
    }

    /** One statement's calls and mean time per interval between stored samples. */
    public record StatementPoint(Instant takenAt, long calls, double meanMs) {}

    public static List<StatementPoint> statementHistory(Connection store, long queryid, Duration window)
            throws SQLException {
        List<StatementPoint> out = new ArrayList<>();
        try (PreparedStatement ps = Sql.prepare(store, """
                WITH first AS (SELECT min(taken_at) AS t FROM chrono_perf.database_samples),
                d AS (
                    SELECT taken_at,
                           calls - coalesce(lag(calls) OVER w, CASE WHEN taken_at > (SELECT t FROM first) THEN 0 END)
                               AS calls,
                           total_ms - coalesce(lag(total_ms) OVER w, CASE WHEN taken_at > (SELECT t FROM first) THEN 0
                               END) AS ms
                      FROM chrono_perf.statement_samples
                     WHERE queryid = ? AND taken_at >= now() - ?::interval - interval '1 day'
                         -- the sample before the window
                    WINDOW w AS (ORDER BY taken_at))
                SELECT taken_at, calls, ms FROM d WHERE taken_at >= now() - ?::interval ORDER BY taken_at""")) {
            ps.setLong(1, queryid);
            ps.setString(2, window.toSeconds() + " seconds");
            ps.setString(3, window.toSeconds() + " seconds");
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long calls = rs.getLong(2);
                    if (rs.wasNull() || calls < 0) {
                        continue; // before the first sample nothing is known; a negative delta is a statistics reset
                    }
                    double ms = rs.getDouble(3);
                    out.add(new StatementPoint(
                            rs.getTimestamp(1).toInstant(),
                            calls,
                            calls == 0 ? 0 : Math.round(ms / calls * 100) / 100.0));
                }
            }
        }
        return out;
    }

    /** One index's use. */
    public record IndexUse(
            String index,
            String table,
            long scans,
            long tuplesRead,
            long sizeBytes,
            boolean unique,
            boolean primary,
            Instant lastUsed) {}

    public static List<IndexUse> indexUsage(Connection c, int limit) throws SQLException {
        boolean lastScan;
        try (PreparedStatement ps = Sql.prepare(c, "SELECT current_setting('server_version_num')::int >= 160000");
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            lastScan = rs.getBoolean(1);
        }
        List<IndexUse> out = new ArrayList<>();
        try (PreparedStatement ps = Sql.prepare(
                c,
                "SELECT s.schemaname || '.' || s.indexrelname, s.schemaname || '.'"
                        + " || s.relname, s.idx_scan, s.idx_tup_read, pg_relation_size(s.indexrelid), x.indisunique, "
                        + "x.indisprimary, "
                        + (lastScan
                                ? "s.last_idx_scan"
                                : "NULL::timestamptz") // last_idx_scan exists from PostgreSQL 16
                        + " FROM pg_catalog.pg_stat_user_indexes s JOIN pg_catalog.pg_index x ON x.indexrelid = "
                        + "s.indexrelid"
                        + " ORDER BY s.idx_scan ASC, pg_relation_size(s.indexrelid) DESC LIMIT ?")) {
            ps.setInt(1, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new IndexUse(
                            rs.getString(1),
                            rs.getString(2),
                            rs.getLong(3),
                            rs.getLong(4),
                            rs.getLong(5),
                            rs.getBoolean(6),
                            rs.getBoolean(7),
                            instant(rs.getTimestamp(8))));
                }
            }
        }
        return out;
    }

    private static void add(
            List<SettingAdvice> out, Map<String, String> current, String name, String recommended, String why) {
        String now = current.get(name);
        if (now == null) {
            return;
        }
        out.add(new SettingAdvice(name, now, recommended, !normal(now).equals(normal(recommended)), why));
    }

    private static String normal(String v) {
        return v.toLowerCase(Locale.ROOT).replace(" ", "");
    }

    private static String mb(long mb) {
        return mb >= 1024 && mb % 1024 == 0 ? (mb / 1024) + "GB" : mb + "MB";
    }

    /** pg_settings' value with its unit, as postgresql.conf would write it. */
    private static String human(String setting, String unit) {
        if (unit == null) {
            return setting;
        }
        long n;
        try {
            n = Long.parseLong(setting);
        } catch (NumberFormatException e) {
            return setting + unit;
        }
        long kb = switch (unit) {
            case "8kB" -> n * 8;
            case "kB" -> n;
            case "MB" -> n * 1024;
            default -> -1;
        };
        if (kb < 0) {
            return setting + unit;
        }
        return kb % (1024 * 1024) == 0 ? (kb / 1024 / 1024) + "GB" : kb % 1024 == 0 ? (kb / 1024) + "MB" : kb + "kB";
    }

    private static Instant latest(Timestamp a, Timestamp b) {
        Instant x = instant(a);
        Instant y = instant(b);
        return x == null ? y : y == null ? x : x.isAfter(y) ? x : y;
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }
}
