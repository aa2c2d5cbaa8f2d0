package io.chronoperf.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import io.chronoperf.testkit.MutableClock;
import io.chronoperf.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 18: the history tables are partitioned by day; an installation's rows move into the
 * partitions when it upgrades, and retention drops whole days instead of deleting their rows.
 */
class PartitionedHistoryTest {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    @Test
    void an_upgrade_keeps_the_rows_and_retention_drops_whole_days() throws SQLException {
        // the layout before: plain tables (monitor V1 to V3), with a sample three weeks old and one today
        try (Connection c = db.dataSource().getConnection();
                Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA IF NOT EXISTS chrono_perf");
        }
        Flyway.configure()
                .configuration(Map.of("flyway.postgresql.transactional.lock", "false"))
                .dataSource(db.dataSource())
                .schemas("chrono_perf")
                .defaultSchema("chrono_perf")
                .createSchemas(false)
                .table("monitor_schema_history")
                .locations("classpath:db/chrono-perf/monitor")
                .baselineOnMigrate(true)
                .baselineVersion("0")
                .target("3")
                .load()
                .migrate();
        MutableClock clock = new MutableClock();
        try (Connection c = db.dataSource().getConnection();
                Statement s = c.createStatement()) {
            for (String at : List.of("now() - interval '21 days'", "now()")) {
                s.execute("INSERT INTO chrono_perf.database_samples VALUES (" + at
                        + ", 1, 0, 10, 1, 0, 0, 5, 1, 0, 100, 0, 0)");
                s.execute("INSERT INTO chrono_perf.statement_samples VALUES (" + at + ", 42, 3, 1.5, 1.0, 3, 9, 1)");
            }
        }

        MonitorSchema.migrate(db.dataSource());

        try (Connection c = db.dataSource().getConnection()) {
            assertThat(partitions(c, "database_samples")).hasSize(3); // two days and the default
            assertThat(count(c, "chrono_perf.database_samples")).isEqualTo(2);
            assertThat(count(c, "chrono_perf.statement_samples")).isEqualTo(2);
            assertThat(count(c, "chrono_perf.database_samples_default")).isZero();

            History history = new History(clock);
            history.ensurePartitions(c, clock.instant());
            assertThat(partitions(c, "database_samples"))
                    .as("tomorrow made ahead")
                    .hasSize(4);

            long removed = history.cleanUp(c, Duration.ofDays(14));

            assertThat(removed).isEqualTo(2); // the old day of each table, by its partition
            assertThat(partitions(c, "database_samples"))
                    .as("the old day dropped, not deleted")
                    .hasSize(3)
                    .noneMatch(p -> p.equals(partitionOfDaysAgo(c, 21)));
            assertThat(count(c, "chrono_perf.database_samples")).isEqualTo(1);
        }
    }

    @RegisterExtension
    static final TestDatabase watchedA = new TestDatabase();

    @RegisterExtension
    static final TestDatabase watchedB = new TestDatabase();

    /**
     * One History samples every watched database into that database's own history: the days it
     * made partitions for are per database (at first they were per History, and the second
     * database's samples all went to its DEFAULT partition).
     */
    @Test
    void each_watched_database_gets_its_own_partitions_from_one_history() throws SQLException {
        MonitorSchema.migrate(watchedA.dataSource());
        MonitorSchema.migrate(watchedB.dataSource());
        MutableClock clock = new MutableClock();
        clock.advance(Duration.ofDays(40)); // a day no other test made
        History history = new History(clock);
        try (Connection a = watchedA.dataSource().getConnection();
                Connection b = watchedB.dataSource().getConnection()) {
            history.ensurePartitions(a, clock.instant());
            history.ensurePartitions(b, clock.instant());
            String day = clock.instant()
                    .atZone(java.time.ZoneOffset.UTC)
                    .toLocalDate()
                    .format(java.time.format.DateTimeFormatter.BASIC_ISO_DATE);
            assertThat(partitions(a, "statement_samples")).contains("statement_samples_p" + day);
            assertThat(partitions(b, "statement_samples")).contains("statement_samples_p" + day);
        }
    }

    private static String partitionOfDaysAgo(Connection c, int days) {
        try (Statement s = c.createStatement();
                ResultSet rs =
                        s.executeQuery("SELECT 'database_samples_p' || to_char((now() AT TIME ZONE 'UTC')::date - "
                                + days + ", 'YYYYMMDD')")) {
            rs.next();
            return rs.getString(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> partitions(Connection c, String table) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Statement s = c.createStatement();
                ResultSet rs =
                        s.executeQuery("SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
                                + " WHERE i.inhparent = 'chrono_perf." + table + "'::regclass ORDER BY 1")) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    private static long count(Connection c, String table) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
