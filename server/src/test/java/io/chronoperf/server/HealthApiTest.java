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
        assertThat(server.get("/api/v1/admin/performance/database/stats", null).status()).isEqualTo(401);
    }
}
