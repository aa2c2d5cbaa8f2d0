package io.chronoperf.advisor.index;

import static org.assertj.core.api.Assertions.assertThat;

import io.chronoperf.advisor.AdvisorSchema;
import io.chronoperf.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The advisor on real PostgreSQL with HypoPG (installed by .ci/services for the local server) and,
 * in {@link TransactionalAdvisorTest}, with the rolled-back builds instead.
 */
class IndexAdvisorTest {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    @BeforeAll
    static void schema() throws SQLException {
        try (Connection c = db.dataSource().getConnection();
                Statement s = c.createStatement()) {
            s.execute("CREATE EXTENSION IF NOT EXISTS hypopg");
            createTables(s);
        }
    }

    static void createTables(Statement s) throws SQLException {
        s.execute("CREATE TABLE orders (id bigint PRIMARY KEY, customer_id int NOT NULL, status text NOT NULL,"
                + " created_at timestamptz NOT NULL, total numeric(10,2) NOT NULL)");
        s.execute("INSERT INTO orders SELECT g, g % 20000, (ARRAY['new','paid','shipped','done'])[1 + g % 4],"
                + " timestamptz '2026-01-01' + g * interval '1 minute', g % 1000 FROM generate_series(1, 200000) g");
        s.execute("CREATE TABLE events (id bigint GENERATED ALWAYS AS IDENTITY, kind text NOT NULL, payload text)");
        s.execute("INSERT INTO events (kind, payload) SELECT 'k' || g % 50, repeat('x', 20) FROM generate_series(1, "
                + "50000) g");
        s.execute("CREATE TABLE wide (id bigint PRIMARY KEY, a int NOT NULL, b int NOT NULL, filler text)");
        s.execute("INSERT INTO wide SELECT g, g % 1000, g % 7, repeat('y', 50) FROM generate_series(1, 400000) g");
        s.execute("CREATE INDEX wide_b ON wide (b)"); // unused and over 1 MB
        s.execute("CREATE INDEX wide_a ON wide (a)"); // duplicate: it leads wide_a_b
        s.execute("CREATE INDEX wide_a_b ON wide (a, b)");
        s.execute("VACUUM ANALYZE");
    }

    static IndexAdvisor.Advice advise(String... sql) throws SQLException {
        IndexAdvisor advisor =
                new IndexAdvisor(new IndexAdvisor.Options(100L << 20, 2, 0, 0.01, 256L << 20, 1L << 20), step -> {});
        try (Connection c = db.dataSource().getConnection()) {
            return advisor.advise(c, Workload.fromText("test", String.join(";\n", sql)));
        }
    }

    @Test
    void a_selective_filter_gets_its_index_verified_by_the_planner() throws SQLException {
        IndexAdvisor.Advice a = advise("SELECT * FROM orders WHERE customer_id = 42 ORDER BY created_at DESC LIMIT 20");

        assertThat(a.method()).isEqualTo("hypopg");
        assertThat(a.indexes()).isNotEmpty();
        IndexAdvisor.Recommendation first = a.indexes().get(0);
        assertThat(first.table()).isEqualTo("public.orders");
        assertThat(first.columns().get(0)).isEqualTo("customer_id");
        assertThat(first.ddl())
                .startsWith("CREATE INDEX CONCURRENTLY IF NOT EXISTS")
                .contains("(customer_id");
        assertThat(first.sizeBytes()).isPositive();
        assertThat(first.queriesHelped()).singleElement().satisfies(g -> {
            assertThat(g.costAfter()).isLessThan(g.costBefore() / 10);
            assertThat(g.sql()).as("the statement's text, not only its id").contains("customer_id");
        });
        assertThat(a.finalCost()).isLessThan(a.baselineCost() / 10);
        assertThat(a.plannerCalls()).isPositive();
    }

