package io.chronoperf.server.replica;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.chronoperf.runtime.DatabaseEndpoint;
import io.chronoperf.server.replica.ReadReplicas.Route;
import io.chronoperf.server.replica.ReadReplicas.State;
import io.chronoperf.testkit.ReplicatedPostgres;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The read routing against a real primary and a real streaming replica (two private clusters of
 * the machine's PostgreSQL, the replica made by pg_basebackup): reads go to the replica while it
 * keeps up, a read after a write sees the write while the replica's replay is paused, a replica
 * that lags beyond the bound or is down is not tried, and a server that is not a replica of this
 * primary is never read from.
 */
class ReadReplicasTest {
    @RegisterExtension
    static final ReplicatedPostgres pg = new ReplicatedPostgres();

    private static HikariDataSource primary;

    @BeforeAll
    static void schema() throws Exception {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(pg.primary().jdbcUrl());
        config.setUsername(pg.primary().user());
        config.setMaximumPoolSize(4);
        primary = new HikariDataSource(config);
        try (Connection c = primary.getConnection();
                Statement s = c.createStatement()) {
            s.execute("CREATE TABLE accounts (id int PRIMARY KEY, status text NOT NULL)");
            s.execute("INSERT INTO accounts SELECT g, 'active' FROM generate_series(1, 100) g");
        }
        pg.awaitCaughtUp(Duration.ofSeconds(30));
    }

    @AfterAll
    static void close() {
        primary.close();
    }

    private static ReadReplicas routing(DatabaseEndpoint replica, Duration maxLag) {
        return new ReadReplicas(primary, List.of(replica), maxLag, Duration.ofMillis(100), Clock.systemUTC(), ds -> ds);
    }

    @Test
    void reads_go_to_the_replica_while_it_keeps_up() throws Exception {
        try (ReadReplicas routing = routing(pg.replica(), Duration.ofMillis(500))) {
            await(routing, s -> s == State.SERVING);
            for (int i = 0; i < 20; i++) {
                assertThat(inRecovery(routing))
                        .as("read %d ran on the replica", i)
                        .isTrue();
            }
            assertThat(routing.count(Route.REPLICA)).isEqualTo(20);
            assertThat(routing.status().replicas().get(0).reads()).isEqualTo(20);
        }
    }

    @Test
    void a_read_after_a_write_sees_the_write_though_the_replica_has_not_replayed_it() throws Exception {
        try (ReadReplicas routing = routing(pg.replica(), Duration.ofSeconds(1))) {
            await(routing, s -> s == State.SERVING);
            pg.pauseReplay();
            try {
                write("UPDATE accounts SET status = 'locked' WHERE id = 7");
                // The replica has not got it: a read routed there without the check would be stale.
                try (Connection c = pg.replica().connect()) {
                    assertThat(status(c, 7)).isEqualTo("active");
                }
                // The replica was tried (it serves: the write is newer than the 1-s bound) and waited
                // for up to the bound; the read then ran on the primary.
                try (Connection c = routing.reads().getConnection()) {
                    assertThat(status(c, 7)).isEqualTo("locked");
                    assertThat(inRecovery(c)).isFalse();
                }
                assertThat(routing.count(Route.PRIMARY_REPLICA_BEHIND)).isEqualTo(1);
                assertThat(routing.count(Route.REPLICA)).isZero();
            } finally {
                pg.resumeReplay();
            }
            pg.awaitCaughtUp(Duration.ofSeconds(30));
            try (Connection c = routing.reads().getConnection()) {
                assertThat(inRecovery(c)).isTrue();
                assertThat(status(c, 7)).isEqualTo("locked");
            }
        } finally {
            write("UPDATE accounts SET status = 'active' WHERE id = 7");
        }
    }

    @Test
    void a_replica_that_lags_beyond_the_bound_is_not_tried_until_it_catches_up() throws Exception {
        try (ReadReplicas routing = routing(pg.replica(), Duration.ofMillis(200))) {
            await(routing, s -> s == State.SERVING);
            pg.pauseReplay();
            try {
                write("UPDATE accounts SET status = 'review' WHERE id = 8");
                await(routing, s -> s == State.LAGGING);
                ReadReplicas.ReplicaStatus lagging = routing.status().replicas().get(0);
                assertThat(lagging.lagSeconds()).isGreaterThan(0.2);
                assertThat(lagging.lagBytes()).isPositive();
                assertThat(lagging.reason()).contains("behind");
                long started = System.nanoTime();
                try (Connection c = routing.reads().getConnection()) {
                    assertThat(status(c, 8)).isEqualTo("review");
                    assertThat(inRecovery(c)).isFalse();
                }
                // not tried: no wait for it
                assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofMillis(200));
                assertThat(routing.count(Route.PRIMARY_REPLICA_LAGGING)).isEqualTo(1);
            } finally {
                pg.resumeReplay();
            }
            await(routing, s -> s == State.SERVING);
            assertThat(inRecovery(routing)).isTrue();
        } finally {
            write("UPDATE accounts SET status = 'active' WHERE id = 8");
        }
    }

    @Test
    void a_replica_that_is_down_sends_reads_to_the_primary_until_it_is_back() throws Exception {
        try (ReadReplicas routing = routing(pg.replica(), Duration.ofMillis(500))) {
            await(routing, s -> s == State.SERVING);
            pg.stopReplica();
            try {
                for (int i = 0; i < 5; i++) {
                    try (Connection c = routing.reads().getConnection()) {
                        assertThat(inRecovery(c)).isFalse();
                        assertThat(status(c, 1)).isEqualTo("active");
                    }
                }
                assertThat(routing.status().replicas().get(0).state()).isEqualTo(State.DOWN);
                assertThat(routing.count(Route.PRIMARY_REPLICA_DOWN)).isEqualTo(5);
            } finally {
                pg.startReplica();
            }
            await(routing, s -> s == State.SERVING);
            assertThat(inRecovery(routing)).isTrue();
        }
    }

    @Test
    void a_replica_that_freezes_does_not_hold_reads_for_longer_than_the_bound_and_a_second() throws Exception {
        try (ReadReplicas routing = routing(pg.replica(), Duration.ofMillis(200))) {
            await(routing, s -> s == State.SERVING);
            assertThat(inRecovery(routing)).isTrue(); // a pooled connection to it now exists
            Thread.sleep(600); // idle past the pool's 500 ms: it is validated before it is handed out
            pg.freezeReplica();
            try {
                assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
                    for (int i = 0; i < 5; i++) {
                        long start = System.nanoTime();
                        try (Connection c = routing.reads().getConnection()) {
                            assertThat(inRecovery(c)).isFalse();
                            assertThat(status(c, 2)).isEqualTo("active");
                        }
                        // the bound and a second at most, with room for a busy machine; it was 5 s
                        // (the pool's default validation timeout) and, before, forever
                        assertThat(Duration.ofNanos(System.nanoTime() - start))
                                .as("read %d", i)
                                .isLessThan(Duration.ofMillis(3_500));
                    }
                });
                await(routing, s -> s == State.DOWN);
                assertThat(routing.count(Route.REPLICA)).isEqualTo(1);
            } finally {
                pg.thawReplica();
            }
            await(routing, s -> s == State.SERVING);
            assertThat(inRecovery(routing)).isTrue();
        }
    }

    @Test
    void a_password_in_the_replica_url_is_never_shown() throws Exception {
        DatabaseEndpoint withPassword = DatabaseEndpoint.external(
                pg.replica().jdbcUrl() + "?password=s3cret-value", pg.replica().user(), null);
        try (ReadReplicas routing = routing(withPassword, Duration.ofMillis(500))) {
            await(routing, s -> s == State.SERVING); // trust authentication takes any password
            assertThat(routing.status().toString())
                    .doesNotContain("s3cret-value")
                    .contains("password=***");
        }
    }

    @Test
    void a_server_that_is_not_a_replica_of_this_primary_is_never_read_from() throws Exception {
        // The primary itself named as a replica: it answers, but it is not in recovery.
        try (ReadReplicas routing = routing(pg.primary(), Duration.ofMillis(500))) {
            await(routing, s -> s == State.NOT_A_REPLICA);
            assertThat(routing.status().replicas().get(0).reason()).contains("not in recovery");
            for (int i = 0; i < 3; i++) {
                routing.reads().getConnection().close();
            }
            assertThat(routing.count(Route.REPLICA)).isZero();
            assertThat(routing.count(Route.PRIMARY_REPLICA_DOWN)).isEqualTo(3);
        }
    }

    private static void write(String sql) throws SQLException {
        try (Connection c = primary.getConnection();
                Statement s = c.createStatement()) {
            s.executeUpdate(sql);
        }
    }

    private static String status(Connection c, int id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT status FROM accounts WHERE id = ?")) {
            ps.setInt(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    private static boolean inRecovery(ReadReplicas routing) throws SQLException {
        try (Connection c = routing.reads().getConnection()) {
            return inRecovery(c);
        }
    }

    private static boolean inRecovery(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT pg_is_in_recovery()")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    private static void await(ReadReplicas routing, Predicate<State> wanted) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            if (wanted.test(routing.status().replicas().get(0).state())) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError(
                "the replica's state stayed " + routing.status().replicas().get(0));
    }
}
