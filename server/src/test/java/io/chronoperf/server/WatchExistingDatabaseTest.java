package io.chronoperf.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.chronoperf.server.ServerFixture.Response;
import io.chronoperf.server.schedule.TasksConfig.BackgroundTasks;
import io.chronoperf.server.tasks.TaskRegistry;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * serve pointed at a database that already holds another application's tables (here a pgbench
 * database): it comes up, keeps its own state in schema chrono_perf, creates nothing in the
 * application's schema, and runs every background task there. Before the own schema, the start
 * failed with Flyway's "Found non-empty schema(s) "public" but no schema history table".
 */
class WatchExistingDatabaseTest {
    @RegisterExtension
    static final ServerFixture server = ServerFixture.onDatabaseHolding(
            "CREATE TABLE pgbench_accounts (aid integer PRIMARY KEY, bid integer, abalance integer, filler "
                    + "character(84))",
            "INSERT INTO pgbench_accounts SELECT g, 1, 0, '' FROM generate_series(1, 5000) g",
            "CREATE TABLE pgbench_history (tid integer, bid integer, aid integer, delta integer, mtime timestamp)");

    @Test
    void it_comes_up_and_creates_nothing_in_the_applications_schema() throws SQLException {
        assertThat(objectsIn("public"))
                .containsExactlyInAnyOrder("pgbench_accounts", "pgbench_accounts_pkey", "pgbench_history");
        assertThat(objectsIn("chrono_perf"))
                .contains(
                        "database_samples",
                        "statement_samples",
                        "alerts",
                        "findings",
                        "index_applications",
                        "cache_samples",
                        "shedlock",
                        "monitor_schema_history",
                        "advisor_schema_history",
                        "server_schema_history");
    }

    @Test
    void the_admin_platforms_api_says_it_is_not_installed_and_the_performance_api_works() {
        Response users = server.get("/api/v1/admin/users", server.token("admin"));
        assertThat(users.status()).isEqualTo(404);
        assertThat(users.contentType()).startsWith("application/problem+json");
        assertThat(users.json().get("detail").asString())
                .contains("not installed")
                .contains("CHRONO_PERF_ADMIN_SCHEMA=install");
        assertThat(server.get("/api/v1/admin/users", null).status()).isEqualTo(401);

        assertThat(server.get("/api/v1/admin/performance/health", server.token("viewer"))
                        .status())
                .isEqualTo(200);
        assertThat(server.get("/api/v1/admin/performance/database/stats", server.token("viewer"))
                        .status())
                .isEqualTo(200);
        assertThat(server.get("/api/v1/admin/performance/dashboard", server.token("viewer"))
                        .status())
                .isEqualTo(200);
    }

    @Test
    void every_background_task_runs_there_without_a_failure() throws SQLException {
        BackgroundTasks tasks = server.bean(BackgroundTasks.class);
        tasks.sample();
        tasks.health();
        tasks.warm();
        tasks.analysis();
        tasks.cleanUp();

        for (TaskRegistry.TaskState state :
                server.bean(TaskRegistry.class).states().values()) {
            assertThat(state.failures())
                    .as(state.name() + ": " + state.lastOutcome())
                    .isZero();
            assertThat(state.runs()).as(state.name()).isPositive();
        }
        try (Connection c = server.database().dataSource().getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*) FROM chrono_perf.database_samples")) {
            rs.next();
            assertThat(rs.getLong(1)).isPositive();
        }
        assertThat(objectsIn("public"))
                .containsExactlyInAnyOrder("pgbench_accounts", "pgbench_accounts_pkey", "pgbench_history");
    }

    private static List<String> objectsIn(String schema) throws SQLException {
        List<String> names = new ArrayList<>();
        try (Connection c = server.database().dataSource().getConnection();
                Statement s = c.createStatement();
                ResultSet rs =
                        s.executeQuery("SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                                + " WHERE n.nspname = '" + schema
                                + "' AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'i', 'f')")) {
            while (rs.next()) {
                names.add(rs.getString(1));
            }
        }
        return names;
    }
}
