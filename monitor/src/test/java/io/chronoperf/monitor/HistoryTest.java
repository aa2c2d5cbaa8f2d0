package io.chronoperf.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import io.chronoperf.testkit.MutableClock;
import io.chronoperf.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Samples in the perf schema: slow statements from pg_stat_statements deltas, and retention. */
class HistoryTest {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    static final MutableClock clock = new MutableClock();

    @BeforeAll
    static void schema() throws SQLException {
        MonitorSchema.migrate(db.dataSource());
        try (Connection c = db.dataSource().getConnection();
                Statement s = c.createStatement()) {
            s.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements"); // preloaded by .ci/run and the embedded
            // server
        }
    }

    @Test
    void slow_statements_appear_from_the_deltas_between_two_samples_and_retention_removes_old_ones()
            throws SQLException {
        History history = new History(clock);
        DatabaseCollector collector = new DatabaseCollector(DatabaseCollector.Options.DEFAULT);
        try (Connection c = db.dataSource().getConnection();
                Statement s = c.createStatement()) {
            history.sample(c, c, collector);
            for (int i = 0; i < 4; i++) {
                s.execute("SELECT pg_sleep(0.02), 'slow-marker'");
            }
            s.execute("SELECT 1 AS fast_marker");
            clock.advance(Duration.ofMinutes(1));
            assertThat(history.sample(c, c, collector)).isPositive();

            List<History.SlowQuery> slow = history.slowQueries(c, Duration.ofHours(1), 10, 50);

            assertThat(slow).anySatisfy(q -> {
                assertThat(q.query()).contains("pg_sleep");
                assertThat(q.calls()).isEqualTo(4);
                assertThat(q.meanMs()).isGreaterThanOrEqualTo(20);
                assertThat(q.shareOfTotalPct()).isPositive();
            });
            assertThat(slow).noneMatch(q -> q.query().contains("fast_marker"));

            clock.advance(Duration.ofDays(15));
            assertThat(history.cleanUp(c, Duration.ofDays(14))).isPositive();
            try (ResultSet rs =
                    s.executeQuery("SELECT (SELECT count(*) FROM chrono_perf.database_samples) + (SELECT count(*) FROM "
                            + "chrono_perf.statement_samples)")) {
                rs.next();
                assertThat(rs.getLong(1)).isZero();
            }
        }
    }
}
