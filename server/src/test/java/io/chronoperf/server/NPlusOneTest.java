package io.chronoperf.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.chronoperf.advisor.nplusone.Detector;
import io.chronoperf.advisor.nplusone.StatementCapture;
import io.chronoperf.server.ServerFixture.Response;
import io.chronoperf.server.nplusone.NPlusOneFilter;
import io.chronoperf.server.nplusone.NPlusOneLog;
import jakarta.servlet.FilterChain;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

/** Strict mode and the findings endpoint, over a real database. */
class NPlusOneTest {
    @RegisterExtension
    static final ServerFixture server = new ServerFixture();

    @Test
    void strict_fail_mode_replaces_the_response_of_a_request_with_an_n_plus_one() throws Exception {
        NPlusOneLog log = new NPlusOneLog(server.database().dataSource(), Clock.systemUTC());
        MockHttpServletResponse failed = run(NPlusOneFilter.Strict.FAIL, log);
        MockHttpServletResponse warned = run(
                NPlusOneFilter.Strict.WARN, new NPlusOneLog(server.database().dataSource(), Clock.systemUTC()));

        assertThat(failed.getStatus()).isEqualTo(500);
        assertThat(failed.getContentType()).startsWith("application/problem+json");
        assertThat(failed.getContentAsString()).contains("N+1").contains("pages WHERE project_id");
        assertThat(warned.getStatus()).isEqualTo(200);
        assertThat(warned.getContentAsString()).isEqualTo("{\"ok\":true}");
        assertThat(log.summary(Duration.ofHours(1))).singleElement().satisfies(s -> {
            assertThat(s.kind()).isEqualTo("n_plus_one");
            assertThat(s.endpoints()).containsExactly("GET /api/v1/admin/projects/{id}/report");
        });
    }

    @Test
    void the_findings_endpoint_answers_and_bounds_its_window() {
        // An uncached read, so that the request runs SQL through the captured DataSource.
        server.get(
                "/api/v1/admin/users/by-email?email=nobody-" + System.nanoTime() + "@example.com",
                server.token("viewer"));
        Response ok = server.get("/api/v1/admin/performance/query/n-plus-one?hours=24", server.token("viewer"));
        Response bad = server.get("/api/v1/admin/performance/query/n-plus-one?hours=1000", server.token("viewer"));

        assertThat(ok.status()).isEqualTo(200);
        assertThat(ok.json().get("findings").isArray()).isTrue();
        assertThat(ok.json().get("statements_checked").asLong())
                .as("the server's DataSource is captured")
                .isPositive();
        assertThat(ok.json().get("other_applications").has("available")).isTrue();
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().get("parameter").asString()).isEqualTo("hours");
    }

    private static MockHttpServletResponse run(NPlusOneFilter.Strict strict, NPlusOneLog log) throws Exception {
        StatementCapture capture = new StatementCapture(false, StatementCapture.DEFAULT_CAP, List.of());
        DataSource ds = capture.wrap(server.database().dataSource());
        NPlusOneFilter filter = new NPlusOneFilter(capture, new Detector(Detector.Thresholds.DEFAULT), log, strict);
        FilterChain handler = (req, res) -> {
            try (Connection c = ds.getConnection()) {
                for (long project = 1; project <= 4; project++) { // the loop a careless endpoint would run
                    try (PreparedStatement ps = c.prepareStatement("SELECT * FROM pages WHERE project_id = ?")) {
                        ps.setLong(1, project);
                        try (ResultSet rs = ps.executeQuery()) {
                            while (rs.next()) {
                                rs.getLong(1);
                            }
                        }
                    }
                }
            } catch (java.sql.SQLException e) {
                throw new IllegalStateException(e);
            }
            res.setContentType("application/json");
            res.getWriter().write("{\"ok\":true}");
        };
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/api/v1/admin/projects/17/report");
        MockHttpServletResponse response = new MockHttpServletResponse();
        filter.doFilter(request, response, handler);
        return response;
    }
}