    @Test
    void a_parameterized_limit_does_not_hide_the_index_that_serves_the_filter() throws SQLException {
        try (Connection c = db.dataSource().getConnection();
                Statement s = c.createStatement()) {
            s.execute(
                    "CREATE TABLE actions (id bigint PRIMARY KEY, admin_id int NOT NULL, at timestamptz NOT NULL, note "
                            + "text)");
            // a few admins do most of the work: the rows of one admin are not spread evenly in time
            s.execute("INSERT INTO actions SELECT g, CASE WHEN g % 10 < 8 THEN g % 3 ELSE g % 250 END,"
                    + " timestamptz '2026-01-01' + g * interval '1 minute', 'n' FROM generate_series(1, 300000) g");
            s.execute("ANALYZE actions");
        }
        // as pg_stat_statements writes it: every value a parameter, the LIMIT too
        IndexAdvisor.Advice a = advise("SELECT id, at FROM actions WHERE admin_id = $1 ORDER BY at DESC LIMIT $2");

        assertThat(a.indexes()).anySatisfy(r -> {
            assertThat(r.table()).isEqualTo("public.actions");
            assertThat(r.columns().get(0)).isEqualTo("admin_id");
            assertThat(r.columns()).contains("at");
        });
    }

    @Test
    void a_write_only_table_gets_no_index() throws SQLException {
        IndexAdvisor.Advice a = advise(
                "INSERT INTO events (kind, payload) VALUES ('login', 'x')",
                "INSERT INTO events (kind, payload) VALUES ('logout', 'y')");

        assertThat(a.indexes()).isEmpty();
    }

    @Test
    void writes_outweighing_a_rare_read_leave_the_table_without_an_index() throws SQLException {
        IndexAdvisor advisor =
                new IndexAdvisor(new IndexAdvisor.Options(100L << 20, 2, 0, 0.01, 256L << 20, 1L << 20), step -> {});
        Workload w = new Workload(
                "mix",
                List.of(
                        new Workload.Query("read", "SELECT count(*) FROM events WHERE kind = 'k7'", 1),
                        new Workload.Query(
                                "write", "INSERT INTO events (kind, payload) VALUES ('k1', 'x')", 1_000_000)));
        try (Connection c = db.dataSource().getConnection()) {
            assertThat(advisor.advise(c, w).indexes()).isEmpty();
        }
        // the same read alone is worth an index
        assertThat(advise("SELECT count(*) FROM events WHERE kind = 'k7'").indexes())
                .anySatisfy(r -> assertThat(r.columns()).startsWith("kind"));
    }

    @Test
    void an_existing_index_is_never_recommended_again() throws SQLException {
        IndexAdvisor.Advice a = advise("SELECT * FROM wide WHERE a = 5 AND b = 3", "SELECT * FROM wide WHERE id = 77");

        assertThat(a.indexes())
                .noneMatch(r -> r.table().equals("public.wide")
                        && (r.columns().equals(List.of("a"))
                                || r.columns().equals(List.of("a", "b"))
                                || r.columns().equals(List.of("b"))
                                || r.columns().equals(List.of("id"))));
    }

    @Test
    void hygiene_finds_the_unused_the_duplicate_and_the_invalid_index() throws SQLException {
        try (Connection c = db.dataSource().getConnection();
                Statement s = c.createStatement()) {
            s.execute("CREATE TABLE dup_codes (code text)");
            s.execute("INSERT INTO dup_codes VALUES ('x'), ('x')");
            try {
                s.execute("CREATE UNIQUE INDEX CONCURRENTLY dup_codes_unique ON dup_codes (code)");
            } catch (SQLException expected) {
                // the duplicates make the concurrent build fail and leave an invalid index
            }
        }
        IndexAdvisor.Advice a;
        try (Connection c = db.dataSource().getConnection()) {
            // judged at once (the default waits 7 days of watching: DatabaseCollectorTest)
            a = new IndexAdvisor(
                            new IndexAdvisor.Options(
                                    100L << 20, 2, 0, 0.01, 256L << 20, 1L << 20, true, java.time.Duration.ZERO),
                            step -> {})
                    .advise(c, Workload.fromText("test", "SELECT * FROM orders WHERE id = 1"));
        }

        assertThat(a.hygiene()).anySatisfy(i -> {
            assertThat(i.kind()).isEqualTo("unused");
            assertThat(i.index()).isEqualTo("wide_b");
            assertThat(i.sizeBytes()).isPositive();
        });
        assertThat(a.hygiene()).anySatisfy(i -> {
            assertThat(i.kind()).isEqualTo("duplicate");
            assertThat(i.index()).isEqualTo("wide_a");
            assertThat(i.fix()).startsWith("DROP INDEX CONCURRENTLY");
        });
        assertThat(a.hygiene()).anySatisfy(i -> {
            assertThat(i.kind()).isEqualTo("invalid");
            assertThat(i.fix()).startsWith("REINDEX INDEX CONCURRENTLY");
        });
    }

