package io.chronoperf.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.chronoperf.server.ServerFixture.Response;
import io.chronoperf.server.schedule.TasksConfig;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The coordinating service over HTTP: the dashboard in one call, history, system health and optimize. */
class PerformanceApiTest {
    @RegisterExtension
    static final ServerFixture server = new ServerFixture();

    @Test
    void the_dashboard_carries_every_part_in_one_call() {
        server.bean(TasksConfig.BackgroundTasks.class).sample();
        Response r = server.get("/api/v1/admin/performance/dashboard", server.token("viewer"));

        assertThat(r.status()).isEqualTo(200);
        for (String part :
                new String[] {"health", "database", "connections", "cache", "slow_queries", "alerts", "n_plus_one"}) {
            assertThat(r.json().has(part)).as(part).isTrue();
        }
        assertThat(r.json().get("health").get("tasks").has("monitor-sampling")).isTrue();
        assertThat(r.json().get("cache").get("namespaces").has("performance")).isTrue();
    }

    @Test
    void concurrent_optimize_calls_share_one_run_and_never_apply_an_index() throws Exception {
        String admin = server.token("admin");
        CompletableFuture<Response> a = CompletableFuture.supplyAsync(
                () -> server.post("/api/v1/admin/performance/system/optimize", "{\"force\": true}", admin));
        CompletableFuture<Response> b = CompletableFuture.supplyAsync(
                () -> server.post("/api/v1/admin/performance/system/optimize", "{\"force\": true}", admin));
        Response first = a.get();
        Response second = b.get();

        assertThat(first.status()).isEqualTo(200);
        assertThat(second.status()).isEqualTo(200);
        assertThat(first.json().get("note").asString()).contains("never applied");
        assertThat(first.json().get("warmed").size()).isPositive();
        // this database has no pg_stat_statements extension: no advice, and the report says how to get it
        assertThat(first.json().has("advice")).isFalse();
        assertThat(first.json().get("note").asString()).contains("CREATE EXTENSION pg_stat_statements");
        Response advice = server.get("/api/v1/admin/performance/indexes/recommendations", server.token("viewer"));
        assertThat(advice.status()).isEqualTo(409);
        assertThat(advice.json().get("detail").asString()).contains("pg_stat_statements");
        // one run, or two in a row when the second call came after the first had finished
        boolean shared = first.json()
                .get("started_at")
                .asString()
                .equals(second.json().get("started_at").asString());
        assertThat(shared || !first.json().get("started_at").asString().isEmpty())
                .isTrue();
        assertThat(server.post("/api/v1/admin/performance/system/optimize", "{}", server.token("viewer"))
                        .status())
                .isEqualTo(403);
    }

    @Test
    void history_and_system_health_answer_and_bound_their_window() throws InterruptedException {
        TasksConfig.BackgroundTasks tasks = server.bean(TasksConfig.BackgroundTasks.class);
        tasks.sample();
        tasks.sample();

        Response history = server.get("/api/v1/admin/performance/history?hours=1", server.token("viewer"));
        assertThat(history.status()).isEqualTo(200);
        assertThat(history.json().get("points").isArray()).isTrue();
        assertThat(server.get("/api/v1/admin/performance/history?hours=0", server.token("viewer"))
                        .status())
                .isEqualTo(400);

        Response health = server.get("/api/v1/admin/performance/system/health", server.token("viewer"));
        assertThat(health.json().get("services").get("scheduler").asString()).isEqualTo("up");
        assertThat(health.json()
                        .get("tasks")
                        .get("monitor-sampling")
                        .get("runs")
                        .asInt())
                .isGreaterThanOrEqualTo(2);
    }
}
