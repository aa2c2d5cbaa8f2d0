package io.chronoperf.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.chronoperf.server.ServerFixture.Response;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

class AdminApiTest {
    @RegisterExtension
    static final ServerFixture server = new ServerFixture();

    @Test
    void request_without_token_is_refused_with_a_problem_that_says_how_to_get_one() {
        Response r = server.get("/api/v1/admin/users/dashboard", null);

        assertThat(r.status()).isEqualTo(401);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(r.json().get("detail").asString()).contains("chrono-perf token");
    }

    @Test
    void token_signed_with_another_secret_is_refused() {
        String forged = new io.chronoperf.server.security.TokenIssuer(
                        "another-secret-another-secret-another-secret!!".getBytes(), java.time.Clock.systemUTC())
                .issue("admin", java.time.Duration.ofMinutes(5), "mallory", 1);

        assertThat(server.get("/api/v1/admin/users/dashboard", forged).status()).isEqualTo(401);
    }

    @Test
    void dashboard_counts_add_up_to_the_users_table() throws SQLException {
        Response r = server.get("/api/v1/admin/users/dashboard", server.token("viewer"));

        assertThat(r.status()).isEqualTo(200);
        JsonNode d = r.json();
        assertThat(d.get("total").asLong()).isEqualTo(count("SELECT count(*) FROM users"));
        assertThat(d.get("active").asLong() + d.get("inactive").asLong())
                .isEqualTo(d.get("total").asLong());
        assertThat(d.get("pending_approval").asLong())
                .isEqualTo(count("SELECT count(*) FROM users WHERE approval_status = 'pending'"));
        assertThat(d.get("by_approval_status").get("approved").asLong()).isPositive();
    }

    @Test
    void viewer_may_read_but_not_write() throws SQLException {
        long pending = count("SELECT min(id) FROM users WHERE approval_status = 'pending'");
        Response r = server.post("/api/v1/admin/users/" + pending + "/approve", null, server.token("viewer"));

        assertThat(r.status()).isEqualTo(403);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(count("SELECT count(*) FROM users WHERE id = " + pending + " AND approval_status = 'pending'"))
                .isEqualTo(1);
    }