    /**
     * Issue 16: the advisor proposed a copy of an existing partial index: the normalized statement
     * ({@code status = $1}) cannot prove the predicate, so the generic plan could not use it.
     */
    @Test
    void an_existing_partial_index_is_not_copied() throws SQLException {
        try (Connection c = db.dataSource().getConnection();
                Statement s = c.createStatement()) {
            s.execute("CREATE TABLE tickets (id bigint PRIMARY KEY, status text NOT NULL, assignee int NOT NULL)");
            s.execute("INSERT INTO tickets SELECT g, CASE WHEN g % 50 = 0 THEN 'open' ELSE 'closed' END, g % 5000"
                    + " FROM generate_series(1, 200000) g");
            s.execute("CREATE INDEX tickets_open_assignee ON tickets (assignee) WHERE status = 'open'");
            // a key column its predicate reads too (the admin schema has such; pg_depend lists it twice)
            s.execute("CREATE INDEX tickets_not_closed ON tickets (status) WHERE status <> 'closed'");
            s.execute("VACUUM ANALYZE tickets");
        }
        IndexAdvisor.Advice a = advise("SELECT id FROM tickets WHERE assignee = $1 AND status = 'open'");

        assertThat(a.indexes())
                .noneMatch(r ->
                        r.table().equals("public.tickets") && r.columns().get(0).equals("assignee"));
    }

    /**
     * Issue 16: a 1 MB index no statement could use was reported 3.4x faster, because the
     * statements got faster by warm-up and noise. Only statements whose plan uses a new index are
     * credited now.
     */
    @Test
    void an_index_no_statement_uses_is_reported_as_no_measurable_change() throws SQLException {
        Workload w = Workload.fromText(
                "unused",
                "SELECT count(*) FROM events WHERE kind = 'k7'; SELECT max(total) FROM orders WHERE total < 5");
        IndexDef unused = new IndexDef("public.events", List.of("payload"));
        IndexAdvisor.Recommendation r = new IndexAdvisor.Recommendation(
                unused.ddl(), unused.name(), unused.table(), unused.columns(), List.of(), 0, List.of(), "");
        try (Connection c = db.dataSource().getConnection()) {
            try {
                IndexApplier.Outcome o = new IndexApplier(Duration.ofSeconds(5), Duration.ofSeconds(30), line -> {})
                        .apply(c, w, List.of(r));

                assertThat(o.indexes())
                        .singleElement()
                        .satisfies(i -> assertThat(i.valid()).isTrue());
                assertThat(o.queries())
                        .hasSize(2)
                        .allSatisfy(q -> assertThat(q.usesNewIndex()).isFalse());
                assertThat(o.speedup()).isNull();
                assertThat(o.verdict()).startsWith("no measurable change: no timed statement's plan uses");
            } finally {
                try (Statement s = c.createStatement()) {
                    s.execute("DROP INDEX IF EXISTS " + unused.qualifiedName());
                }
            }
        }
    }

    /**
     * Found in issue 16's review: the DDL is CREATE INDEX CONCURRENTLY IF NOT EXISTS under the name
     * the advisor derives ({@code events_kind_idx}), which is also the name PostgreSQL gives an
     * unnamed index on the same column. With another index of that name (here a hash index) the
     * apply built nothing and reported the other index as built and valid.
     */
    @Test
    void an_apply_whose_index_name_is_taken_by_another_index_builds_nothing_and_says_so() throws SQLException {
        IndexDef wanted = new IndexDef("public.events", List.of("kind"));
        IndexAdvisor.Recommendation r = new IndexAdvisor.Recommendation(
                wanted.ddl(), wanted.name(), wanted.table(), wanted.columns(), List.of(), 0, List.of(), "");
        try (Connection c = db.dataSource().getConnection();
                Statement s = c.createStatement()) {
            s.execute("CREATE INDEX " + wanted.name() + " ON events USING hash (kind)");
            try {
                IndexApplier.Outcome o = new IndexApplier(Duration.ofSeconds(5), Duration.ofSeconds(30), line -> {})
                        .apply(c, Workload.fromText("w", "SELECT count(*) FROM events WHERE kind = 'k7'"), List.of(r));

                assertThat(o.indexes()).singleElement().satisfies(i -> {
                    assertThat(i.valid()).isFalse();
                    assertThat(i.error()).contains(wanted.name()).contains("already exists");
                });
                try (ResultSet rs =
                        s.executeQuery("SELECT indexdef FROM pg_indexes WHERE indexname = '" + wanted.name() + "'")) {
                    rs.next();
                    assertThat(rs.getString(1)).as("the other index, untouched").contains("USING hash");
                }
            } finally {
                s.execute("DROP INDEX IF EXISTS " + wanted.qualifiedName());
            }
        }
    }

