package io.chronoperf.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.chronoperf.server.ServerFixture.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class QueryAnalysisApiTest {
    @RegisterExtension
    static final ServerFixture server = new ServerFixture();

    @Test
    void a_read_only_query_is_executed_and_a_seed_style_params_object_is_accepted() {
        Response r = server.post(
                "/api/v1/admin/performance/query/analyze",
                "{\"query\": \"SELECT * FROM users WHERE approval_status = $1\", \"params\": {\"1\": \"pending\"}, "
                        + "\"execution_time_ms\": 1500}",
                server.token("admin"));

        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().get("executed").asBoolean()).isTrue();
        assertThat(r.json().get("statement_type").asString()).isEqualTo("select");
        assertThat(r.json().get("plan_summary").get("total_cost").asDouble()).isPositive();
        assertThat(r.json().get("findings").toString()).contains("select_star");
        // the whole plan tree, as EXPLAIN gives it, with the actual figures of the run
        assertThat(r.json().get("plan").get("Node Type").asString()).isNotBlank();
        assertThat(r.json().get("plan").has("Actual Total Time")).isTrue();
    }

    @Test
    void hostile_or_malformed_input_is_a_400_and_viewers_may_not_analyse() {
        String admin = server.token("admin");
        Response injection = server.post(
                "/api/v1/admin/performance/query/analyze", "{\"query\": \"SELECT 1; DROP TABLE users\"}", admin);
        Response ddl =
                server.post("/api/v1/admin/performance/query/analyze", "{\"query\": \"DROP TABLE users\"}", admin);
        Response missing = server.post("/api/v1/admin/performance/query/analyze", "{}", admin);
        Response viewer = server.post(
                "/api/v1/admin/performance/query/analyze", "{\"query\": \"SELECT 1\"}", server.token("viewer"));
        Response delete = server.post(
                "/api/v1/admin/performance/query/analyze", "{\"query\": \"DELETE FROM audit_logs\"}", admin);

        assertThat(injection.status()).isEqualTo(400);
        assertThat(injection.json().get("detail").asString()).contains("exactly one statement");
        assertThat(ddl.status()).isEqualTo(400);
        assertThat(missing.status()).isEqualTo(400);
        assertThat(viewer.status()).isEqualTo(403);
        assertThat(delete.status()).isEqualTo(200);
        Response huge = server.post(
                "/api/v1/admin/performance/query/analyze",
                "{\"query\": \"SELECT 1 " + "-".repeat(1_100_000) + "\"}",
                admin);
        assertThat(huge.status()).isEqualTo(413);
        assertThat(huge.contentType()).startsWith("application/problem+json");
        assertThat(delete.json().get("executed").asBoolean()).isFalse();
    }

    /** Issue 14's statements through the API, with the default settings: none runs, none leaks. */
    @Test
    void quoted_and_escaped_function_names_are_never_executed_and_errors_carry_no_data() {
        String admin = server.token("admin");
        for (String sql : java.util.List.of(
                "SELECT \\\"pg_terminate_backend\\\"(pid) FROM pg_stat_activity WHERE application_name = 'x'",
                "SELECT \\\"pg_stat_statements_reset\\\"()",
                "SELECT replace(\\\"pg_read_file\\\"('/etc/passwd'), chr(10), ' ')::int",
                "SELECT \\\"current_setting\\\"('data_directory')::int",
                "SELECT \\\"set_config\\\"('work_mem', '1GB', false)",
                "SELECT \\\"lo_import\\\"('/etc/passwd')",
                "SELECT \\\"pg_advisory_lock\\\"(1)",
                "SELECT U&\\\"pg\\\\005fsleep\\\"(3)",
                "SELECT (SELECT string_agg(usename || ':' || coalesce(passwd, ''), ',') FROM pg_shadow)::int",
                "SELECT (SELECT string_agg(email, ',') FROM users)::int")) {
            Response r = server.post("/api/v1/admin/performance/query/analyze", "{\"query\": \"" + sql + "\"}", admin);
            assertThat(r.status()).as(sql + " -> " + r.body()).isIn(200, 400);
            if (r.status() == 200) {
                assertThat(r.json().get("executed").asBoolean()).as(sql).isFalse();
            } else {
                assertThat(r.contentType()).startsWith("application/problem+json");
            }
            assertThat(r.body())
                    .as(sql)
                    .doesNotContain("root:")
                    .doesNotContain("@")
                    .doesNotContain("SCRAM")
                    .doesNotContain("/var/lib/postgresql")
                    .doesNotContain("pg_data");
        }
    }
}
