package io.chronoperf.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.chronoperf.admin.AdminSchema;
import io.chronoperf.advisor.AdvisorSchema;
import io.chronoperf.monitor.MonitorSchema;
import io.chronoperf.runtime.StateSchema;
import io.chronoperf.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An installation of the earlier layout (chrono-perf's tables in schema perf and public.shedlock,
 * made by the admin platform's migrations V4 to V7, kept here as test resources) upgrades to the
 * own schema chrono_perf with its rows kept, and the admin platform's migrations still validate.
 */
class StateUpgradeTest {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    @Test
    void an_installation_of_the_earlier_layout_upgrades_with_its_history_kept() throws SQLException {
        AdminSchema.of(db.dataSource())
                .withLocations("classpath:db/earlier-layout")
                .migrate();
        try (Connection c = db.dataSource().getConnection();
                Statement s = c.createStatement()) {
            s.execute("INSERT INTO perf.database_samples VALUES (now(), 1, 0, 10, 1, 0, 0, 5, 1, 0, 100, 0, 0)");
            s.execute("INSERT INTO perf.statements (queryid, query) VALUES (42, 'SELECT 1')");
            s.execute("INSERT INTO perf.statement_samples VALUES (now(), 42, 3, 1.5, 1.0, 3, 9, 0)");
            s.execute("INSERT INTO perf.alerts (rule, metric, severity, value, peak, threshold, message, started_at, "
                    + "last_seen_at)"
                    + " VALUES ('r', 'm', 'warning', 1, 1, 1, 'x', now(), now())");
            s.execute("INSERT INTO perf.index_applications (ddl, outcome) VALUES ('{CREATE INDEX x ON y (z)}', '{}')");
            s.execute("INSERT INTO perf.findings (taken_at, kind, payload) VALUES (now(), 'optimize', '{}')");
            s.execute("INSERT INTO perf.cache_samples VALUES (now(), 'users', 5, 1)");
            s.execute("INSERT INTO shedlock VALUES ('monitor-sampling', now(), now(), 'host')");
        }

        AdminSchema.Report admin = AdminSchema.of(db.dataSource()).migrate(); // V4-V7 no longer here: accepted
        MonitorSchema.migrate(db.dataSource());
        AdvisorSchema.migrate(db.dataSource());
        StateSchema.migrate(db.dataSource(), "server");

        assertThat(admin.migrationsApplied()).isZero();
        for (String table : new String[] {
            "database_samples",
            "statements",
            "statement_samples",
            "alerts",
            "index_applications",
            "findings",
            "cache_samples",
            "shedlock"
        }) {
            assertThat(count("chrono_perf." + table)).as(table).isEqualTo(1);
        }
        assertThat(exists("SELECT 1 FROM pg_namespace WHERE nspname = 'perf'")).isFalse();
        assertThat(exists(
                        "SELECT 1 FROM pg_class WHERE relname = 'shedlock' AND relnamespace = 'public'::regnamespace"))
                .isFalse();

        // and again: nothing left to do, nothing lost
        assertThat(MonitorSchema.migrate(db.dataSource()).migrationsApplied()).isZero();
        assertThat(count("chrono_perf.alerts")).isEqualTo(1);
    }

    private static long count(String table) throws SQLException {
        try (Connection c = db.dataSource().getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static boolean exists(String sql) throws SQLException {
        try (Connection c = db.dataSource().getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            return rs.next();
        }
    }
}
