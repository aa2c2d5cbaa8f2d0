package io.chronoperf.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.chronoperf.server.ServerFixture.Response;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class CacheApiTest {
    @RegisterExtension
    static final ServerFixture server = new ServerFixture();

    @Test
    void the_dashboard_is_served_from_the_cache_and_a_write_invalidates_it() throws SQLException {
        String viewer = server.token("viewer");
        long before = server.get("/api/v1/admin/users/dashboard", viewer)
                .json()
                .get("pending_approval")
                .asLong();
        long l1HitsBefore = server.get("/api/v1/admin/performance/cache/stats", viewer)
                .json()
                .get("namespaces")
                .get("dashboard")
                .get("l1_hits")
                .asLong();
        server.get("/api/v1/admin/users/dashboard", viewer);
        long l1HitsAfter = server.get("/api/v1/admin/performance/cache/stats", viewer)
                .json()
                .get("namespaces")
                .get("dashboard")
                .get("l1_hits")
                .asLong();
        assertThat(l1HitsAfter).isGreaterThan(l1HitsBefore);

        long pending = scalar("SELECT min(id) FROM users WHERE approval_status = 'pending'");
        assertThat(server.post("/api/v1/admin/users/" + pending + "/approve", null, server.token("admin"))
                        .status())
                .isEqualTo(200);

        long after = server.get("/api/v1/admin/users/dashboard", viewer)
                .json()
                .get("pending_approval")
                .asLong();
        assertThat(after).isEqualTo(before - 1);
    }

    @Test
    void stats_show_every_namespace_and_redis() {
        Response r = server.get("/api/v1/admin/performance/cache/stats", server.token("viewer"));

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().get("redis").asString()).isEqualTo("up");
        assertThat(r.json().get("namespaces").has("users")).isTrue();
        assertThat(r.json().get("namespaces").has("security")).isTrue();
    }

    @Test
    void clear_needs_an_admin_a_confirmation_and_a_pattern_under_admin() {
        String admin = server.token("admin");
        Response viewer = server.post(
                "/api/v1/admin/performance/cache/clear",
                "{\"pattern\": \"admin:users:*\", \"confirm\": true}",
                server.token("viewer"));
        Response unconfirmed =
                server.post("/api/v1/admin/performance/cache/clear", "{\"pattern\": \"admin:users:*\"}", admin);
        Response outside =
                server.post("/api/v1/admin/performance/cache/clear", "{\"pattern\": \"*\", \"confirm\": true}", admin);
        Response ok = server.post(
                "/api/v1/admin/performance/cache/clear", "{\"pattern\": \"admin:users:*\", \"confirm\": true}", admin);

        assertThat(viewer.status()).isEqualTo(403);
        assertThat(unconfirmed.status()).isEqualTo(400);
        assertThat(unconfirmed.json().get("parameter").asString()).isEqualTo("confirm");
        assertThat(outside.status()).isEqualTo(400);
        assertThat(outside.json().get("parameter").asString()).isEqualTo("pattern");
        assertThat(ok.status()).isEqualTo(200);
        assertThat(ok.json().get("removed").asLong()).isGreaterThanOrEqualTo(0);
    }

    @Test
    void warm_loads_a_namespace_and_refuses_an_unknown_one() {
        String admin = server.token("admin");
        Response bad = server.post("/api/v1/admin/performance/cache/warm", "{\"namespace\": \"nope\"}", admin);
        Response forced = server.post(
                "/api/v1/admin/performance/cache/warm", "{\"namespace\": \"users\", \"force\": true}", admin);

        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().get("parameter").asString()).isEqualTo("namespace");
        assertThat(forced.status()).isEqualTo(200);
        assertThat(forced.json().get(0).get("loaded").asInt()).isEqualTo(3);
    }

    @Test
    void prometheus_exposes_the_cache_metrics_to_a_token_holder_only() {
        Response anonymous = server.get("/actuator/prometheus", null);
        Response scraped = server.get("/actuator/prometheus", server.token("viewer"));

        assertThat(anonymous.status()).isEqualTo(401);
        assertThat(scraped.status()).isEqualTo(200);
        assertThat(scraped.body()).contains("chrono_perf_cache_requests_total").contains("namespace=\"dashboard\"");
    }

    private static long scalar(String sql) throws SQLException {
        try (Connection c = server.database().dataSource().getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
