package io.chronoperf.monitor;

import io.chronoperf.monitor.internal.Sql;
import io.chronoperf.runtime.OwnStatements;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

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
        return sample(monitored, store, collector.collect(monitored));
    }

    /** Stores a snapshot already taken of {@code monitored} and its statements' counters. */
    public int sample(Connection monitored, Connection store, DatabaseCollector.Snapshot s) throws SQLException {
        Timestamp now = Timestamp.from(clock.instant());
        ensurePartitions(store, clock.instant());
        try (PreparedStatement ps = Sql.prepare(store, """
                INSERT INTO chrono_perf.database_samples (taken_at, commits, rollbacks, blocks_hit, blocks_read,
                    deadlocks,
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
        sampleSizes(monitored, store);
        if (!StatementSummary.of(monitored).available()) {
            return 0;
        }
        int n = 0;
        try (PreparedStatement read = Sql.prepare(monitored, """
                SELECT s.queryid, s.query, s.calls, s.total_exec_time, s.max_exec_time, s.rows, s.shared_blks_hit,
                       s.shared_blks_read
                  FROM pg_stat_statements s JOIN pg_catalog.pg_database d ON d.oid = s.dbid
                 WHERE d.datname = current_database() AND s.queryid IS NOT NULL
                   AND """ + OwnStatements.NOT_OWN_SQL);
                PreparedStatement text = Sql.prepare(
                        store,
                        "INSERT INTO chrono_perf.statements (queryid, query) VALUES (?, ?) ON CONFLICT (queryid) DO "
                                + "NOTHING");
                PreparedStatement sample = Sql.prepare(store, """
                     INSERT INTO chrono_perf.statement_samples (taken_at, queryid, calls, total_ms, max_ms, rows,
                         shared_hit, shared_read)
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
    public record SlowQuery(
            long queryid,
            String query,
            long calls,
            double totalMs,
            double meanMs,
            double maxMs,
            long rows,
            Double cacheHitRatioPct,
            double shareOfTotalPct) {
        /** The query id as text: JSON readers that hold numbers as doubles (JavaScript) lose 64-bit ids. */
        public String getQueryidText() {
            return Long.toString(queryid);
        }
    }

    /** What one statement did between two instants: the sums of the deltas between its samples. */
    public record StatementDelta(
            long queryid,
            String query,
            long calls,
            double totalMs,
            double maxMs,
            long rows,
            long sharedHit,
            long sharedRead) {
        public double meanMs() {
            return calls == 0 ? 0 : totalMs / calls;
        }

        public Double cacheHitRatioPct() {
            return sharedHit + sharedRead == 0 ? null : 100.0 * sharedHit / (sharedHit + sharedRead);
        }
    }

    /**
     * Statements whose mean time in the window is at least {@code slowMs}, by total time: the
     * deltas between consecutive samples (negative deltas, from a statistics reset, are dropped).
     */
    public List<SlowQuery> slowQueries(Connection store, Duration window, double slowMs, int limit)
            throws SQLException {
        Instant now = clock.instant();
        List<StatementDelta> all = statementDeltas(store, now.minus(window), now);
        double total = all.stream().mapToDouble(StatementDelta::totalMs).sum();
        return all.stream()
                .filter(d -> d.meanMs() >= slowMs)
                .limit(limit)
                .map(d -> new SlowQuery(
                        d.queryid(),
                        d.query(),
                        d.calls(),
                        d.totalMs(),
                        d.meanMs(),
                        d.maxMs(),
                        d.rows(),
                        d.cacheHitRatioPct(),
                        total == 0 ? 0 : 100.0 * d.totalMs() / total))
                .toList();
    }

    /** Mean statement time over all statements in the window (null without calls). */
    public Double meanStatementMs(Connection store, Duration window) throws SQLException {
        Instant now = clock.instant();
        List<StatementDelta> all = statementDeltas(store, now.minus(window), now);
        long calls = all.stream().mapToLong(StatementDelta::calls).sum();
        return calls == 0
                ? null
                : all.stream().mapToDouble(StatementDelta::totalMs).sum() / calls;
    }

    /**
     * Per statement, the sums of the deltas between consecutive samples taken in (from, to], by
     * total time. A statement absent from the previous sample but sampled after the first one
     * started from zero; before the first sample nothing is known; negative deltas are dropped.
     */
    public List<StatementDelta> statementDeltas(Connection store, Instant from, Instant to) throws SQLException {
        List<StatementDelta> out = new ArrayList<>();
        try (PreparedStatement ps = Sql.prepare(store, """
                WITH first AS (SELECT min(taken_at) AS t FROM chrono_perf.database_samples),
                d AS (
                    SELECT queryid, taken_at, max_ms,
                           calls - coalesce(lag(calls) OVER w, CASE WHEN taken_at > (SELECT t FROM first) THEN 0 END)
                               AS calls,
                           total_ms - coalesce(lag(total_ms) OVER w, CASE WHEN taken_at > (SELECT t FROM first) THEN 0
                               END) AS total_ms,
                           rows - coalesce(lag(rows) OVER w, CASE WHEN taken_at > (SELECT t FROM first) THEN 0 END) AS
                               rows,
                           shared_hit - coalesce(lag(shared_hit) OVER w, CASE WHEN taken_at > (SELECT t FROM first)
                               THEN 0 END) AS hit,
                           shared_read - coalesce(lag(shared_read) OVER w, CASE WHEN taken_at > (SELECT t FROM first)
                               THEN 0 END) AS read
                      FROM chrono_perf.statement_samples
                     WHERE taken_at >= ?::timestamptz - interval '1 day' AND taken_at <= ?
                         -- one sample before gives the first delta
                    WINDOW w AS (PARTITION BY queryid ORDER BY taken_at))
                SELECT d.queryid, s.query, sum(d.calls), sum(d.total_ms), max(d.max_ms), sum(d.rows), sum(d.hit),
                    sum(d.read)
                  FROM d JOIN chrono_perf.statements s USING (queryid)
                 WHERE d.taken_at > ? AND d.calls > 0 AND d.total_ms >= 0
                 GROUP BY d.queryid, s.query
                 ORDER BY 4 DESC""")) {
            ps.setTimestamp(1, Timestamp.from(from));
            ps.setTimestamp(2, Timestamp.from(to));
            ps.setTimestamp(3, Timestamp.from(from));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (OwnStatements.isOwn(rs.getString(2))) {
                        continue; // sampled before chrono-perf recognised all of its own statements
                    }
                    out.add(new StatementDelta(
                            rs.getLong(1),
                            rs.getString(2),
                            rs.getLong(3),
                            rs.getDouble(4),
                            rs.getDouble(5),
                            rs.getLong(6),
                            rs.getLong(7),
                            rs.getLong(8)));
                }
            }
        }
        return out;
    }

    /** One interval between two database samples: rates and ratios over it, levels at its end. */
    public record Point(
            Instant takenAt,
            double seconds,
            double transactionsPerSecond,
            Double cacheHitRatioPct,
            long deadlocks,
            int connections,
            int active,
            int idleInTransaction,
            int maxConnections,
            int blocked,
            int longRunning) {}

    /** The intervals between the database samples of the window, oldest first (resets dropped). */
    public List<Point> series(Connection store, Duration window) throws SQLException {
        List<Point> out = new ArrayList<>();
        try (PreparedStatement ps = Sql.prepare(store, """
                SELECT taken_at, seconds, (commits + rollbacks) / nullif(seconds, 0),
                       CASE WHEN hit + read > 0 THEN 100.0 * hit / (hit + read) END, deadlocks,
                       connections, active, idle_in_tx, max_connections, blocked, long_running
                  FROM (SELECT taken_at, extract(epoch FROM taken_at - lag(taken_at) OVER w) AS seconds,
                               commits - lag(commits) OVER w AS commits, rollbacks - lag(rollbacks) OVER w AS rollbacks,
                               blocks_hit - lag(blocks_hit) OVER w AS hit, blocks_read - lag(blocks_read) OVER w AS
                                   read,
                               deadlocks - lag(deadlocks) OVER w AS deadlocks,
                               connections, active, idle_in_tx, max_connections, blocked, long_running
                          FROM chrono_perf.database_samples
                         WHERE taken_at >= ?::timestamptz - interval '1 hour'
                        WINDOW w AS (ORDER BY taken_at)) x
                 WHERE taken_at >= ? AND seconds > 0 AND commits >= 0 AND hit >= 0 AND read >= 0 AND deadlocks >= 0
                 ORDER BY taken_at""")) {
            Timestamp since = Timestamp.from(clock.instant().minus(window));
            ps.setTimestamp(1, since);
            ps.setTimestamp(2, since);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Object hit = rs.getObject(4);
                    out.add(new Point(
                            rs.getTimestamp(1).toInstant(),
                            rs.getDouble(2),
                            rs.getDouble(3),
                            hit == null ? null : ((Number) hit).doubleValue(),
                            rs.getLong(5),
                            rs.getInt(6),
                            rs.getInt(7),
                            rs.getInt(8),
                            rs.getInt(9),
                            rs.getInt(10),
                            rs.getInt(11)));
                }
            }
        }
        return out;
    }

    /**
     * Per interval between statement samples in the window, the 95th percentile of statement time:
     * each statement's mean over the interval, weighted by its calls in it (the time under which
     * 95% of the interval's calls ran, at the resolution of statement means).
     */
    public java.util.SortedMap<Instant, Double> statementP95(Connection store, Duration window) throws SQLException {
        java.util.SortedMap<Instant, List<double[]>> byInterval = new java.util.TreeMap<>();
        try (PreparedStatement ps = Sql.prepare(store, """
                SELECT taken_at, total_ms / calls, calls
                  FROM (SELECT taken_at, calls - lag(calls) OVER w AS calls, total_ms - lag(total_ms) OVER w AS total_ms
                          FROM chrono_perf.statement_samples
                         WHERE taken_at >= ?::timestamptz - interval '1 hour'
                        WINDOW w AS (PARTITION BY queryid ORDER BY taken_at)) d
                 WHERE taken_at >= ? AND calls > 0 AND total_ms >= 0""")) {
            Timestamp since = Timestamp.from(clock.instant().minus(window));
            ps.setTimestamp(1, since);
            ps.setTimestamp(2, since);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    byInterval
                            .computeIfAbsent(rs.getTimestamp(1).toInstant(), k -> new ArrayList<>())
                            .add(new double[] {rs.getDouble(2), rs.getLong(3)});
                }
            }
        }
        java.util.SortedMap<Instant, Double> out = new java.util.TreeMap<>();
        byInterval.forEach((at, rows) -> {
            rows.sort((a, b) -> Double.compare(a[0], b[0]));
            double total = rows.stream().mapToDouble(r -> r[1]).sum();
            double seen = 0;
            for (double[] r : rows) {
                seen += r[1];
                if (seen >= 0.95 * total) {
                    out.put(at, Math.round(r[0] * 1000) / 1000.0);
                    break;
                }
            }
        });
        return out;
    }

    /**
     * The sizes of the 100 largest tables and indexes, at most once an hour (the space page's
     * growth); the store says when the last ones were taken, so that instances share the rhythm.
     */
    void sampleSizes(Connection monitored, Connection store) throws SQLException {
        try (PreparedStatement last = Sql.prepare(
                store, "SELECT max(taken_at) > ?::timestamptz - interval '1 hour' FROM chrono_perf.relation_sizes")) {
            last.setTimestamp(1, Timestamp.from(clock.instant()));
            try (ResultSet rs = last.executeQuery()) {
                rs.next();
                if (rs.getBoolean(1)) {
                    return;
                }
            }
        }
        List<Object[]> sizes = new ArrayList<>();
        try (PreparedStatement read = Sql.prepare(monitored, """
                SELECT n.nspname || '.' || c.relname, pg_total_relation_size(c.oid)
                  FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                 WHERE c.relkind IN ('r', 'm', 'p', 'i') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
                   AND n.nspname NOT LIKE 'pg_toast%'
                 ORDER BY 2 DESC LIMIT 100""");
                ResultSet rs = read.executeQuery()) {
            while (rs.next()) {
                sizes.add(new Object[] {rs.getString(1), rs.getLong(2)});
            }
        }
        try (PreparedStatement write = Sql.prepare(
                store, "INSERT INTO chrono_perf.relation_sizes (taken_at, relation, bytes) VALUES (?, ?, ?)")) {
            Timestamp now = Timestamp.from(clock.instant());
            for (Object[] r : sizes) {
                write.setTimestamp(1, now);
                write.setString(2, (String) r[0]);
                write.setLong(3, (Long) r[1]);
                write.addBatch();
            }
            write.executeBatch();
        }
    }

    /** The history tables, partitioned by day (UTC) on taken_at. */
    static final List<String> PARTITIONED = List.of("database_samples", "statement_samples", "relation_sizes");

    /**
     * Days whose partitions this instance made sure of, per store (one History samples every watched
     * database, each with a history of its own): one catalog round trip per store, table and day.
     */
    private final Set<String> ensured = ConcurrentHashMap.newKeySet();

    /**
     * Makes sure the day of {@code at} and the next have their partitions in every history table.
     * A day whose rows already went to the DEFAULT partition keeps them there (PostgreSQL refuses the
     * partition then); retention deletes them by row.
     */
    public void ensurePartitions(Connection store, Instant at) throws SQLException {
        LocalDate day = at.atZone(ZoneOffset.UTC).toLocalDate();
        String storeUrl = store.getMetaData().getURL();
        for (LocalDate d : List.of(day, day.plusDays(1))) {
            if (ensured.contains(storeUrl + " " + d)) {
                continue;
            }
            boolean all = true;
            for (String table : PARTITIONED) {
                String sql = "CREATE TABLE IF NOT EXISTS chrono_perf." + partition(table, d) // names from constants
                        + " PARTITION OF chrono_perf." + table + " FOR VALUES FROM ('" + d + " 00:00:00+00') TO ('"
                        + d.plusDays(1) + " 00:00:00+00')";
                boolean auto = store.getAutoCommit();
                Savepoint sp = auto ? null : store.setSavepoint();
                try (Statement st = store.createStatement()) {
                    st.execute(OwnStatements.MARK + sql);
                } catch (SQLException e) {
                    all = false; // rows of that day in the default partition, or a concurrent creator
                    if (sp != null) {
                        store.rollback(sp);
                    }
                }
            }
            if (all) {
                ensured.add(storeUrl + " " + d);
            }
        }
    }

    private static String partition(String table, LocalDate day) {
        return table + "_p" + day.format(DateTimeFormatter.BASIC_ISO_DATE);
    }

    /**
     * Deletes samples older than the retention: whole days by dropping their partitions (no DELETE,
     * no WAL for the rows, nothing to vacuum), the rest (the boundary day, the default partition) by
     * row; returns the rows removed.
     */
    public long cleanUp(Connection store, Duration retention) throws SQLException {
        Instant cutoffAt = clock.instant().minus(retention);
        Timestamp cutoff = Timestamp.from(cutoffAt);
        LocalDate firstKept = cutoffAt.atZone(ZoneOffset.UTC).toLocalDate();
        long removed = 0;
        for (String table : PARTITIONED) {
            List<String> old = new ArrayList<>();
            try (PreparedStatement ps = Sql.prepare(store, """
                    SELECT c.relname FROM pg_catalog.pg_inherits i
                      JOIN pg_catalog.pg_class c ON c.oid = i.inhrelid
                     WHERE i.inhparent = to_regclass(?) AND c.relname ~ '_p[0-9]{8}$'
                     ORDER BY c.relname""")) {
                ps.setString(1, "chrono_perf." + table);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        String name = rs.getString(1);
                        LocalDate day =
                                LocalDate.parse(name.substring(name.length() - 8), DateTimeFormatter.BASIC_ISO_DATE);
                        if (day.isBefore(firstKept)) { // the whole day is older than the cutoff
                            old.add(name);
                        }
                    }
                }
            }
            for (String name : old) {
                try (Statement st = store.createStatement()) {
                    try (ResultSet rs =
                            st.executeQuery(OwnStatements.MARK + "SELECT count(*) FROM chrono_perf." + name)) {
                        rs.next();
                        removed += rs.getLong(1);
                    }
                    st.execute(OwnStatements.MARK + "DROP TABLE chrono_perf." + name);
                }
            }
            try (PreparedStatement ps =
                    Sql.prepare(store, "DELETE FROM chrono_perf." + table + " WHERE taken_at < ?")) {
                ps.setTimestamp(1, cutoff);
                removed += ps.executeUpdate();
            }
        }
        try (PreparedStatement ps = Sql.prepare(
                store,
                "DELETE FROM chrono_perf.statements s WHERE NOT EXISTS (SELECT 1 FROM chrono_perf.statement_samples x "
                        + "WHERE x.queryid = s.queryid)")) {
            removed += ps.executeUpdate();
        }
        return removed;
    }
}