    @Test
    void admin_approves_a_pending_user_once_and_the_decision_is_audited() throws SQLException {
        long pending = count("SELECT max(id) FROM users WHERE approval_status = 'pending'");
        long auditBefore =
                count("SELECT count(*) FROM audit_logs WHERE action = 'approve_user' AND user_id = " + pending);

        Response approved = server.post("/api/v1/admin/users/" + pending + "/approve", null, server.token("admin"));
        Response again = server.post("/api/v1/admin/users/" + pending + "/approve", null, server.token("admin"));

        assertThat(approved.status()).isEqualTo(200);
        assertThat(approved.json().get("approval_status").asString()).isEqualTo("approved");
        assertThat(approved.json().get("approved_by").asLong()).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM audit_logs WHERE action = 'approve_user' AND user_id = " + pending))
                .isEqualTo(auditBefore + 1);
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.json().get("detail").asString()).contains("already approved");
    }

    @Test
    void lock_and_unlock_round_trip() throws SQLException {
        long user = count("SELECT min(id) FROM users WHERE NOT is_locked AND role = 'user'");
        Response locked = server.post(
                "/api/v1/admin/users/" + user + "/lock", "{\"reason\": \"fraud report\"}", server.token("admin"));
        Response unlocked = server.post("/api/v1/admin/users/" + user + "/unlock", null, server.token("admin"));

        assertThat(locked.status()).isEqualTo(200);
        assertThat(locked.json().get("is_locked").asBoolean()).isTrue();
        assertThat(locked.json().get("locked_reason").asString()).isEqualTo("fraud report");
        assertThat(unlocked.json().get("is_locked").asBoolean()).isFalse();
    }

    @Test
    void bad_parameters_get_a_400_that_names_the_parameter() {
        String token = server.token("viewer");
        assertBadParameter(server.get("/api/v1/admin/users?limit=0", token), "limit");
        assertBadParameter(server.get("/api/v1/admin/users?limit=abc", token), "limit");
        assertBadParameter(server.get("/api/v1/admin/users?approval_status=maybe", token), "approval_status");
        assertBadParameter(server.get("/api/v1/admin/users?cursor=not-a-cursor", token), "cursor");
        assertBadParameter(server.get("/api/v1/admin/users?q=ab", token), "q");
        assertBadParameter(server.get("/api/v1/admin/users?q=" + "x".repeat(201), token), "q");
        assertBadParameter(server.get("/api/v1/admin/audit-logs?category=nope", token), "category");
        assertBadParameter(server.get("/api/v1/admin/audit-logs?from=yesterday", token), "from");
        assertBadParameter(server.get("/api/v1/admin/audit-logs?from=2020-01-01T00:00:00Z", token), "from");
        assertBadParameter(server.get("/api/v1/admin/security-events/recent?ip=evil.example.com", token), "ip");
        assertBadParameter(server.get("/api/v1/admin/security-events/recent?ip=1.2.3.4&hours=48", token), "hours");
        assertBadParameter(server.get("/api/v1/admin/projects", token), "user_id");
    }

    @Test
    void unknown_user_is_a_404_problem() {
        Response r = server.get("/api/v1/admin/users/999999999", server.token("viewer"));

        assertThat(r.status()).isEqualTo(404);
        assertThat(r.json().get("detail").asString()).contains("999999999");
    }

    @Test
    void sql_in_a_parameter_is_only_a_value() throws SQLException {
        long before = count("SELECT count(*) FROM users");
        Response r = server.get("/api/v1/admin/users?q=%27%3B%20DROP%20TABLE%20users%3B%20--", server.token("viewer"));

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().get("items")).isEmpty();
        assertThat(count("SELECT count(*) FROM users")).isEqualTo(before);
    }

    @Test
    void approval_queue_pages_through_every_pending_user_oldest_first_without_repeats() throws SQLException {
        String token = server.token("viewer");
        List<String> created = new ArrayList<>();
        Set<Long> ids = new HashSet<>();
        String cursor = "";
        do {
            Response r = server.get(
                    "/api/v1/admin/users/approval-queue?limit=7" + (cursor.isEmpty() ? "" : "&cursor=" + cursor),
                    token);
            assertThat(r.status()).isEqualTo(200);
            for (JsonNode u : r.json().get("items")) {
                assertThat(ids.add(u.get("id").asLong())).isTrue();
                created.add(u.get("created_at").asString());
            }
            JsonNode next = r.json().get("next_cursor");
            cursor = next == null || next.isNull() ? "" : next.asString();
        } while (!cursor.isEmpty());

        assertThat((long) ids.size()).isEqualTo(count("SELECT count(*) FROM users WHERE approval_status = 'pending'"));
        assertThat(created).isSortedAccordingTo(java.util.Comparator.comparing(java.time.Instant::parse));
    }

    @Test
    void search_finds_users_by_part_of_their_email_or_name() throws SQLException {
        Response r = server.get("/api/v1/admin/users?q=garcia&limit=200", server.token("viewer"));

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().get("items"))
                .isNotEmpty()
                .allSatisfy(u -> assertThat(u.get("email").asString()
                                + u.get("full_name").asString().toLowerCase())
                        .contains("garcia"));
    }

    @Test
    void lookup_by_email_ignores_case() throws SQLException {
        String email = text("SELECT email FROM users WHERE id = 5");
        Response r = server.get("/api/v1/admin/users/by-email?email=" + email.toUpperCase(), server.token("viewer"));

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().get("id").asLong()).isEqualTo(5);
    }

    @Test
    void audit_log_filters_by_category_and_severity_within_the_window() {
        Response r = server.get(
                "/api/v1/admin/audit-logs?category=security_event&severity=high&limit=50", server.token("viewer"));

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().get("items")).allSatisfy(e -> {
            assertThat(e.get("category").asString()).isEqualTo("security_event");
            assertThat(e.get("severity").asString()).isEqualTo("high");
        });
        Response stats = server.get("/api/v1/admin/audit-logs/stats?bucket=hour", server.token("viewer"));
        assertThat(stats.status()).isEqualTo(200);
        assertThat(stats.json().get("entries").asLong()).isPositive();
    }

    @Test
    void top_offending_ip_has_its_recent_events_listed() {
        String token = server.token("viewer");
        Response top = server.get("/api/v1/admin/security-events/top-ips?hours=24&limit=5", token);
        assertThat(top.status()).isEqualTo(200);
        JsonNode first = top.json().get(0);
        Response recent = server.get(
                "/api/v1/admin/security-events/recent?ip="
                        + first.get("ip_address").asString() + "&limit=200",
                token);

        assertThat(recent.status()).isEqualTo(200);
        assertThat(recent.json())
                .isNotEmpty()
                .allSatisfy(e -> assertThat(e.get("ip_address").asString())
                        .isEqualTo(first.get("ip_address").asString()));
        assertThat((long) recent.json().size())
                .isEqualTo(Math.min(200, first.get("events").asLong()));
    }

    @Test
    void projects_come_with_their_own_pages() throws SQLException {
        long user = count(
                "SELECT user_id FROM projects p WHERE EXISTS (SELECT 1 FROM pages WHERE project_id = p.id) ORDER BY id "
                        + "LIMIT 1");
        Response r = server.get("/api/v1/admin/projects?user_id=" + user, server.token("viewer"));

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json()).isNotEmpty();
        for (JsonNode p : r.json()) {
            long project = p.get("id").asLong();
            assertThat(p.get("page_count").asLong())
                    .isEqualTo(count("SELECT count(*) FROM pages WHERE project_id = " + project));
            for (JsonNode page : p.get("pages")) {
                assertThat(count("SELECT project_id FROM pages WHERE id = "
                                + page.get("id").asLong()))
                        .isEqualTo(project);
            }
        }
    }

    @Test
    void backups_list_executions_and_latest_health() {
        String token = server.token("viewer");
        Response failed = server.get("/api/v1/admin/backups/executions?status=failed", token);
        Response health = server.get("/api/v1/admin/backups/health", token);

        assertThat(failed.status()).isEqualTo(200);
        assertThat(failed.json().get("items"))
                .allSatisfy(e -> assertThat(e.get("status").asString()).isEqualTo("failed"));
        assertThat(health.status()).isEqualTo(200);
        assertThat(health.json()).isNotEmpty();
    }

    @Test
    void openapi_describes_the_admin_api() {
        Response r = server.get("/v3/api-docs", null);

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().get("paths").has("/api/v1/admin/users/dashboard")).isTrue();
        assertThat(r.json().get("paths").has("/api/v1/admin/audit-logs")).isTrue();
        // The description names what the responses hold: snake_case properties, and no two records
        // of one simple name where one would hide the other (the performance dashboard was described
        // as the users' one, the health's statistics as the audit log's).
        JsonNode schemas = r.json().get("components").get("schemas");
        assertThat(schemas.get("Dashboard").get("properties").has("by_approval_status"))
                .isTrue();
        assertThat(schemas.get("PerformanceDashboard").get("properties").has("n_plus_one"))
                .isTrue();
        for (String name : List.of("HistoryPoint", "CacheHitPoint", "DatabaseStats", "SlowQueryWithSuggestions")) {
            assertThat(schemas.has(name)).as(name).isTrue();
        }
        assertThat(schemas.toString()).doesNotContain("\"byApprovalStatus\"").doesNotContain("\"takenAt\"");
    }

    private static void assertBadParameter(Response r, String parameter) {
        assertThat(r.status()).as(r.body()).isEqualTo(400);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(r.json().get("parameter").asString()).isEqualTo(parameter);
        assertThat(r.body()).doesNotContain("Exception").doesNotContain("at io.");
    }

    private static long count(String sql) throws SQLException {
        try (Connection c = server.database().dataSource().getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static String text(String sql) throws SQLException {
        try (Connection c = server.database().dataSource().getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
