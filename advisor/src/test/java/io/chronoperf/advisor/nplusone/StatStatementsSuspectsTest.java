package io.chronoperf.advisor.nplusone;

import static org.assertj.core.api.Assertions.assertThat;

import io.chronoperf.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Needs pg_stat_statements preloaded in the test server: the embedded PostgreSQL preloads it,
 * and .ci/run preloads it in the local one.
 */
class StatStatementsSuspectsTest {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    @Test
    void a_key_lookup_called_thousands_of_times_is_a_suspect_and_a_scan_is_not() throws SQLException {
        try (Connection c = db.dataSource().getConnection();
                Statement s = c.createStatement()) {
            s.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
            s.execute("CREATE TABLE pages (id bigint PRIMARY KEY, project_id bigint, url text)");
            s.execute("INSERT INTO pages SELECT g, g % 100, 'u' || g FROM generate_series(1, 2000) g");
            try (PreparedStatement lookup = c.prepareStatement("SELECT url FROM pages WHERE id = ?");
                    PreparedStatement scan = c.prepareStatement("SELECT count(*) FROM pages WHERE project_id > ?")) {
                for (int i = 1; i <= 1200; i++) {
                    lookup.setLong(1, i);
                    try (ResultSet rs = lookup.executeQuery()) {
                        rs.next();
                    }
                    scan.setLong(1, i % 50);
                    try (ResultSet rs = scan.executeQuery()) {
                        rs.next();
                    }
                }
            }

            StatStatementsSuspects.Result r = StatStatementsSuspects.find(c, 1000, 20);

            assertThat(r.available()).as(r.reason()).isTrue();
            assertThat(r.suspects()).anySatisfy(x -> {
                assertThat(x.query()).contains("FROM pages WHERE id = $1");
                assertThat(x.calls()).isGreaterThanOrEqualTo(1200);
                assertThat(x.rowsPerCall()).isEqualTo(1.0);
            });
            assertThat(r.suspects()).noneMatch(x -> x.query().contains("project_id >"));
        }
    }
}
