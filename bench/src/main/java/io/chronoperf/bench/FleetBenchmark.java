package io.chronoperf.bench;

import io.chronoperf.monitor.DatabaseCollector;
import io.chronoperf.monitor.History;
import io.chronoperf.monitor.MonitorSchema;
import io.chronoperf.runtime.DatabaseEndpoint;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Issue 18: the monitor watching a fleet of small databases. The benchmark creates them (a few
 * tables and some statements each, names {@code cp_fleet_NNN}), then samples every database for
 * an hour of simulated time (a sample every interval, the clock moved by the benchmark, the
 * samples of one round spread over the databases in turn, one connection per database at a time)
 * into each database's own partitioned history, as the server's watched-sampling does. It reports
 * the sampling cost per database (p50, p95 of one sample), the history's growth per database and
 * hour (bytes after less bytes before, scaled to an hour) and per day (times 24), and the time to
 * read a 24-hour window of one database (after copying its simulated time 23 times back by an
 * hour each, so that with an hour simulated the window is full).
 */
public final class FleetBenchmark {
    public record Report(
            int databases,
            int rounds,
            double sampleP50Ms,
            double sampleP95Ms,
            double roundSeconds,
            long historyBytesPerDatabaseHour,
            long historyBytesPerDatabaseDay,
            double window24hSeriesMs,
            double window24hSlowQueriesMs,
            long rows24h) {}

    private FleetBenchmark() {}

    /** A clock the benchmark moves: an hour of samples takes minutes, not an hour. */
    private static final class SimulatedClock extends Clock {
        private volatile Instant now;

        SimulatedClock(Instant start) {
            this.now = start;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    public static Report run(
            DatabaseEndpoint server, int databases, Duration simulated, Duration interval, Consumer<String> progress)
            throws SQLException {
        List<DatabaseEndpoint> fleet = create(server, databases, progress);
        long bytesBefore = 0; // the empty history's own pages, not grown by sampling
        for (DatabaseEndpoint db : fleet) {
            try (Connection c = db.connect()) {
                bytesBefore += historyBytes(c);
            }
        }
        SimulatedClock clock = new SimulatedClock(Instant.now().minus(simulated));
        History history = new History(clock);
        DatabaseCollector collector = new DatabaseCollector(DatabaseCollector.Options.DEFAULT);
        int rounds = (int) (simulated.toMillis() / interval.toMillis());
        List<Long> sampleNanos = new ArrayList<>();
        long roundsNanos = 0;
        for (int r = 0; r < rounds; r++) {
            long roundStart = System.nanoTime();
            for (int i = 0; i < fleet.size(); i++) {
                // the round spread over the interval: database i samples at its own offset
                clock.now = clock.now.plusMillis(interval.toMillis() / fleet.size());
                try (Connection c = fleet.get(i).connect();
                        Statement s = c.createStatement()) {
                    // some of the application's own work between samples
                    s.execute("SELECT count(*) FROM items WHERE kind = " + (r % 7));
                    s.execute("UPDATE items SET qty = qty + 1 WHERE id = " + (1 + r % 500));
                    long t = System.nanoTime();
                    history.sample(c, c, collector);
                    sampleNanos.add(System.nanoTime() - t);
                }
            }
            roundsNanos += System.nanoTime() - roundStart;
            if ((r + 1) % Math.max(1, rounds / 10) == 0) {
                progress.accept(String.format(
                        Locale.ROOT,
                        "  %3d%% simulated (%d of %d rounds of %d databases)",
                        100 * (r + 1) / rounds,
                        r + 1,
                        rounds,
                        fleet.size()));
            }
        }
        long[] sorted = sampleNanos.stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(sorted);
        long bytesHour = 0;
        for (DatabaseEndpoint db : fleet) {
            try (Connection c = db.connect()) {
                bytesHour += historyBytes(c);
            }
        }
        // growth per database, scaled from the simulated time to an hour
        bytesHour = (long) ((bytesHour - bytesBefore) / (double) fleet.size() * 3_600_000 / simulated.toMillis());
        double seriesMs;
        double slowMs;
        long rows;
        try (Connection c = fleet.get(0).connect()) {
            fillDay(c, history, clock);
            rows = count(c, "chrono_perf.statement_samples") + count(c, "chrono_perf.database_samples");
            long t = System.nanoTime();
            history.series(c, Duration.ofHours(24));
            seriesMs = (System.nanoTime() - t) / 1e6;
            t = System.nanoTime();
            history.slowQueries(c, Duration.ofHours(24), 0, 20);
            slowMs = (System.nanoTime() - t) / 1e6;
        }
        return new Report(
                fleet.size(),
                rounds,
                sorted[sorted.length / 2] / 1e6,
                sorted[(int) (sorted.length * 0.95)] / 1e6,
                roundsNanos / 1e9 / rounds,
                bytesHour,
                bytesHour * 24,
                seriesMs,
                slowMs,
                rows);
    }

    /** Creates (or reuses) the databases, each with a small table and chrono-perf's history. */
    private static List<DatabaseEndpoint> create(DatabaseEndpoint server, int n, Consumer<String> progress)
            throws SQLException {
        List<DatabaseEndpoint> out = new ArrayList<>();
        try (Connection admin = server.connect();
                Statement s = admin.createStatement()) {
            for (int i = 1; i <= n; i++) {
                String name = String.format(Locale.ROOT, "cp_fleet_%03d", i); // generated, never input
                boolean exists;
                try (ResultSet rs = s.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + name + "'")) {
                    exists = rs.next();
                }
                if (exists) {
                    s.execute("DROP DATABASE " + name + " WITH (FORCE)");
                }
                s.execute("CREATE DATABASE " + name);
                DatabaseEndpoint db = server.withDatabase(name);
                try (Connection c = db.connect();
                        Statement t = c.createStatement()) {
                    t.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
                    t.execute("CREATE TABLE items (id int PRIMARY KEY, kind int NOT NULL, qty int NOT NULL)");
                    t.execute("INSERT INTO items SELECT g, g % 7, 0 FROM generate_series(1, 5000) g");
                    t.execute("ANALYZE items");
                }
                MonitorSchema.migrate(dataSource(db));
                out.add(db);
                if (i % 10 == 0) {
                    progress.accept("  " + i + " of " + n + " databases created");
                }
            }
        }
        return out;
    }

