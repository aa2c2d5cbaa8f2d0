package io.chronoperf.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.chronoperf.testkit.MutableClock;
import io.chronoperf.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Regressions from real pg_stat_statements deltas, anomalies from the stored series, the z-score by hand. */
class TrendsTest {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    @BeforeAll
    static void schema() throws SQLException {
        MonitorSchema.migrate(db.dataSource());
        try (Connection c = db.dataSource().getConnection();
                Statement s = c.createStatement()) {
            s.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
        }
    }

    @Test
    void the_modified_z_score_matches_a_hand_computation() {
        // values 1..9: median 5, absolute deviations 4,3,2,1,0,1,2,3,4 -> MAD 2; z(20) = 0.6745 * 15 / 2
        double[] values = {1, 2, 3, 4, 5, 6, 7, 8, 9};
        assertThat(Trends.modifiedZ(20, values)).isCloseTo(5.05875, within(1e-9));
        // MAD 0 (most values equal): the mean absolute deviation stands in, 8/9 -> z(6) = 1 / (1.253314 * 8/9)
        double[] flatish = {5, 5, 5, 5, 5, 5, 5, 5, 13};
        assertThat(Trends.modifiedZ(6, flatish)).isCloseTo(1 / (1.253314 * 8 / 9.0), within(1e-9));
        assertThat(Trends.modifiedZ(6, new double[] {5, 5, 5})).isNull();
    }

    @Test
    void a_statement_that_became_five_times_slower_is_a_regression() throws SQLException {
        MutableClock clock = new MutableClock();
        History history = new History(clock);
        DatabaseCollector collector = new DatabaseCollector(DatabaseCollector.Options.DEFAULT);
        try (Connection c = db.dataSource().getConnection();
                PreparedStatement sleep = c.prepareStatement("SELECT pg_sleep(?) AS regression_marker")) {
            history.sample(c, c, collector);
            run(sleep, 0.002, 25);
            clock.advance(Duration.ofMinutes(10));
            history.sample(c, c, collector); // baseline: 25 calls of 2 ms
            clock.advance(Duration.ofHours(2));
            run(sleep, 0.010, 25);
            history.sample(c, c, collector); // recent: 25 calls of 10 ms

            List<Trends.Regression> found = new Trends(history, clock, Trends.Options.DEFAULT).regressions(c);

            assertThat(found).anySatisfy(r -> {
                assertThat(r.query()).contains("regression_marker");
                assertThat(r.recentCalls()).isEqualTo(25);
                assertThat(r.baselineCalls()).isEqualTo(25);
                assertThat(r.factor()).isGreaterThan(2.0);
            });
            assertThat(found).noneMatch(r -> r.query().contains("chrono-perf monitor"));
        }
    }

    @Test
    void a_burst_of_connections_in_the_latest_interval_is_an_anomaly_and_a_steady_series_is_not() throws SQLException {
        MutableClock clock = new MutableClock();
        Instant start = clock.instant().minus(Duration.ofMinutes(30));
        java.util.Random noise = new java.util.Random(42);
        try (Connection c = db.dataSource().getConnection();
                PreparedStatement ps = c.prepareStatement("""
                     INSERT INTO chrono_perf.database_samples (taken_at, commits, rollbacks, blocks_hit, blocks_read,
                         deadlocks,
                            temp_bytes, connections, active, idle_in_tx, max_connections, blocked, long_running)
                     VALUES (?, ?, 0, ?, ?, 0, 0, ?, 1, 0, 100, 0, 0)""")) {
            c.createStatement().execute("TRUNCATE chrono_perf.database_samples");
            long commits = 0;
            long hit = 0;
            long read = 0;
            for (int i = 0; i <= 20; i++) {
                commits += 1000 + (long) (noise.nextGaussian() * 30); // about 16.7 transactions per second, steady
                hit += 99_000 + (long) (noise.nextGaussian() * 300); // cache hit ratio about 99%, steady
                read += 1_000 + (long) (noise.nextGaussian() * 30);
                ps.setTimestamp(1, Timestamp.from(start.plusSeconds(60L * i)));
                ps.setLong(2, commits);
                ps.setLong(3, hit);
                ps.setLong(4, read);
                ps.setInt(5, i == 20 ? 60 : 10 + i % 3); // 10..12 connections, then 60
                ps.addBatch();
            }
            ps.executeBatch();

            List<Trends.Anomaly> anomalies =
                    new Trends(new History(clock), clock, Trends.Options.DEFAULT).anomalies(c, Duration.ofHours(1));

            assertThat(anomalies).singleElement().satisfies(a -> {
                assertThat(a.metric()).isEqualTo("connections");
                assertThat(a.value()).isEqualTo(60);
                assertThat(a.median()).isEqualTo(11);
                assertThat(a.zScore()).isGreaterThan(Trends.Z_THRESHOLD);
            });
        }
    }

    private static void run(PreparedStatement sleep, double seconds, int times) throws SQLException {
        for (int i = 0; i < times; i++) {
            sleep.setDouble(1, seconds);
            sleep.executeQuery().close();
        }
    }
}
