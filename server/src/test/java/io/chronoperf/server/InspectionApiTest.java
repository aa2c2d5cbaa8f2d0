package io.chronoperf.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.chronoperf.server.ServerFixture.Response;
import io.chronoperf.server.schedule.TasksConfig.BackgroundTasks;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/** Issue 15: the pages pgHero users look for, over HTTP, on a real database with the demo data. */
class InspectionApiTest {
    @RegisterExtension
    static final ServerFixture server = new ServerFixture();

    @Test
    void space_connections_maintenance_settings_and_index_usage_describe_the_database() {
        String viewer = server.token("viewer");
        Response space = server.get("/api/v1/admin/performance/database/space", viewer);
        assertThat(space.status()).isEqualTo(200);
        assertThat(space.json().get("database_bytes").asLong()).isPositive();
        assertThat(space.body()).contains("public.users").contains("public.audit_logs");

        Response connections = server.get("/api/v1/admin/performance/database/connections", viewer);
        assertThat(connections.json().get("by").get("application").toString()).contains("chrono-perf-server");

        Response maintenance = server.get("/api/v1/admin/performance/database/maintenance", viewer);
        assertThat(maintenance.json().get("tables").toString()).contains("public.users");
        assertThat(maintenance.json().get("xid_age_pct").asDouble()).isBetween(0.0, 100.0);

        Response settings = server.get("/api/v1/admin/performance/database/settings?memory_mb=16384&cores=8", viewer);
        JsonNode shared = null;
        for (JsonNode s : settings.json().get("settings")) {
            if (s.get("name").asString().equals("shared_buffers")) {
                shared = s;
            }
        }
        assertThat(shared).isNotNull();
        assertThat(shared.get("recommended").asString()).isEqualTo("4GB");
        assertThat(settings.json().get("basis").asString()).contains("as given");
        assertThat(server.get("/api/v1/admin/performance/database/settings?cores=0", viewer)
                        .status())
                .isEqualTo(400);

        Response usage = server.get("/api/v1/admin/performance/database/index-usage?limit=500", viewer);
        assertThat(usage.body()).contains("idx_users_admin_dashboard");
    }

    @Test
    void a_live_query_is_listed_and_cancelled_by_an_admin_with_a_reason_kept() throws Exception {
        CompletableFuture<String> sleeper = CompletableFuture.supplyAsync(() -> {
            try (Connection c = server.database().dataSource().getConnection();
                    Statement s = c.createStatement()) {
                s.execute("SELECT pg_sleep(20), 'the long report'");
                return "finished";
            } catch (SQLException e) {
                return e.getMessage();
            }
        });
        String viewer = server.token("viewer");
        String admin = server.token("admin");
        int pid = -1;
        for (int i = 0; i < 100 && pid < 0; i++) {
            for (JsonNode q : server.get("/api/v1/admin/performance/database/live-queries", viewer)
                    .json()) {
                if (q.get("query").asString().contains("the long report")) {
                    pid = q.get("pid").asInt();
                }
            }
            Thread.sleep(50);
        }
        assertThat(pid).as("the running statement is listed").isPositive();
        String path = "/api/v1/admin/performance/database/live-queries/" + pid + "/cancel";

        assertThat(server.post(path, "{\"confirm\": true, \"reason\": \"x\"}", viewer)
                        .status())
                .isEqualTo(403);
        Response unconfirmed = server.post(path, "{\"reason\": \"blocks the nightly export\"}", admin);
        assertThat(unconfirmed.status()).isEqualTo(400);
        assertThat(unconfirmed.json().get("detail").asString()).contains("confirm");
        assertThat(server.post(path, "{\"confirm\": true}", admin).status())
                .as("a reason is required")
                .isEqualTo(400);

        Response cancelled = server.post(path, "{\"confirm\": true, \"reason\": \"blocks the nightly export\"}", admin);
        assertThat(cancelled.status()).as(cancelled.body()).isEqualTo(200);
        assertThat(cancelled.json().get("done").asBoolean()).isTrue();
        assertThat(sleeper.get(10, TimeUnit.SECONDS)).contains("canceling statement due to user request");
        try (Connection c = server.database().dataSource().getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(
                        "SELECT action, pid, reason, subject FROM chrono_perf.actions ORDER BY id DESC LIMIT 1")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("cancel");
            assertThat(rs.getInt(2)).isEqualTo(pid);
            assertThat(rs.getString(3)).isEqualTo("blocks the nightly export");
            assertThat(rs.getString(4)).isEqualTo("test-admin");
        }
        // chrono-perf's own sessions are not for this
        int own;
        try (Connection c = server.database().dataSource().getConnection();
                Statement s = c.createStatement();
                ResultSet rs =
                        s.executeQuery("SELECT pid FROM pg_stat_activity WHERE application_name = 'chrono-perf-server'"
                                + " AND datname = current_database() LIMIT 1")) {
            assertThat(rs.next()).isTrue();
            own = rs.getInt(1);
        }
        assertThat(server.post(
                                "/api/v1/admin/performance/database/live-queries/" + own + "/terminate",
                                "{\"confirm\": true, \"reason\": \"test\"}",
                                admin)
                        .status())
                .isEqualTo(404);
    }

    @Test
    void a_slow_statement_has_its_history_of_calls_and_mean_time() throws Exception {
        BackgroundTasks tasks = server.bean(BackgroundTasks.class);
        try (Connection c = server.database().dataSource().getConnection();
                Statement s = c.createStatement()) {
            s.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
            tasks.sample();
            for (int round = 0; round < 2; round++) {
                for (int i = 0; i < 3; i++) {
                    s.execute("SELECT pg_sleep(0.21), 'history probe'");
                }
                tasks.sample();
            }
        }
        String viewer = server.token("viewer");
        JsonNode slow = server.get("/api/v1/admin/performance/database/slow-queries?hours=1", viewer)
                .json()
                .get("queries");
        String id = null;
        for (JsonNode q : slow) {
            if (q.get("statement").get("query").asString().contains("pg_sleep")) {
                id = q.get("statement").get("queryid_text").asString();
            }
        }
        assertThat(id).isNotNull();
        Response history =
                server.get("/api/v1/admin/performance/database/statements/" + id + "/history?hours=1", viewer);
        assertThat(history.status()).isEqualTo(200);
        assertThat(history.json().size()).isGreaterThanOrEqualTo(2);
        long calls = 0;
        for (JsonNode p : history.json()) {
            calls += p.get("calls").asLong();
            if (p.get("calls").asLong() > 0) {
                assertThat(p.get("mean_ms").asDouble()).isGreaterThan(200);
            }
        }
        assertThat(calls).isEqualTo(6);
    }
}
