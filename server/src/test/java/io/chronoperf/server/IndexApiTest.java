package io.chronoperf.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.chronoperf.server.ServerFixture.Response;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Index advice from the server's own pg_stat_statements, and apply with proof, over HTTP. */
class IndexApiTest {
    @RegisterExtension
    static final ServerFixture server = new ServerFixture();

    @BeforeAll
    static void workload() throws SQLException {
        try (Connection c = server.database().dataSource().getConnection();
                Statement s = c.createStatement()) {
            s.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
            s.execute("CREATE TABLE probe (id bigint PRIMARY KEY, k int NOT NULL, pad text)");
            s.execute("INSERT INTO probe SELECT g, g % 5000, repeat('p', 40) FROM generate_series(1, 150000) g");
            s.execute("ANALYZE probe");
            // the advice reads the monitor's deltas when it has them: a sample before and after the workload
            server.bean(io.chronoperf.server.monitor.MonitorService.class)
                    .sample(); // directly: the task holds its lock 1 s at least
            try (PreparedStatement ps = c.prepareStatement("SELECT id, pad FROM probe WHERE k = ?")) {
                for (int i = 0; i < 30; i++) {
                    ps.setInt(1, i * 7);
                    ps.executeQuery().close();
                }
            }
            server.bean(io.chronoperf.server.monitor.MonitorService.class)
                    .sample(); // directly: the task holds its lock 1 s at least
        }
    }

    @Test
    void recommendations_find_the_missing_index_of_the_workload_with_the_documented_fields() {
        Response r =
                server.get("/api/v1/admin/performance/indexes/recommendations?budget_mb=100", server.token("viewer"));

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().get("baseline_cost").asDouble())
                .isGreaterThan(r.json().get("final_cost").asDouble());
        assertThat(r.json().get("method").asString()).isIn("hypopg", "copy");
        assertThat(r.json().get("workload").asString())
                .contains("deltas"); // the monitor's history, not the cumulative view
        assertThat(r.json().get("planner_calls").asInt()).isPositive();
        assertThat(r.json().has("runtime_ms")).isTrue();
        assertThat(r.json().get("hygiene").isArray()).isTrue();
        assertThat(r.json().get("indexes").toString()).contains("public.probe").contains("\"columns\":[\"k\"");
        assertThat(r.json().get("indexes").get(0).get("size_bytes").asLong()).isPositive();
        assertThat(r.json().get("indexes").get(0).get("queries_helped").isArray())
                .isTrue();
    }

    @Test
    void bad_parameters_and_missing_confirmation_are_refused_with_the_parameter_named() {
        Response budget =
                server.get("/api/v1/admin/performance/indexes/recommendations?budget_mb=0", server.token("viewer"));
        assertThat(budget.status()).isEqualTo(400);
        assertThat(budget.json().get("parameter").asString()).isEqualTo("budget_mb");

        Response unconfirmed = server.post("/api/v1/admin/performance/indexes/apply", "{}", server.token("admin"));
        assertThat(unconfirmed.status()).isEqualTo(400);
        assertThat(unconfirmed.json().get("parameter").asString()).isEqualTo("confirm");

        Response foreign = server.post(
                "/api/v1/admin/performance/indexes/apply",
                "{\"confirm\": true, \"indexes\": [\"DROP TABLE users\"]}",
                server.token("admin"));
        assertThat(foreign.status()).isEqualTo(400);
        assertThat(foreign.json().get("parameter").asString()).isEqualTo("indexes");

        assertThat(server.post("/api/v1/admin/performance/indexes/apply", "{\"confirm\": true}", server.token("viewer"))
                        .status())
                .isEqualTo(403);
    }

    @Test
    void apply_creates_the_index_and_stores_the_measured_outcome() throws SQLException {
        Response r = server.post(
                "/api/v1/admin/performance/indexes/apply",
                "{\"confirm\": true, \"budget_mb\": 100, \"max_indexes\": 1}",
                server.token("admin"));

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().get("indexes").get(0).get("valid").asBoolean()).isTrue();
        assertThat(r.json().get("stored").asBoolean()).isTrue();
        try (Connection c = server.database().dataSource().getConnection();
                Statement s = c.createStatement();
                var rs = s.executeQuery("SELECT count(*) FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid"
                        + " WHERE t.relname = 'probe' AND i.indisvalid AND NOT i.indisprimary")) {
            rs.next();
            assertThat(rs.getLong(1)).isEqualTo(1);
        }
    }
}
