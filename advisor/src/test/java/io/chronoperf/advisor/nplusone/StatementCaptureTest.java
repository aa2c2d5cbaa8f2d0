package io.chronoperf.advisor.nplusone;

import static org.assertj.core.api.Assertions.assertThat;

import io.chronoperf.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Capture against a real PostgreSQL through datasource-proxy. */
class StatementCaptureTest {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    @BeforeAll
    static void schema() throws SQLException {
        try (Connection c = db.dataSource().getConnection();
                Statement s = c.createStatement()) {
            s.execute("CREATE TABLE projects (id bigint PRIMARY KEY, user_id bigint)");
            s.execute("CREATE TABLE pages (id bigserial PRIMARY KEY, project_id bigint, url text)");
            s.execute("INSERT INTO projects SELECT g, 1 FROM generate_series(1, 5) g");
            s.execute("INSERT INTO pages (project_id, url) SELECT 1 + g % 5, 'u' || g FROM generate_series(1, 50) g");
        }
    }

    @Test
    void a_loop_over_a_parent_query_is_recorded_with_its_site_and_detected() throws SQLException {
        StatementCapture capture = new StatementCapture(true, StatementCapture.DEFAULT_CAP, List.of());
        DataSource ds = capture.wrap(db.dataSource());
        StatementCapture.Recorded recorded;
        try (StatementCapture.Scope scope = capture.open("GET /projects")) {
            List<Long> ids = projectIds(ds);
            for (long id : ids) {
                pagesOf(ds, id);
            }
            recorded = scope.recorded();
        }

        assertThat(recorded.statements()).hasSize(6);
        assertThat(recorded.statements().get(1).site()).startsWith(getClass().getName() + ".pagesOf:");
        assertThat(recorded.statements().get(1).params()).containsExactly(1L);
        List<Finding> findings = new Detector(Detector.Thresholds.DEFAULT).detect(recorded.statements());
        assertThat(findings).singleElement().satisfies(f -> {
            assertThat(f.kind()).isEqualTo(Finding.N_PLUS_ONE);
            assertThat(f.count()).isEqualTo(5);
            assertThat(f.suggestion()).contains("project_id = ANY(?)");
        });
    }

    @Test
    void statements_outside_a_unit_are_not_recorded_and_a_unit_is_bounded() throws SQLException {
        StatementCapture capture = new StatementCapture(false, 3, List.of());
        DataSource ds = capture.wrap(db.dataSource());
        projectIds(ds); // no unit open: nothing recorded, nothing kept
        try (StatementCapture.Scope scope = capture.open("job")) {
            for (int i = 0; i < 5; i++) {
                pagesOf(ds, 1);
            }
            assertThat(scope.recorded().statements()).hasSize(3);
            assertThat(scope.recorded().overflow()).isEqualTo(2);
            // values only when enabled; otherwise a hash token per value
            assertThat(scope.recorded().statements().get(0).params())
                    .singleElement()
                    .asString()
                    .startsWith("#");
        }
    }

    @Test
    void the_same_query_from_two_call_sites_is_two_groups() throws SQLException {
        StatementCapture capture = new StatementCapture(true, StatementCapture.DEFAULT_CAP, List.of());
        DataSource ds = capture.wrap(db.dataSource());
        List<TraceStatement> statements;
        try (StatementCapture.Scope scope = capture.open("GET /two-sites")) {
            for (long id = 1; id <= 2; id++) {
                pagesOf(ds, id);
                pagesAgain(ds, id + 2);
            }
            statements = scope.recorded().statements();
        }

        assertThat(statements).extracting(TraceStatement::site).doesNotContainNull();
        assertThat(new Detector(Detector.Thresholds.DEFAULT).detect(statements))
                .noneMatch(f -> f.kind().equals(Finding.N_PLUS_ONE));
    }

    /** The same SQL as pagesOf, issued from another call site. */
    private static void pagesAgain(DataSource ds, long project) throws SQLException {
        try (Connection c = ds.getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT * FROM pages WHERE project_id = ?")) {
            ps.setLong(1, project);
            ps.executeQuery().close();
        }
    }

    private static List<Long> projectIds(DataSource ds) throws SQLException {
        try (Connection c = ds.getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT id FROM projects WHERE user_id = ?")) {
            ps.setLong(1, 1);
            try (ResultSet rs = ps.executeQuery()) {
                List<Long> ids = new java.util.ArrayList<>();
                while (rs.next()) {
                    ids.add(rs.getLong(1));
                }
                return ids;
            }
        }
    }

    private static void pagesOf(DataSource ds, long project) throws SQLException {
        try (Connection c = ds.getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT * FROM pages WHERE project_id = ?")) {
            ps.setLong(1, project);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rs.getString("url");
                }
            }
        }
    }
}
