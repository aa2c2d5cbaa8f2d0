package io.chronoperf.advisor.index;

import static org.assertj.core.api.Assertions.assertThat;

import io.chronoperf.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 16: on pgbench, {@code SELECT aid, abalance FROM pgbench_accounts WHERE abalance = $1}
 * returned 0.05 rows a call, but the statistics (taken when every balance was 0) said the column
 * holds one value, the generic plan expected every row, and the advisor recommended nothing. The
 * rows pg_stat_statements observed now decide which plan is costed.
 */
class ObservedRowsTest {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    @BeforeAll
    static void accountsWithStaleStatistics() throws SQLException {
        try (Connection c = db.dataSource().getConnection();
                Statement s = c.createStatement()) {
            try {
                s.execute("CREATE EXTENSION IF NOT EXISTS hypopg"); // the real statistics, as in the report
            } catch (SQLException notInstalled) {
                // the embedded PostgreSQL has none: the what-if runs on copies
            }
            s.execute("CREATE TABLE accounts (aid int PRIMARY KEY, abalance int NOT NULL, filler char(84))"
                    + " WITH (autovacuum_enabled = false)");
            s.execute("INSERT INTO accounts SELECT g, 0, '' FROM generate_series(1, 200000) g");
            s.execute("VACUUM ANALYZE accounts"); // statistics: one value, 0
            s.execute("UPDATE accounts SET abalance = aid WHERE aid % 6 = 0"); // a sixth changes after it
            s.execute("SELECT pg_stat_force_next_flush()"); // counted at once, not within the second
            s.execute("SELECT 1");
        }
    }

    @Test
    void an_index_the_observed_rows_need_is_found_though_the_generic_estimate_hides_it() throws SQLException {
        Workload workload = new Workload(
                "pg_stat_statements",
                List.of(
                        new Workload.Query(
                                "pgss:1",
                                "SELECT aid, abalance FROM accounts WHERE abalance = $1",
                                164,
                                new Workload.Observed(164, 0.05, 280, 2_500)),
                        new Workload.Query(
                                "pgss:2",
                                "UPDATE accounts SET abalance = abalance + $1 WHERE aid = $2",
                                1_000,
                                new Workload.Observed(1_000, 1, 0.1, 4))));
        try (Connection c = db.dataSource().getConnection()) {
            IndexAdvisor.Advice a = new IndexAdvisor(IndexAdvisor.Options.DEFAULT, step -> {}).advise(c, workload);

            assertThat(a.indexes())
                    .singleElement()
                    .satisfies(r -> assertThat(r.columns()).containsExactly("abalance"));
            assertThat(a.estimateMisses()).singleElement().satisfies(m -> {
                assertThat(m.query()).isEqualTo("pgss:1");
                assertThat(m.estimatedRows()).isGreaterThan(100_000);
                assertThat(m.observedRows()).isEqualTo(0.05);
                assertThat(m.plannedWith()).isNotNull();
                assertThat(m.plannedRows()).isLessThan(100);
                assertThat(m.diagnosis()).startsWith("stale statistics").contains("ANALYZE public.accounts;");
            });
        }
    }

    @Test
    void a_statement_whose_estimate_fits_what_it_did_is_costed_generically() throws SQLException {
        Workload workload = new Workload(
                "pg_stat_statements",
                List.of(new Workload.Query(
                        "pgss:3",
                        "SELECT abalance FROM accounts WHERE aid = $1",
                        100,
                        new Workload.Observed(100, 1, 0.05, 3))));
        try (Connection c = db.dataSource().getConnection()) {
            IndexAdvisor.Advice a = new IndexAdvisor(IndexAdvisor.Options.DEFAULT, step -> {}).advise(c, workload);

            assertThat(a.estimateMisses()).isEmpty();
            assertThat(a.indexes()).isEmpty();
        }
    }
}
