package io.chronoperf.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import io.chronoperf.testkit.MutableClock;
import io.chronoperf.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The space page: sizes from the catalog, growth from the hourly sizes the samples store. */
class SpaceTest {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    @Test
    void sizes_are_stored_once_an_hour_and_growth_is_bytes_a_day() throws SQLException {
        MonitorSchema.migrate(db.dataSource());
        MutableClock clock = new MutableClock();
        History history = new History(clock);
        try (Connection c = db.dataSource().getConnection();
                Statement s = c.createStatement()) {
            s.execute("CREATE TABLE orders (id bigint PRIMARY KEY, note text)");
            s.execute("INSERT INTO orders SELECT g, repeat('x', 200) FROM generate_series(1, 2000) g");
            s.execute("ANALYZE orders"); // rows are the planner's estimate, as pgHero shows them
            history.sampleSizes(c, c);
            clock.advance(Duration.ofMinutes(30));
            history.sampleSizes(c, c); // within the hour: nothing
            assertThat(count(s, "SELECT count(DISTINCT taken_at) FROM chrono_perf.relation_sizes"))
                    .isEqualTo(1);
            clock.advance(Duration.ofMinutes(31));
            history.sampleSizes(c, c);
            assertThat(count(s, "SELECT count(DISTINCT taken_at) FROM chrono_perf.relation_sizes"))
                    .isEqualTo(2);

            // two stored sizes a day apart, 1 MB more: 1 MB a day
            s.execute("DELETE FROM chrono_perf.relation_sizes");
            s.execute("INSERT INTO chrono_perf.relation_sizes VALUES (now() - interval '1 day', 'public.orders', "
                    + "1000000),"
                    + " (now(), 'public.orders', 2048576)");
            Inspection.Space space = Inspection.space(c, 50);

            assertThat(space.databaseBytes()).isPositive();
            assertThat(space.tables())
                    .filteredOn(t -> t.name().equals("public.orders"))
                    .singleElement()
                    .satisfies(t -> {
                        assertThat(t.totalBytes()).isGreaterThan(400_000);
                        assertThat(t.rows()).isEqualTo(2000);
                        assertThat(t.growthBytesPerDay()).isEqualTo(1_048_576.0);
                    });
            assertThat(space.indexes())
                    .anyMatch(i -> i.name().equals("public.orders_pkey") && i.growthBytesPerDay() == null);
        }
    }

    private static long count(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
