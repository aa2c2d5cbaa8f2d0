package io.chronoperf.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import io.chronoperf.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Each condition is created for real, then the collector must see it. */
class DatabaseCollectorTest {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    static final DatabaseCollector collector =
            new DatabaseCollector(new DatabaseCollector.Options(Duration.ofSeconds(1), 0, 1L << 20, Duration.ZERO));

    @BeforeAll
    static void schema() throws SQLException {
        execute("CREATE TABLE items (id bigint PRIMARY KEY, a int, b int, code text)");
        execute("INSERT INTO items SELECT g, g % 10, g % 100, 'c' || g FROM generate_series(1, 1000) g");
        execute("ANALYZE items");
    }

    @Test
    void unused_duplicate_and_invalid_indexes_are_reported_with_their_fix() throws SQLException {
        execute("CREATE INDEX items_a ON items (a)");
        execute("CREATE INDEX items_a_b ON items (a, b)");
        execute("INSERT INTO items VALUES (5000, 1, 1, 'dup'), (5001, 1, 1, 'dup')");
        try {
            execute("CREATE UNIQUE INDEX CONCURRENTLY items_code_unique ON items (code)");
        } catch (SQLException expected) {
            // duplicates: the concurrent build fails and leaves an INVALID index
        }

        DatabaseCollector.Snapshot s = snapshot();

        assertThat(s.indexes()).anySatisfy(i -> {
            assertThat(i.kind()).isEqualTo("duplicate");
            assertThat(i.index()).isEqualTo("items_a");
            assertThat(i.detail()).contains("items_a_b");
        });
        assertThat(s.indexes()).anySatisfy(i -> {
            assertThat(i.kind()).isEqualTo("unused");
            assertThat(i.fix()).startsWith("DROP INDEX CONCURRENTLY");
        });
        assertThat(s.indexes()).anySatisfy(i -> {
            assertThat(i.kind()).isEqualTo("invalid");
            assertThat(i.index()).isEqualTo("items_code_unique");
            assertThat(i.fix()).startsWith("REINDEX INDEX CONCURRENTLY");
        });
        assertThat(s.indexes()).noneMatch(i -> i.index().equals("items_pkey"));
    }

    @Test
    void bloat_left_by_a_mass_delete_is_estimated_for_the_table_and_its_index() throws SQLException {
        execute("CREATE TABLE churn (id bigint PRIMARY KEY, pad text)");
        execute("INSERT INTO churn SELECT g, repeat('x', 100) FROM generate_series(1, 100000) g");
        execute("VACUUM ANALYZE churn");
        assertThat(snapshot().bloat()).noneMatch(b -> b.table().endsWith(".churn"));

        execute("DELETE FROM churn WHERE id % 10 <> 0");
        execute("VACUUM ANALYZE churn"); // the space is free inside the files, which keep their size

        DatabaseCollector.Snapshot s = snapshot();
        assertThat(s.bloat()).anySatisfy(b -> {
            assertThat(b.kind()).isEqualTo("table");
            assertThat(b.table()).endsWith(".churn");
            assertThat(b.bloatPct()).isGreaterThan(70);
        });
        assertThat(s.bloat()).anySatisfy(b -> {
            assertThat(b.kind()).isEqualTo("index");
            assertThat(b.index()).endsWith("churn_pkey");
            assertThat(b.fix()).startsWith("REINDEX INDEX CONCURRENTLY");
        });
        assertThat(s.replicas()).isEmpty(); // a lone server
    }

    @Test
    void a_sequence_near_its_maximum_is_reported() throws SQLException {
        execute("CREATE SEQUENCE nearly_full MAXVALUE 100");
        execute("SELECT setval('nearly_full', 95)");

        assertThat(snapshot().sequences()).anySatisfy(q -> {
            assertThat(q.sequence()).endsWith("nearly_full");
            assertThat(q.usedPct()).isEqualTo(95.0);
        });
    }

