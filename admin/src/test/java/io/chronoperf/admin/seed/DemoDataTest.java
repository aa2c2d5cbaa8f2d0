package io.chronoperf.admin.seed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chronoperf.admin.AdminSchema;
import io.chronoperf.admin.StrategicIndexes;
import io.chronoperf.runtime.ChronoPerfException;
import io.chronoperf.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DemoDataTest {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    static DemoData.Result first;

    @BeforeAll
    static void load() {
        AdminSchema.of(db.dataSource()).migrate();
        first = DemoData.load(db.dataSource(), Scale.SMALL, 42, false, SeedProgress.NONE);
    }

    @Test
    @Order(1)
    void loads_every_table_at_the_requested_scale_and_keeps_the_strategic_indexes() {
        assertThat(first.rowsByTable())
                .containsEntry("users", 2_000L)
                .containsEntry("audit_logs", 20_000L)
                .containsEntry("security_events", 10_000L)
                .containsEntry("projects", 400L);
        assertThat(first.rowsByTable().get("pages")).isBetween(1L, 4_000L);
        assertThat(first.rows())
                .isEqualTo(first.rowsByTable().values().stream()
                        .mapToLong(Long::longValue)
                        .sum());
        assertThat(StrategicIndexes.list(db.dataSource())).hasSize(46);
        assertThat(AdminSchema.of(db.dataSource()).invalidIndexes()).isEmpty();
    }

    @Test
    @Order(2)
    void distributions_look_like_an_admin_platform() throws SQLException {
        // The approval queue is mostly approved, with a pending tail.
        double approved = number("SELECT avg((approval_status = 'approved')::int) FROM users");
        double pending = number("SELECT avg((approval_status = 'pending')::int) FROM users");
        assertThat(approved).isBetween(0.80, 0.97);
        assertThat(pending).isBetween(0.01, 0.15);
        // Risk has a long tail: most users low, a few above 70.
        assertThat(number("SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY risk_score) FROM users"))
                .isLessThan(15);
        assertThat(number("SELECT count(*) FROM users WHERE risk_score >= 70")).isBetween(1.0, 100.0);
        // Admin activity is skewed: the busiest admin does far more than the median one.
        double top =
                number("SELECT max(n) FROM (SELECT count(*) n FROM audit_logs WHERE admin_user_id IS NOT NULL GROUP BY "
                        + "admin_user_id) t");
        double median = number(
                "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY n) FROM (SELECT count(*) n FROM audit_logs WHERE "
                        + "admin_user_id IS NOT NULL GROUP BY admin_user_id) t");
        assertThat(top).isGreaterThan(3 * median);
        // Security events come in bursts: the top IP has a large share of the events.
        double topIp = number("SELECT max(n) FROM (SELECT count(*) n FROM security_events GROUP BY ip_address) t");
        assertThat(topIp).isGreaterThan(100);
        // Audit logs are denser towards the present and in physical time order.
        double lastMonth = number("SELECT count(*) FROM audit_logs WHERE created_at > now() - interval '30 days'");
        double firstMonth = number("SELECT count(*) FROM audit_logs WHERE created_at < now() - interval '335 days'");
        assertThat(lastMonth).isGreaterThan(3 * firstMonth);
        assertThat(number("SELECT count(*) FROM (SELECT created_at < lag(created_at) OVER (ORDER BY id) AS back "
                        + "FROM audit_logs) t WHERE back"))
                .isZero();
        // JSONB details have varied keys.
        assertThat(number("SELECT count(DISTINCT k) FROM audit_logs, jsonb_object_keys(details) k"))
                .isGreaterThanOrEqualTo(10);
        // Events in the last 24 h exist for the 'recent' queries.
        assertThat(number("SELECT count(*) FROM security_events WHERE created_at > now() - interval '24 hours'"))
                .isPositive();
    }

    @Test
    @Order(3)
    void refuses_to_overwrite_existing_data_without_replace() throws SQLException {
        double before = number("SELECT count(*) FROM users");
        assertThatThrownBy(() -> DemoData.load(db.dataSource(), Scale.SMALL, 7, false, SeedProgress.NONE))
                .isInstanceOf(ChronoPerfException.class)
                .hasMessageContaining("--replace");
        assertThat(number("SELECT count(*) FROM users")).isEqualTo(before);
    }

    @Test
    @Order(4)
    void the_same_seed_gives_the_same_rows() throws SQLException {
        String fingerprint =
                "SELECT md5(string_agg(email || approval_status || risk_score, ',' ORDER BY id)) FROM users";
        String auditFingerprint =
                "SELECT md5(string_agg(category || action || coalesce(admin_user_id, 0) || details::text, ',' ORDER BY "
                        + "id)) FROM audit_logs";
        String users = text(fingerprint);
        String audit = text(auditFingerprint);

        DemoData.load(db.dataSource(), Scale.SMALL, 42, true, SeedProgress.NONE);
        assertThat(text(fingerprint)).isEqualTo(users);
        assertThat(text(auditFingerprint)).isEqualTo(audit);

        DemoData.load(db.dataSource(), Scale.SMALL, 43, true, SeedProgress.NONE);
        assertThat(text(fingerprint)).isNotEqualTo(users);
    }

    @Test
    @Order(5)
    void identity_columns_continue_after_the_generated_ids() throws SQLException {
        try (Connection c = db.dataSource().getConnection();
                Statement s = c.createStatement()) {
            s.execute("INSERT INTO users (email, full_name) VALUES ('new.user@example.com', 'New User')");
        }
        assertThat(number("SELECT id FROM users WHERE email = 'new.user@example.com'"))
                .isEqualTo(2_001);
    }

    private static double number(String sql) throws SQLException {
        try (Connection c = db.dataSource().getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getDouble(1);
        }
    }

    private static String text(String sql) throws SQLException {
        try (Connection c = db.dataSource().getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
