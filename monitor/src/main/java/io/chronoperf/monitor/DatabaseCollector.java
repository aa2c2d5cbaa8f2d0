package io.chronoperf.monitor;

import io.chronoperf.monitor.internal.Sql;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One look at a PostgreSQL database through the statistics views and the catalog: database
 * counters, connections, long-running and blocked sessions, locks, index hygiene (unused,
 * duplicate, invalid), transaction-ID age and sequences near their maximum. Works on any
 * PostgreSQL 13+ database, not only the admin schema; a member of pg_monitor sees everything
 * here (without it, other users' sessions show no query text). Sizes come from pg_class.relpages
 * (as of the last VACUUM or ANALYZE): the size functions open relations and would wait behind an
 * ACCESS EXCLUSIVE lock, and a snapshot must never wait on locks. Stateless and thread-safe.
 */
public final class DatabaseCollector {
    /**
     * @param longRunning     a statement running longer is long-running (60 s: pgHero's default)
     * @param unusedIndexMin  unused indexes smaller than this are not worth reporting (10 MB by default)
     * @param bloatMin        estimated bloat smaller than this is not worth reporting (10 MB by default)
     * @param unusedAfter     an index is reported unused only after it was watched this long without a scan
     *                        (since the statistics were reset, or since chrono-perf first saw it, whichever is
     *                        later; 7 days by default): an index built minutes ago has had no chance to be used
     */
    public record Options(Duration longRunning, long unusedIndexMin, long bloatMin, Duration unusedAfter) {
        public static final Duration UNUSED_AFTER = Duration.ofDays(7);
        public static final Options DEFAULT = new Options(Duration.ofSeconds(60), 10L << 20, 10L << 20, UNUSED_AFTER);

        public Options(Duration longRunning, long unusedIndexMin, long bloatMin) {
            this(longRunning, unusedIndexMin, bloatMin, UNUSED_AFTER);
        }
    }

    public record DatabaseStats(
            String name,
            long sizeBytes,
            long commits,
            long rollbacks,
            long blocksHit,
            long blocksRead,
            Double cacheHitRatioPct,
            long deadlocks,
            long tempFiles,
            long tempBytes,
            long conflicts) {}

    public record Connections(
            int total, int active, int idle, int idleInTransaction, int maxConnections, double usage) {}

    public record Session(
            int pid,
            String user,
            String state,
            double seconds,
            String waitEvent,
            List<Integer> blockedBy,
            String query) {}

    public record IndexIssue(String kind, String table, String index, long sizeBytes, String detail, String fix) {}

    public record SequenceIssue(String sequence, long lastValue, long maxValue, double usedPct) {}

    /** A table's activity and upkeep (the 20 largest). */
    public record TableStats(
            String table,
            long sizeBytes,
            long seqScans,
            long seqRowsRead,
            long indexScans,
            long liveRows,
            long deadRows,
            java.time.Instant lastVacuum,
            java.time.Instant lastAnalyze,
            Double heapCacheHitRatioPct) {}

    /** A replica streaming from this server, with its replay lag. */
    public record Replica(String name, String clientAddress, String state, Double replayLagSeconds, Long lagBytes) {}

    /**
     * Estimated bloat of a table or a B-tree index: its pages against the pages its rows would need
     * (from pg_class.reltuples and pg_stats.avg_width, tuple headers, line pointers, alignment and
     * fillfactor). An estimate in the manner of pgHero's and ioguix's queries, not a measurement:
     * pgstattuple would read the whole relation.
     */
    public record Bloat(
            String kind, String table, String index, long sizeBytes, long bloatBytes, double bloatPct, String fix) {}

    /** Lock counts of one mode. */
    public record LockMode(String mode, long granted, long waiting) {}

    public record Snapshot(
            DatabaseStats database,
            Connections connections,
            List<Session> longRunning,
            List<Session> blocked,
            long locksHeld,
            long locksWaiting,
            List<LockMode> locks,
            List<TableStats> tables,
            List<IndexIssue> indexes,
            double xidAgePct,
            List<SequenceIssue> sequences,
            List<Replica> replicas,
            List<Bloat> bloat) {}

    private final Options options;

    public DatabaseCollector(Options options) {
        this.options = options;
    }

    public Snapshot collect(Connection c) throws SQLException {
        List<LockMode> locks = locks(c);
        return new Snapshot(
                database(c),
                connections(c),
                longRunning(c),
                blocked(c),
                locks.stream().mapToLong(LockMode::granted).sum(),
                locks.stream().mapToLong(LockMode::waiting).sum(),
                locks,
                tables(c),
                indexes(c),
                xidAge(c),
                sequences(c),
                replicas(c),
                bloat(c));
    }

    private static List<LockMode> locks(Connection c) throws SQLException {
        List<LockMode> out = new ArrayList<>();
        try (PreparedStatement ps = Sql.prepare(c, """
                SELECT mode, count(*) FILTER (WHERE granted), count(*) FILTER (WHERE NOT granted)
                  FROM pg_catalog.pg_locks GROUP BY mode ORDER BY 3 DESC, 2 DESC""");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(new LockMode(rs.getString(1), rs.getLong(2), rs.getLong(3)));
            }
        }
        return out;
    }

    /** Replicas of this server (none on a standby or a server without replication). */
    private static List<Replica> replicas(Connection c) throws SQLException {
        List<Replica> out = new ArrayList<>();
        try (PreparedStatement ps = Sql.prepare(c, """
                SELECT application_name, client_addr::text, state, extract(epoch FROM replay_lag)::float8,
                       CASE WHEN NOT pg_catalog.pg_is_in_recovery()
                            THEN pg_catalog.pg_wal_lsn_diff(pg_catalog.pg_current_wal_lsn(), replay_lsn)::bigint END
                  FROM pg_catalog.pg_stat_replication ORDER BY 1""");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                double lag = rs.getDouble(4);
                Double replayLag = rs.wasNull() ? null : lag;
                long bytes = rs.getLong(5);
                out.add(new Replica(
                        rs.getString(1), rs.getString(2), rs.getString(3), replayLag, rs.wasNull() ? null : bytes));
            }
        }
        return out;
    }

    /**
     * Tables and B-tree indexes whose pages exceed what their rows need by at least the bloat
     * threshold. Reads pg_stats, which shows only the columns the monitoring role may read: a
     * table the role cannot read has no estimate (documented in docs/monitoring.md).
     */
    private List<Bloat> bloat(Connection c) throws SQLException {
        List<Bloat> out = new ArrayList<>();
        try (PreparedStatement ps = Sql.prepare(c, """
                WITH widths AS MATERIALIZED (
                    SELECT schemaname, tablename, attname, avg_width FROM pg_catalog.pg_stats
                     WHERE NOT inherited AND schemaname NOT IN ('pg_catalog', 'information_schema')),
                table_widths AS MATERIALIZED (
                    SELECT schemaname, tablename, sum(avg_width) AS width FROM widths GROUP BY 1, 2),
                rels AS (
                    SELECT 'table' AS kind, n.nspname || '.' || c.relname AS tbl, NULL::text AS idx,
                        c.relpages::numeric AS pages,
                           c.reltuples::numeric AS tuples,
                           -- heap tuple: 24-byte header and data aligned to 8, plus a 4-byte line pointer
                           ceil((24 + tw.width) / 8.0) * 8 + 4 AS tuple_bytes,
                           (current_setting('block_size')::numeric - 24)
                             * coalesce((SELECT substring(o FROM 'fillfactor=([0-9]+)')::numeric FROM
                                 unnest(c.reloptions) o WHERE o LIKE 'fillfactor=%'), 100) / 100 AS usable
                      FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                      JOIN table_widths tw ON tw.schemaname = n.nspname AND tw.tablename = c.relname
                     WHERE c.relkind IN ('r', 'm') AND c.relpages > 0
                    UNION ALL
                    SELECT 'index', n.nspname || '.' || t.relname, pg_catalog.quote_ident(n.nspname) || '.' ||
                        pg_catalog.quote_ident(ic.relname),
                           ic.relpages::numeric - 1, ic.reltuples::numeric,
                           -- index tuple: 8-byte header and key aligned to 8, plus a 4-byte line pointer
                           ceil((8 + sum(w.avg_width)) / 8.0) * 8 + 4,
                           -- page header and B-tree special space; leaf fillfactor 90
                           (current_setting('block_size')::numeric - 24 - 16) * 0.9
                      FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
                      JOIN pg_catalog.pg_am am ON am.oid = ic.relam AND am.amname = 'btree'
                      JOIN pg_catalog.pg_class t ON t.oid = i.indrelid
                      JOIN pg_catalog.pg_namespace n ON n.oid = t.relnamespace
                      JOIN pg_catalog.pg_attribute a ON a.attrelid = t.oid AND a.attnum = ANY (i.indkey::int2[])
                      JOIN widths w ON w.schemaname = n.nspname AND w.tablename = t.relname AND w.attname = a.attname
                     WHERE i.indexprs IS NULL AND ic.relpages > 1
                     GROUP BY n.nspname, t.relname, ic.relname, ic.relpages, ic.reltuples, i.indnatts
                    HAVING count(*) = i.indnatts)
                SELECT kind, tbl, idx, pages * current_setting('block_size')::bigint,
                       greatest(0, pages - ceil(tuples * tuple_bytes / usable)) * current_setting('block_size')::bigint
                  FROM rels
                 WHERE tuple_bytes IS NOT NULL AND tuples >= 0
                   AND (pages - ceil(tuples * tuple_bytes / usable)) * current_setting('block_size')::bigint >= ?
                 ORDER BY 5 DESC LIMIT 50""")) {
            ps.setLong(1, Math.max(1, options.bloatMin()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String kind = rs.getString(1);
                    String table = rs.getString(2);
                    String index = rs.getString(3);
                    long size = rs.getLong(4);
                    long bloat = rs.getLong(5);
                    String fix = kind.equals("index")
                            ? "REINDEX INDEX CONCURRENTLY " + index
                            : "VACUUM (ANALYZE) " + table
                                    + " keeps it from growing; pg_repack or VACUUM FULL (ACCESS EXCLUSIVE lock) "
                                    + "returns the space";
                    out.add(new Bloat(kind, table, index, size, bloat, size == 0 ? 0 : 100.0 * bloat / size, fix));
                }
            }
        }
        return out;
    }

    private static DatabaseStats database(Connection c) throws SQLException {
        try (PreparedStatement ps = Sql.prepare(c, """
                SELECT datname, pg_catalog.pg_database_size(datid), xact_commit, xact_rollback, blks_hit, blks_read,
                       deadlocks, temp_files, temp_bytes, conflicts
                  FROM pg_catalog.pg_stat_database WHERE datname = current_database()""");
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            long hit = rs.getLong(5);
            long read = rs.getLong(6);
            return new DatabaseStats(
                    rs.getString(1),
                    rs.getLong(2),
                    rs.getLong(3),
                    rs.getLong(4),
                    hit,
                    read,
                    hit + read == 0 ? null : 100.0 * hit / (hit + read),
                    rs.getLong(7),
                    rs.getLong(8),
                    rs.getLong(9),
                    rs.getLong(10));
        }
    }

    private static Connections connections(Connection c) throws SQLException {
        try (PreparedStatement ps = Sql.prepare(c, """
                SELECT count(*), count(*) FILTER (WHERE state = 'active'), count(*) FILTER (WHERE state = 'idle'),
                       count(*) FILTER (WHERE state LIKE 'idle in transaction%'),
                       current_setting('max_connections')::int
                  FROM pg_catalog.pg_stat_activity WHERE backend_type = 'client backend'""");
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            int total = rs.getInt(1);
            int max = rs.getInt(5);
            return new Connections(total, rs.getInt(2), rs.getInt(3), rs.getInt(4), max, (double) total / max);
        }
    }

    private List<Session> longRunning(Connection c) throws SQLException {
        return sessions(c, """
                SELECT pid, usename, state, extract(epoch FROM now() - query_start), wait_event,
                       pg_catalog.pg_blocking_pids(pid), left(query, 500)
                  FROM pg_catalog.pg_stat_activity
                 WHERE state = 'active' AND pid <> pg_catalog.pg_backend_pid() AND backend_type = 'client backend'
                   AND now() - query_start > make_interval(secs => ?)
                 ORDER BY query_start""", options.longRunning().toMillis() / 1000.0);
    }

    private static List<Session> blocked(Connection c) throws SQLException {
        return sessions(c, """
                SELECT pid, usename, state, extract(epoch FROM now() - query_start), wait_event,
                       pg_catalog.pg_blocking_pids(pid), left(query, 500)
                  FROM pg_catalog.pg_stat_activity
                 WHERE cardinality(pg_catalog.pg_blocking_pids(pid)) > 0
                 ORDER BY query_start""", null);
    }

    private static List<Session> sessions(Connection c, String sql, Double seconds) throws SQLException {
        List<Session> out = new ArrayList<>();
        try (PreparedStatement ps = Sql.prepare(c, sql)) {
            if (seconds != null) {
                ps.setDouble(1, seconds);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    List<Integer> blockers = new ArrayList<>();
                    for (Integer pid : (Integer[]) rs.getArray(6).getArray()) {
                        blockers.add(pid);
                    }
                    out.add(new Session(
                            rs.getInt(1),
                            rs.getString(2),
                            rs.getString(3),
                            rs.getDouble(4),
                            rs.getString(5),
                            blockers,
                            rs.getString(7)));
                }
            }
        }
        return out;
    }

    private static List<TableStats> tables(Connection c) throws SQLException {
        List<TableStats> out = new ArrayList<>();
        try (PreparedStatement ps = Sql.prepare(c, """
                SELECT s.schemaname || '.' || s.relname,
                       -- relpages, not pg_total_relation_size: sizing opens the relation and would queue
                       -- behind an ACCESS EXCLUSIVE lock; a snapshot must never wait on locks.
                       (c.relpages + coalesce(toast.relpages, 0) + coalesce(ix.pages, 0))::bigint
                         * current_setting('block_size')::bigint,
                       s.seq_scan,
                       s.seq_tup_read, coalesce(s.idx_scan, 0), s.n_live_tup, s.n_dead_tup,
                       greatest(s.last_vacuum, s.last_autovacuum), greatest(s.last_analyze, s.last_autoanalyze),
                       io.heap_blks_hit, io.heap_blks_read
                  FROM pg_catalog.pg_stat_user_tables s
                  JOIN pg_catalog.pg_statio_user_tables io ON io.relid = s.relid
                  JOIN pg_catalog.pg_class c ON c.oid = s.relid
                  LEFT JOIN pg_catalog.pg_class toast ON toast.oid = c.reltoastrelid
                  LEFT JOIN (SELECT i.indrelid, sum(ic.relpages) AS pages
                               FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
                              GROUP BY i.indrelid) ix ON ix.indrelid = s.relid
                 ORDER BY 2 DESC LIMIT 20""");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                long hit = rs.getLong(10);
                long read = rs.getLong(11);
                java.sql.Timestamp vacuum = rs.getTimestamp(8);
                java.sql.Timestamp analyze = rs.getTimestamp(9);
                out.add(new TableStats(
                        rs.getString(1),
                        rs.getLong(2),
                        rs.getLong(3),
                        rs.getLong(4),
                        rs.getLong(5),
                        rs.getLong(6),
                        rs.getLong(7),
                        vacuum == null ? null : vacuum.toInstant(),
                        analyze == null ? null : analyze.toInstant(),
                        hit + read == 0 ? null : 100.0 * hit / (hit + read)));
            }
        }
        return out;
    }

    private List<IndexIssue> indexes(Connection c) throws SQLException {
        List<IndexIssue> out = new ArrayList<>();
        boolean watched = firstSeen(c);
        try (PreparedStatement ps = Sql.prepare(c, """
                SELECT s.relname, s.indexrelname, ic.relpages::bigint * current_setting('block_size')::bigint,
                       to_char(greatest(d.stats_reset, %1$s) AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI "UTC"'),
                       extract(epoch FROM now() - greatest(d.stats_reset, %1$s)), d.stats_reset IS NOT NULL
                  FROM pg_catalog.pg_stat_user_indexes s JOIN pg_catalog.pg_index i ON i.indexrelid = s.indexrelid
                  JOIN pg_catalog.pg_class ic ON ic.oid = s.indexrelid
                  JOIN pg_catalog.pg_stat_database d ON d.datname = current_database()
                  %2$s
                 WHERE s.idx_scan = 0 AND NOT i.indisunique AND NOT i.indisprimary
                   AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint k WHERE k.conindid = s.indexrelid)
                   AND ic.relpages::bigint * current_setting('block_size')::bigint >= ?
                 ORDER BY 3 DESC""".formatted(
                        watched ? "w.first_seen" : "NULL::timestamptz",
                        watched ? "LEFT JOIN chrono_perf.index_first_seen w ON w.index_oid = s.indexrelid" : ""))) {
            ps.setLong(1, options.unusedIndexMin());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    double seconds = rs.getDouble(5);
                    boolean known = !rs.wasNull();
                    if (!options.unusedAfter().isZero()
                            && (!known || seconds < options.unusedAfter().toSeconds())) {
                        continue; // not watched long enough (or since when is unknown): no verdict yet
                    }
                    out.add(new IndexIssue(
                            "unused",
                            rs.getString(1),
                            rs.getString(2),
                            rs.getLong(3),
                            known
                                    ? String.format(
                                            java.util.Locale.ROOT,
                                            "no scans in the %.1f days watched (since %s, %s)",
                                            seconds / 86_400,
                                            rs.getString(4),
                                            rs.getBoolean(6)
                                                    ? "the later of the statistics reset and chrono-perf first"
                                                            + " seeing it"
                                                    : "when chrono-perf first saw it")
                                    : "no scans since the statistics were reset",
                            "DROP INDEX CONCURRENTLY " + rs.getString(2)));
                }
            }
        }
        // A duplicate: its columns are a prefix of another index on the same table, with the same
        // access method, expressions and predicate.
        try (PreparedStatement ps = Sql.prepare(c, """
                SELECT t.relname, a.relname, b.relname, a.relpages::bigint * current_setting('block_size')::bigint
                  FROM pg_catalog.pg_index ia JOIN pg_catalog.pg_index ib
                    ON ia.indrelid = ib.indrelid AND ia.indexrelid <> ib.indexrelid
                  JOIN pg_catalog.pg_class a ON a.oid = ia.indexrelid
                  JOIN pg_catalog.pg_class b ON b.oid = ib.indexrelid
                  JOIN pg_catalog.pg_class t ON t.oid = ia.indrelid
                  JOIN pg_catalog.pg_namespace n ON n.oid = t.relnamespace
                 WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND NOT ia.indisunique
                   AND a.relam = b.relam
                   AND coalesce(pg_catalog.pg_get_expr(ia.indexprs, ia.indrelid), '') =
                       coalesce(pg_catalog.pg_get_expr(ib.indexprs, ib.indrelid), '')
                   AND coalesce(pg_catalog.pg_get_expr(ia.indpred, ia.indrelid), '') =
                       coalesce(pg_catalog.pg_get_expr(ib.indpred, ib.indrelid), '')
                   AND ia.indnatts <= ib.indnatts
                   AND (ib.indkey::int2[])[0:ia.indnkeyatts - 1] = (ia.indkey::int2[])[0:ia.indnkeyatts - 1]
                   AND (ia.indnatts < ib.indnatts OR ia.indexrelid > ib.indexrelid)
                 ORDER BY 1, 2""");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(new IndexIssue(
                        "duplicate",
                        rs.getString(1),
                        rs.getString(2),
                        rs.getLong(4),
                        "its columns lead " + rs.getString(3),
                        "DROP INDEX CONCURRENTLY " + rs.getString(2)));
            }
        }
        try (PreparedStatement ps = Sql.prepare(c, """
                SELECT t.relname, c.relname, c.relpages::bigint * current_setting('block_size')::bigint
                  FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid
                  JOIN pg_catalog.pg_class t ON t.oid = i.indrelid
                 WHERE NOT i.indisvalid""");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(new IndexIssue(
                        "invalid",
                        rs.getString(1),
                        rs.getString(2),
                        rs.getLong(3),
                        "a failed concurrent build: maintained on writes, never used",
                        "REINDEX INDEX CONCURRENTLY " + rs.getString(2)));
            }
        }
        return out;
    }

    /**
     * Notes when chrono-perf first saw each index, where the database has chrono-perf's schema (and
     * the session may write): PostgreSQL keeps no build time, and an index is judged unused only
     * after it was watched long enough. True when the record is there to read.
     */
    private static boolean firstSeen(Connection c) throws SQLException {
        try (PreparedStatement ps = Sql.prepare(c, "SELECT to_regclass('chrono_perf.index_first_seen') IS NOT NULL");
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            if (!rs.getBoolean(1)) {
                return false;
            }
        }
        if (c.getAutoCommit() && !c.isReadOnly()) {
            try (PreparedStatement ps = Sql.prepare(c, """
                    WITH gone AS (DELETE FROM chrono_perf.index_first_seen w
                                   WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_index i
                                                      WHERE i.indexrelid = w.index_oid))
                    INSERT INTO chrono_perf.index_first_seen (index_oid, index_name)
                    SELECT indexrelid, schemaname || '.' || indexrelname FROM pg_catalog.pg_stat_user_indexes
                    ON CONFLICT (index_oid) DO NOTHING""")) {
                ps.executeUpdate();
            } catch (SQLException readOnly) {
                // a read-only session or role: the record is read as it is
            }
        }
        return true;
    }

    /** Age of the oldest unfrozen transaction ID as a share of the 2^31 wraparound horizon. */
    private static double xidAge(Connection c) throws SQLException {
        try (PreparedStatement ps = Sql.prepare(
                        c, "SELECT age(datfrozenxid) FROM pg_catalog.pg_database WHERE datname = current_database()");
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            return 100.0 * rs.getLong(1) / 2_147_483_648.0;
        }
    }

    /** Sequences above 90% of their type's (or declared) maximum. */
    private static List<SequenceIssue> sequences(Connection c) throws SQLException {
        List<SequenceIssue> out = new ArrayList<>();
        try (PreparedStatement ps = Sql.prepare(c, """
                SELECT schemaname || '.' || sequencename, coalesce(last_value, 0), max_value
                  FROM pg_catalog.pg_sequences
                 WHERE last_value IS NOT NULL AND increment_by > 0 AND last_value::numeric > 0.9 * max_value""");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(new SequenceIssue(
                        rs.getString(1), rs.getLong(2), rs.getLong(3), 100.0 * rs.getLong(2) / rs.getLong(3)));
            }
        }
        return out;
    }

    private static long count(Connection c, String sql) throws SQLException {
        try (PreparedStatement ps = Sql.prepare(c, sql);
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