    @Test
    void a_blocked_query_is_seen_with_its_blocker_and_a_long_running_one_too() throws Exception {
        try (Connection holder = db.dataSource().getConnection();
                Statement h = holder.createStatement()) {
            holder.setAutoCommit(false);
            h.execute("LOCK TABLE items IN ACCESS EXCLUSIVE MODE");
            CompletableFuture<Void> waiter = CompletableFuture.runAsync(() -> {
                try (Connection c = db.dataSource().getConnection();
                        Statement s = c.createStatement()) {
                    s.execute("SET lock_timeout = '20s'");
                    s.execute("SELECT count(*) FROM items");
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            DatabaseCollector.Snapshot s = awaitSnapshot(
                    x -> !x.blocked().isEmpty() && !x.longRunning().isEmpty());

            assertThat(s.blocked()).anySatisfy(b -> {
                assertThat(b.query()).contains("count(*) FROM items");
                assertThat(b.blockedBy()).isNotEmpty();
            });
            assertThat(s.longRunning()).anySatisfy(l -> assertThat(l.seconds()).isGreaterThan(1));
            assertThat(s.locksWaiting()).isPositive();
            assertThat(s.locks()).anySatisfy(l -> {
                assertThat(l.mode()).isEqualTo("AccessShareLock");
                assertThat(l.waiting()).isPositive();
            });
            holder.rollback();
            waiter.get();
        }
    }

    @Test
    void a_monitoring_role_with_only_pg_monitor_takes_a_full_snapshot_and_the_score() throws SQLException {
        String role = "cp_monitor_" + Long.toHexString(System.nanoTime());
        execute("CREATE ROLE " + role + " LOGIN PASSWORD 'monitor-secret' NOSUPERUSER");
        execute("GRANT pg_monitor TO " + role);
        try {
            java.util.Properties p = new java.util.Properties();
            p.setProperty("user", role);
            p.setProperty("password", "monitor-secret");
            String url = db.endpoint().jdbcUrl().replaceAll("([?&])user=[^&]*&?", "$1");
            try (Connection c = java.sql.DriverManager.getConnection(url, p)) {
                try (Statement who = c.createStatement();
                        java.sql.ResultSet rs = who.executeQuery(
                                "SELECT current_user, (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)")) {
                    rs.next();
                    assertThat(rs.getString(1)).isEqualTo(role);
                    assertThat(rs.getBoolean(2)).isFalse();
                }
                DatabaseCollector.Snapshot s = collector.collect(c);
                StatementSummary statements = StatementSummary.of(c);

                assertThat(s.database().commits()).isPositive();
                assertThat(s.connections().maxConnections()).isPositive();
                assertThat(s.tables()).isNotEmpty(); // pg_stat_user_tables lists tables the role cannot read
                assertThat(HealthScore.of(s, statements, HealthScore.CacheWindow.sinceReset(s), false)
                                .score())
                        .isBetween(0.0, 100.0);
                assertThat(BlindSpots.of(c))
                        .extracting(BlindSpots.BlindSpot::name)
                        .doesNotHaveDuplicates();
            }
        } finally {
            execute("DROP OWNED BY " + role);
            execute("DROP ROLE " + role);
        }
    }

    @Test
    void database_counters_and_connections_are_read() throws SQLException {
        DatabaseCollector.Snapshot s = snapshot();

        assertThat(s.database().name()).isEqualTo(db.endpoint().databaseName());
        assertThat(s.database().commits()).isPositive();
        assertThat(s.connections().maxConnections()).isPositive();
        assertThat(s.connections().total()).isPositive();
        assertThat(s.xidAgePct()).isBetween(0.0, 100.0);
        assertThat(s.tables()).anySatisfy(t -> {
            assertThat(t.table()).endsWith(".items");
            assertThat(t.sizeBytes()).isPositive();
        });
    }

    /**
     * Issue 16: hygiene proposed dropping the strategic indexes minutes after they were built.
     * An index is judged unused only after it was watched long enough, and says how long.
     */
    @Test
    void an_index_is_reported_unused_only_after_it_was_watched_long_enough() throws SQLException {
        MonitorSchema.migrate(db.dataSource());
        execute("CREATE INDEX items_fresh ON items (b, a)");
        DatabaseCollector waiting = new DatabaseCollector(new DatabaseCollector.Options(
                Duration.ofSeconds(1), 0, 1L << 20, DatabaseCollector.Options.UNUSED_AFTER));
        try {
            try (Connection c = db.dataSource().getConnection()) {
                assertThat(waiting.collect(c).indexes())
                        .as("built a moment ago: no verdict yet")
                        .noneMatch(i -> i.index().equals("items_fresh"));
            }
            execute("UPDATE chrono_perf.index_first_seen SET first_seen = now() - interval '8 days'"
                    + " WHERE index_name = 'public.items_fresh'");
            try (Connection c = db.dataSource().getConnection()) {
                assertThat(waiting.collect(c).indexes()).anySatisfy(i -> {
                    assertThat(i.index()).isEqualTo("items_fresh");
                    assertThat(i.kind()).isEqualTo("unused");
                    assertThat(i.detail()).startsWith("no scans in the 8.0 days watched");
                });
            }
        } finally {
            execute("DROP INDEX items_fresh");
        }
    }

    private static DatabaseCollector.Snapshot snapshot() throws SQLException {
        try (Connection c = db.dataSource().getConnection()) {
            return collector.collect(c);
        }
    }

    /** Polls (a blocked session needs a moment to start waiting, and a second to become long-running). */
    private static DatabaseCollector.Snapshot awaitSnapshot(
            java.util.function.Predicate<DatabaseCollector.Snapshot> ready) throws SQLException, InterruptedException {
        long deadline = System.nanoTime() + 15_000_000_000L;
        DatabaseCollector.Snapshot s = snapshot();
        while (!ready.test(s) && System.nanoTime() < deadline) {
            Thread.sleep(100);
            s = snapshot();
        }
        return s;
    }

    private static void execute(String sql) throws SQLException {
        try (Connection c = db.dataSource().getConnection();
                Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