    @Test
    void the_interval_holds_no_change_for_the_same_times_and_excludes_it_for_a_tenfold_gain() {
        double[] noisy = {10, 12, 9, 11, 10, 13, 9};
        double[] same = IndexApplier.interval(noisy, new double[] {11, 10, 12, 9, 10, 11, 12});
        assertThat(same[1]).isLessThan(1);
        assertThat(same[2]).isGreaterThan(1);
        double[] tenfold = IndexApplier.interval(noisy, new double[] {1.1, 1, 0.9, 1.2, 1, 1, 1.1});
        assertThat(tenfold[0]).isBetween(8.0, 12.0);
        assertThat(tenfold[1]).isGreaterThan(5);
    }

    @Test
    void apply_creates_valid_indexes_and_records_the_measured_improvement() throws SQLException {
        AdvisorSchema.migrate(db.dataSource());
        Workload w = Workload.fromText(
                "apply", "SELECT * FROM orders WHERE customer_id = 4242 ORDER BY created_at DESC LIMIT 20");
        IndexAdvisor advisor =
                new IndexAdvisor(new IndexAdvisor.Options(100L << 20, 2, 1, 0.01, 256L << 20, 1L << 20), step -> {});
        try (Connection c = db.dataSource().getConnection()) {
            IndexAdvisor.Advice a = advisor.advise(c, w);
            IndexApplier.Outcome o = new IndexApplier(Duration.ofSeconds(5), Duration.ofSeconds(30), line -> {})
                    .apply(c, w, a.indexes());

            assertThat(o.indexes()).singleElement().satisfies(i -> {
                assertThat(i.valid()).isTrue();
                assertThat(i.sizeBytes()).isPositive();
            });
            assertThat(o.afterMs()).isLessThan(o.beforeMs());
            assertThat(o.speedup()).isGreaterThan(2);
            assertThat(o.speedupLow()).isGreaterThan(1);
            assertThat(o.verdict()).contains("faster");
            assertThat(o.queries())
                    .singleElement()
                    .satisfies(q -> assertThat(q.usesNewIndex()).isTrue());
            assertThat(o.stored()).isTrue();
            try (Statement s = c.createStatement();
                    var rs = s.executeQuery(
                            "SELECT i.indisvalid, (SELECT count(*) FROM chrono_perf.index_applications) FROM pg_index i"
                                    + " WHERE i.indexrelid = to_regclass('public.orders_customer_id_created_at_idx')"
                                    + " OR i.indexrelid = to_regclass('public.orders_customer_id_idx')")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getBoolean(1)).isTrue();
                assertThat(rs.getLong(2)).isEqualTo(1);
            }
            // applied: the advisor now leaves it alone
            assertThat(advisor.advise(c, w).indexes())
                    .noneMatch(r -> r.columns().get(0).equals("customer_id"));
        }
    }

    @Test
    void no_recommended_index_leads_another_on_the_same_table_and_each_helps_a_statement() throws SQLException {
        IndexAdvisor.Advice a = advise(
                "SELECT * FROM orders WHERE customer_id = 42",
                "SELECT * FROM orders WHERE customer_id = 42 AND created_at > now() - interval '1 day'",
                "SELECT * FROM orders WHERE customer_id = 7 ORDER BY created_at DESC LIMIT 20");

        assertThat(a.indexes())
                .isNotEmpty()
                .allSatisfy(r -> assertThat(r.queriesHelped()).isNotEmpty());
        for (IndexAdvisor.Recommendation r : a.indexes()) {
            assertThat(a.indexes())
                    .noneMatch(o -> o != r
                            && o.table().equals(r.table())
                            && o.columns().size() > r.columns().size()
                            && o.columns().subList(0, r.columns().size()).equals(r.columns()));
        }
        long used = a.indexes().stream()
                .mapToLong(IndexAdvisor.Recommendation::sizeBytes)
                .sum();
        assertThat(a.usedBytes()).isEqualTo(used);
    }
}
