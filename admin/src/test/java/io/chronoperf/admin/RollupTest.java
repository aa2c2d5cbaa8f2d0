package io.chronoperf.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.chronoperf.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The trigger-maintained rollups stay equal to a full recount through every kind of write. */
class RollupTest {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    private static final String USER_ROLLUP =
            "SELECT approval_status || '/' || is_active || '=' || users FROM user_status_counts WHERE users <> 0 ORDER "
                    + "BY 1";
    private static final String USER_RECOUNT =
            "SELECT approval_status || '/' || is_active || '=' || count(*) FROM users GROUP BY approval_status, "
                    + "is_active ORDER BY 1";
    private static final String AUDIT_ROLLUP =
            "SELECT bucket || category || severity || entries || '/' || failures || '/' || affected FROM "
                    + "audit_log_hourly WHERE entries <> 0 ORDER BY 1";
    private static final String AUDIT_RECOUNT =
            "SELECT date_trunc('hour', created_at, 'UTC') || category || severity || count(*) || '/' || count(*) "
                    + "FILTER (WHERE NOT success) || '/' || sum(affected_count) FROM audit_logs GROUP BY "
                    + "date_trunc('hour', created_at, 'UTC'), category, severity ORDER BY 1";

    @BeforeAll
    static void migrate() {
        AdminSchema.of(db.dataSource()).migrate();
    }

    @Test
    void user_status_counts_follow_inserts_updates_deletes_and_truncate() throws SQLException {
        execute("INSERT INTO users (email, full_name, approval_status, approved_at, is_active) "
                + "SELECT 'u' || i || '@example.com', 'User ' || i, (ARRAY['pending','approved','rejected'])[1 + i % "
                + "3], now(), i % 4 <> 0 "
                + "FROM generate_series(1, 300) i");
        assertThat(rows(USER_ROLLUP)).isEqualTo(rows(USER_RECOUNT)).isNotEmpty();

        execute("UPDATE users SET approval_status = 'approved', approved_at = now() WHERE approval_status = 'pending' "
                + "AND id % 2 = 0");
        execute("UPDATE users SET is_locked = true WHERE id < 50"); // no status change: no counter moves
        execute("UPDATE users SET is_active = NOT is_active WHERE id % 7 = 0");
        assertThat(rows(USER_ROLLUP)).isEqualTo(rows(USER_RECOUNT));

        execute("DELETE FROM users WHERE id % 5 = 0");
        assertThat(rows(USER_ROLLUP)).isEqualTo(rows(USER_RECOUNT));

        execute("TRUNCATE users CASCADE");
        assertThat(rows(USER_ROLLUP)).isEmpty();
    }

    @Test
    void audit_hourly_rollup_follows_inserts_and_deletes() throws SQLException {
        execute("INSERT INTO audit_logs (created_at, category, action, severity, success, affected_count) "
                + "SELECT now() - i * interval '7 minutes', (ARRAY['backup','content','user_management'])[1 + i % 3], "
                + "'x', "
                + "(ARRAY['info','high'])[1 + i % 2], i % 5 <> 0, 1 + i % 4 FROM generate_series(1, 500) i");
        execute("INSERT INTO audit_logs (category, action) VALUES ('backup', 'single')");
        assertThat(rows(AUDIT_ROLLUP)).isEqualTo(rows(AUDIT_RECOUNT)).isNotEmpty();

        execute("DELETE FROM audit_logs WHERE created_at < now() - interval '30 hours'");
        assertThat(rows(AUDIT_ROLLUP)).isEqualTo(rows(AUDIT_RECOUNT));

        execute("SELECT refresh_audit_log_hourly()");
        assertThat(rows(AUDIT_ROLLUP)).isEqualTo(rows(AUDIT_RECOUNT));
    }

    private static void execute(String sql) throws SQLException {
        try (Connection c = db.dataSource().getConnection();
                Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static List<String> rows(String sql) throws SQLException {
        try (Connection c = db.dataSource().getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            List<String> out = new ArrayList<>();
            while (rs.next()) {
                out.add(rs.getString(1));
            }
            return out;
        }
    }
}
