package io.chronoperf.advisor.index;

import static org.assertj.core.api.Assertions.assertThat;

import io.chronoperf.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Without HypoPG in the database: indexes are built on copies of the tables in the session's
 * temporary schema, inside a transaction that is rolled back.
 */
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

    /**
     * Found in CI: a copy carries the table's own indexes under names PostgreSQL chooses
     * ({@code shipments_order_ref_idx} for a hash index on order_ref), the same name the
     * candidate B-tree had; its build failed, its size came back unknown, and the advice ended in
     * a NullPointerException (a 500 from the server).
     */
    @Test
    void an_index_of_another_kind_named_like_a_candidate_does_not_break_the_advice() throws SQLException {
        try (Connection c = db.dataSource().getConnection();
                Statement s = c.createStatement()) {
            s.execute("CREATE TABLE shipments (id bigint PRIMARY KEY, order_ref bigint NOT NULL,"
                    + " carrier int NOT NULL)");
            s.execute("INSERT INTO shipments SELECT g, g % 20000, g % 40 FROM generate_series(1, 100000) g");
            s.execute("CREATE INDEX ON shipments USING hash (order_ref)");
            s.execute("VACUUM ANALYZE shipments");
        }
        IndexAdvisor advisor =
                new IndexAdvisor(new IndexAdvisor.Options(100L << 20, 2, 0, 0.01, 256L << 20, 1L << 20), step -> {});
        try (Connection c = db.dataSource().getConnection()) {
            IndexAdvisor.Advice a = advisor.advise(
                    c,
                    Workload.fromText(
                            "t",
                            "SELECT * FROM shipments WHERE order_ref = 42;"
                                    + " SELECT count(*) FROM shipments WHERE carrier = 7 AND order_ref < 500"));

            assertThat(a.method()).isEqualTo("copy");
            // the hash index serves the equality: a B-tree on the same column alone would copy it
            assertThat(a.indexes()).noneMatch(r -> r.columns().equals(java.util.List.of("order_ref")));
        }
    }
}
