package io.chronoperf.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.chronoperf.server.ServerFixture.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class HealthApiTest {
    @RegisterExtension
    static final ServerFixture server = new ServerFixture();

    @Test
    void health_reports_a_score_its_status_and_the_services() {
        Response r = server.get("/api/v1/admin/performance/health", server.token("viewer"));

        assertThat(r.status()).isEqualTo(200);
        double score = r.json().get("score").asDouble();
        assertThat(score).isBetween(0.0, 100.0);
        String expected = score >= 80 ? "healthy" : score >= 50 ? "warning" : "critical";
        assertThat(r.json().get("status").asString()).isEqualTo(expected);
        assertThat(r.json().get("services").get("redis").asString()).isEqualTo("up");
    }

    @Test
    void slow_queries_answer_from_the_history_and_bound_the_window() {
        Response ok = server.get("/api/v1/admin/performance/database/slow-queries?hours=24", server.token("viewer"));
        Response bad = server.get("/api/v1/admin/performance/database/slow-queries?hours=9999", server.token("viewer"));

        assertThat(ok.status()).isEqualTo(200);
        assertThat(ok.json().get("slow_threshold_ms").asDouble()).isEqualTo(200.0);
        assertThat(ok.json().get("queries").isArray()).isTrue();
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().get("detail").asString()).contains("336");
    }

    @Test
    void database_stats_show_the_strategic_indexes_healthy_and_the_connections() {
        Response r = server.get("/api/v1/admin/performance/database/stats", server.token("viewer"));

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().get("connections").get("max_connections").asInt()).isPositive();
        assertThat(r.json().get("indexes").toString()).doesNotContain("\"invalid\"");
        assertThat(server.get("/api/v1/admin/performance/database/stats", null).status())
                .isEqualTo(401);
    }

    @Test
    void a_sample_feeds_the_gauges_the_health_metrics_and_the_prometheus_scrape() {
        var tasks = server.bean(io.chronoperf.server.schedule.TasksConfig.BackgroundTasks.class);
        tasks.sample();

        Response health = server.get("/api/v1/admin/performance/health", server.token("viewer"));
        assertThat(health.json().get("services").get("scheduler").asString()).isEqualTo("up");
        assertThat(health.json().get("metrics").get("connections").asDouble()).isPositive();
        assertThat(health.json().get("metrics").get("pool_usage").asDouble()).isBetween(0.0, 1.0);
        assertThat(health.json().get("metrics").has("cpu_load_pct")).isTrue();
        assertThat(health.json().get("metrics").get("redis_down").asDouble()).isZero();

        Response scrape = server.get("/actuator/prometheus", server.token("viewer"));
        assertThat(scrape.body())
                .contains("chrono_perf_monitor_health_score")
                .contains("chrono_perf_monitor_connections")
                .contains("hikaricp_connections_active");
    }

    @Test
    void database_stats_carry_the_pool_redis_and_the_host() {
        Response r = server.get("/api/v1/admin/performance/database/stats", server.token("viewer"));

        assertThat(r.json().get("pool").get("maximum").asInt()).isEqualTo(10);
        assertThat(r.json().get("redis").get("state").asString()).isEqualTo("up");
        assertThat(r.json().get("redis").get("memory_bytes").asLong()).isPositive();
        assertThat(r.json().get("system").get("logical_cpus").asInt()).isPositive();
        assertThat(r.json().get("locks").isArray()).isTrue();
        assertThat(r.json().has("bloat")).isTrue();
    }

    @Test
    void alerts_and_trends_answer_with_their_rules_and_bound_the_window() {
        Response alerts = server.get("/api/v1/admin/performance/alerts", server.token("viewer"));
        assertThat(alerts.status()).isEqualTo(200);
        assertThat(alerts.json().get("rules").toString())
                .contains("cache_hit_ratio_low")
                .contains("mean_query_time_high")
                .contains("database_connections_high")
                .contains("pool_connections_high")
                .contains("health_score_low");
        assertThat(alerts.json().get("alerts").isArray()).isTrue();
        assertThat(server.get("/api/v1/admin/performance/alerts?hours=0", server.token("viewer"))
                        .status())
                .isEqualTo(400);
        assertThat(server.get("/api/v1/admin/performance/alerts", null).status())
                .isEqualTo(401);

        Response trends = server.get("/api/v1/admin/performance/database/trends?hours=6", server.token("viewer"));
        assertThat(trends.status()).isEqualTo(200);
        assertThat(trends.json().get("regressions").isArray()).isTrue();
        assertThat(trends.json().get("anomalies").isArray()).isTrue();
    }

    @Test
    void every_metric_the_grafana_dashboard_queries_is_on_the_prometheus_scrape() throws Exception {
        var tasks = server.bean(io.chronoperf.server.schedule.TasksConfig.BackgroundTasks.class);
        tasks.sample();
        tasks.health();
        server.get("/api/v1/admin/users/dashboard", server.token("viewer"));
        String scrape =
                server.get("/actuator/prometheus", server.token("viewer")).body();
        String dashboard =
                java.nio.file.Files.readString(java.nio.file.Path.of("..", "docs", "grafana-dashboard.json"));

        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\b(chrono_perf_[a-z0-9_]+|hikaricp_[a-z0-9_]+)")
                .matcher(dashboard);
        java.util.Set<String> metrics = new java.util.TreeSet<>();
        while (m.find()) {
            metrics.add(m.group(1));
        }
        assertThat(metrics).hasSizeGreaterThan(15);
        for (String metric : metrics) {
            assertThat(scrape).as(metric).containsPattern("(?m)^" + metric + "[{ ]");
        }
    }
}
