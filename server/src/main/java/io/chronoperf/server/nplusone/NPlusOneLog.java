package io.chronoperf.server.nplusone;

import io.chronoperf.advisor.nplusone.Finding;
import io.chronoperf.runtime.OwnStatements;
import java.lang.management.ManagementFactory;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The N+1 findings of the server's own requests, shared by every process on the database: each
 * finding is queued in memory and written to {@code chrono_perf.nplusone_findings} by a writer
 * thread within {@link #FLUSH_EVERY} (never on the request's thread); reads flush this process's
 * queue first and then group every process's rows. When the database is away the queue keeps the
 * newest {@value #CAPACITY} findings and the writer tries again. Thread-safe.
 */
public final class NPlusOneLog implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(NPlusOneLog.class);
    static final int CAPACITY = 10_000;
    static final Duration FLUSH_EVERY = Duration.ofMillis(500);
    /** Rows older than this are deleted (the widest window read is 168 hours). */
    static final Duration KEEP = Duration.ofDays(8);

    private record Entry(Instant at, String endpoint, Finding finding) {}

    /** Findings of one kind, query and call site over a window. */
    public record Summary(
            String kind,
            String fingerprint,
            String sql,
            String site,
            long occurrences,
            int maxCount,
            double totalMs,
            List<String> endpoints,
            String suggestion,
            String sourceSql,
            Instant lastSeen) {}

    private final DataSource dataSource;
    private final Clock clock;
    private final String process;
    private final Deque<Entry> pending = new ArrayDeque<>();
    private final LongAdder units = new LongAdder();
    private final LongAdder statements = new LongAdder();
    private final ScheduledExecutorService writer;
    private Instant lastCleanUp = Instant.EPOCH;
    private long unitsWritten = -1;

    /** @param dataSource a database with chrono-perf's server tables (schema chrono_perf) */
    public NPlusOneLog(DataSource dataSource, Clock clock) {
        this.dataSource = dataSource;
        this.clock = clock;
        this.process = ManagementFactory.getRuntimeMXBean().getName() + "/" + Long.toHexString(System.nanoTime());
        this.writer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "n-plus-one-writer");
            t.setDaemon(true);
            return t;
        });
        writer.scheduleWithFixedDelay(
                this::flushQuietly, FLUSH_EVERY.toMillis(), FLUSH_EVERY.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Counts a checked unit, findings or not (so that "no findings" can be told from "not capturing"). */
    public void checked(int statementCount) {
        units.increment();
        statements.add(statementCount);
    }

    public void record(String endpoint, List<Finding> findings) {
        Instant now = clock.instant();
        synchronized (pending) {
            for (Finding f : findings) {
                if (pending.size() >= CAPACITY) {
                    pending.removeFirst();
                }
                pending.addLast(new Entry(now, endpoint, f));
            }
        }
    }

    /** Capture units and statements checked by every process that reported in a window. */
    public record Checks(long units, long statements) {}

    /** What every process that reported in the window has checked (so "no findings" is not "not capturing"). */
    public Checks checks(Duration window) throws SQLException {
        flushOnWriter();
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(OwnStatements.MARK + """
                        SELECT coalesce(sum(units), 0), coalesce(sum(statements), 0)
                          FROM chrono_perf.nplusone_checks WHERE updated_at >= ?""")) {
            ps.setTimestamp(1, Timestamp.from(clock.instant().minus(window)));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new Checks(rs.getLong(1), rs.getLong(2));
            }
        }
    }

    /** The findings of every process over the window, grouped, the most frequent first. */
    public List<Summary> summary(Duration window) throws SQLException {
        flushOnWriter();
        List<Summary> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(OwnStatements.MARK + """
                        SELECT kind, fingerprint, site, (array_agg(sql ORDER BY at DESC))[1], count(*),
                               max(count), sum(total_ms), array_agg(DISTINCT endpoint ORDER BY endpoint),
                               (array_agg(suggestion ORDER BY at DESC))[1],
                               (array_agg(source_sql ORDER BY at DESC))[1], max(at)
                          FROM chrono_perf.nplusone_findings
                         WHERE at > ?
                         GROUP BY kind, fingerprint, site
                         ORDER BY count(*) DESC, max(at) DESC""")) {
            ps.setTimestamp(1, Timestamp.from(clock.instant().minus(window)));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Array endpoints = rs.getArray(8);
                    out.add(new Summary(
                            rs.getString(1),
                            rs.getString(2),
                            rs.getString(4),
                            rs.getString(3),
                            rs.getLong(5),
                            rs.getInt(6),
                            rs.getDouble(7),
                            List.of((String[]) endpoints.getArray()),
                            rs.getString(9),
                            rs.getString(10),
                            rs.getTimestamp(11).toInstant()));
                }
            }
        }
        return out;
    }

    /**
     * Flushes on the writer's thread and waits: a request's own capture unit (thread-bound) never
     * sees the log's writes.
     */
    private void flushOnWriter() throws SQLException {
        try {
            writer.submit(() -> {
                        flush();
                        return null;
                    })
                    .get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof SQLException sql) {
                throw sql;
            }
            throw new IllegalStateException(e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            throw new SQLException("the N+1 findings could not be written within 10 s", "08006", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted while writing the N+1 findings", "57014", e);
        }
    }

    /** Writes this process's queued findings and its counts; on failure they stay queued. */
    void flush() throws SQLException {
        synchronized (writer) { // one flush at a time: the writer thread, and close() after it
            List<Entry> batch;
            synchronized (pending) {
                batch = new ArrayList<>(pending);
            }
            long unitsNow = units.sum();
            if (batch.isEmpty() && unitsNow == unitsWritten) {
                return; // nothing new: no connection taken
            }
            try (Connection c = dataSource.getConnection()) {
                boolean auto = c.getAutoCommit();
                c.setAutoCommit(false);
                try {
                    if (!batch.isEmpty()) {
                        insert(c, batch);
                    }
                    try (PreparedStatement ps = c.prepareStatement(OwnStatements.MARK + """
                            INSERT INTO chrono_perf.nplusone_checks (process, units, statements, updated_at)
                            VALUES (?, ?, ?, ?)
                            ON CONFLICT (process) DO UPDATE
                               SET units = excluded.units, statements = excluded.statements,
                                   updated_at = excluded.updated_at""")) {
                        ps.setString(1, process);
                        ps.setLong(2, unitsNow);
                        ps.setLong(3, statements.sum());
                        ps.setTimestamp(4, Timestamp.from(clock.instant()));
                        ps.executeUpdate();
                    }
                    cleanUp(c);
                    c.commit();
                    unitsWritten = unitsNow;
                } catch (SQLException | RuntimeException e) {
                    c.rollback();
                    throw e;
                } finally {
                    c.setAutoCommit(auto);
                }
            }
            synchronized (pending) {
                for (int i = 0; i < batch.size() && !pending.isEmpty(); i++) {
                    if (pending.peekFirst() == batch.get(i)) {
                        pending.removeFirst();
                    }
                }
            }
        }
    }

    private void insert(Connection c, List<Entry> batch) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(OwnStatements.MARK + """
                INSERT INTO chrono_perf.nplusone_findings (at, process, endpoint, kind, fingerprint, sql, site,
                                                           count, total_ms, suggestion, source_sql)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""")) {
            for (Entry e : batch) {
                Finding f = e.finding();
                ps.setTimestamp(1, Timestamp.from(e.at()));
                ps.setString(2, process);
                ps.setString(3, e.endpoint());
                ps.setString(4, f.kind());
                ps.setString(5, f.fingerprint());
                ps.setString(6, f.sql());
                ps.setString(7, f.site());
                ps.setInt(8, f.count());
                ps.setDouble(9, f.totalMs());
                ps.setString(10, f.suggestion());
                ps.setString(11, f.sourceSql());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    private void cleanUp(Connection c) throws SQLException {
        Instant now = clock.instant();
        if (Duration.between(lastCleanUp, now).compareTo(Duration.ofHours(1)) < 0) {
            return;
        }
        try (PreparedStatement ps =
                c.prepareStatement(OwnStatements.MARK + "DELETE FROM chrono_perf.nplusone_findings WHERE at < ?")) {
            ps.setTimestamp(1, Timestamp.from(now.minus(KEEP)));
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement(
                OwnStatements.MARK + "DELETE FROM chrono_perf.nplusone_checks WHERE updated_at < ?")) {
            ps.setTimestamp(1, Timestamp.from(now.minus(KEEP)));
            ps.executeUpdate();
        }
        lastCleanUp = now;
    }

    private void flushQuietly() {
        try {
            flush();
        } catch (SQLException | RuntimeException e) {
            log.debug("N+1 findings not written yet ({}); kept for the next try", e.getMessage());
        }
    }

    /** Stops the writer after a last flush. */
    @Override
    public void close() {
        writer.shutdown();
        flushQuietly();
    }
}
