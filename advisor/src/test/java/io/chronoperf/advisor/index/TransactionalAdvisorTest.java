package io.chronoperf.advisor.index;

import static org.assertj.core.api.Assertions.assertThat;

import io.chronoperf.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Without HypoPG in the database: indexes are built in a transaction that is rolled back. */
class TransactionalAdvisorTest {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    @BeforeAll
    static void schema() throws SQLException {
        try (Connection c = db.dataSource().getConnection();
                Statement s = c.createStatement()) {
            IndexAdvisorTest.createTables(s);
        }
    }

    @Test
    void the_rolled_back_build_finds_the_same_index_and_leaves_nothing_behind() throws SQLException {
        IndexAdvisor advisor =
                new IndexAdvisor(new IndexAdvisor.Options(100L << 20, 2, 0, 0.01, 256L << 20, 1L << 20), step -> {});
        try (Connection c = db.dataSource().getConnection()) {
            IndexAdvisor.Advice a =
                    advisor.advise(c, Workload.fromText("t", "SELECT * FROM orders WHERE customer_id = 42"));

            assertThat(a.method()).isEqualTo("copy");
            assertThat(a.indexes()).first().satisfies(r -> {
                assertThat(r.columns().get(0)).isEqualTo("customer_id");
                assertThat(r.sizeBytes()).isPositive();
            });
            assertThat(a.finalCost()).isLessThan(a.baselineCost() / 10);
            try (Statement s = c.createStatement();
                    var rs = s.executeQuery("SELECT count(*) FROM pg_indexes WHERE tablename = 'orders'")) {
                rs.next();
                assertThat(rs.getLong(1)).isEqualTo(1); // only the primary key: every what-if build was rolled back
            }
        }
    }
}