    /** Copies the simulated hour 23 times back in time, so that a 24-hour window is full. */
    private static void fillDay(Connection c, History history, SimulatedClock clock) throws SQLException {
        for (int h = 1; h < 24; h++) {
            history.ensurePartitions(c, clock.now.minus(Duration.ofHours(h + 1)));
        }
        try (Statement s = c.createStatement()) {
            for (String table : List.of("database_samples", "statement_samples")) {
                s.execute("CREATE TEMPORARY TABLE hour_" + table + " AS SELECT * FROM chrono_perf." + table);
                for (int h = 1; h < 24; h++) {
                    s.execute("UPDATE hour_" + table + " SET taken_at = taken_at - interval '1 hour'");
                    s.execute("INSERT INTO chrono_perf." + table + " SELECT * FROM hour_" + table);
                }
                s.execute("ANALYZE chrono_perf." + table);
            }
        }
    }

    private static long historyBytes(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c"
                        + " JOIN pg_namespace n ON n.oid = c.relnamespace"
                        + " WHERE n.nspname = 'chrono_perf' AND c.relkind = 'r'")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static long count(Connection c, String table) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** A DataSource of fresh connections to one endpoint, for Flyway. */
    private static javax.sql.DataSource dataSource(DatabaseEndpoint db) {
        org.postgresql.ds.PGSimpleDataSource ds = new org.postgresql.ds.PGSimpleDataSource();
        ds.setUrl(db.jdbcUrl());
        ds.setUser(db.user());
        if (db.password() != null) {
            ds.setPassword(db.password());
        }
        return ds;
    }
}
