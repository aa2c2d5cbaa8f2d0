package io.chronoperf.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.chronoperf.server.ServerFixture.Response;
import io.chronoperf.server.schedule.TasksConfig.BackgroundTasks;
import io.chronoperf.server.watch.SampleRounds;
import io.chronoperf.testkit.TestDatabase;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/**
 * Issue 15: serve on its own database with a pgbench database, an empty database and one that is
 * down in CHRONO_PERF_WATCH. It comes up; /databases lists them with their state; each has its own
 * health, statistics and slow queries (its history in a schema chrono_perf of its own, nothing in
 * its public schema); the analysis, the advice and optimize run against it and none of their
 * statements shows in its slow queries; the one that is down is shown down while the others go on.
 */
class WatchedDatabasesTest {
    @RegisterExtension
    @Order(1)
    static final TestDatabase bench = new TestDatabase();

    @RegisterExtension
    @Order(2)
    static final TestDatabase empty = new TestDatabase();

    @RegisterExtension
    @Order(3)
    static final ServerFixture server = new ServerFixture().withProperties(() -> {
        try (Connection c = bench.dataSource().getConnection();
                Statement s = c.createStatement()) {
            s.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
            s.execute("CREATE TABLE pgbench_accounts (aid integer PRIMARY KEY, bid integer, abalance integer, filler "
                    + "character(84))");
            s.execute("INSERT INTO pgbench_accounts SELECT g, 1, 0, '' FROM generate_series(1, 20000) g");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return Map.of(
                // the spread round's test drives its ticks itself: no scheduled tick in between
                "chrono-perf.monitor.first-sample-delay",
                "PT1H",
                "chrono-perf.watch",
                "bench=" + url(bench) + ", empty=" + url(empty) + ", gone=jdbc:postgresql://127.0.0.1:" + closed
                        + "/gone?user=nobody");
    });

    private static String url(TestDatabase db) {
        var e = db.endpoint();
        return e.jdbcUrl() + (e.jdbcUrl().contains("?") ? "&" : "?") + "user=" + e.user()
                + (e.password() == null ? "" : "&password=" + e.password());
    }

    @Test
    void a_tick_of_the_spread_round_samples_the_databases_whose_slice_began_and_skips_one_that_is_down()
            throws Exception {
        awaitGoneDown();
        BackgroundTasks tasks = server.bean(BackgroundTasks.class);
        SampleRounds rounds = new SampleRounds(3, Duration.ofSeconds(30)); // bench, empty, gone: 10 s each
        long first = (rounds.tickAt(Instant.now()) / 3 + 1000) * 3; // a slice 0, well ahead of any real tick
        Instant at = Instant.ofEpochMilli(first * rounds.tick().toMillis());

        assertThat(tasks.sampleWatchedDue(at)).containsExactly("bench");
        assertThat(tasks.sampleWatchedDue(at.plus(rounds.tick()))).containsExactly("empty");
        assertThat(tasks.sampleWatchedDue(at.plus(rounds.tick().multipliedBy(2))))
                .as("gone is down")
                .isEmpty();
        // a tick that comes late samples every slice that began since the previous one
        assertThat(tasks.sampleWatchedDue(at.plus(rounds.tick().multipliedBy(5))))
                .containsExactly("bench", "empty");
    }

    private void awaitGoneDown() throws InterruptedException {
        String viewer = server.token("viewer");
        long deadline = System.nanoTime() + 15_000_000_000L;
        while (!server.get("/api/v1/admin/performance/databases", viewer)
                .json()
                .get("databases")
                .get(3)
                .get("state")
                .asString()
                .equals("down")) {
            assertThat(System.nanoTime()).as("the watch finds gone down").isLessThan(deadline);
            Thread.sleep(50); // waits for the condition: the watches' first probes
        }
    }

    @Test
    void each_watched_database_has_its_state_health_statistics_and_slow_queries() throws Exception {
        String viewer = server.token("viewer");
        BackgroundTasks tasks = server.bean(BackgroundTasks.class);
        awaitGoneDown();
        tasks.sampleWatched();
        try (Connection c = bench.dataSource().getConnection();
                Statement s = c.createStatement()) {
            for (int i = 0; i < 3; i++) {
                s.execute("SELECT aid, abalance, pg_sleep(0.25) FROM pgbench_accounts WHERE aid = 1");
            }
        }
        tasks.sampleWatched();

        Response list = server.get("/api/v1/admin/performance/databases", viewer);
        assertThat(list.status()).isEqualTo(200);
        List<String> states = new ArrayList<>();
        list.json()
                .get("databases")
                .forEach(d -> states.add(
                        d.get("name").asString() + ":" + d.get("state").asString()));
        assertThat(states).containsExactly("main:up", "bench:up", "empty:up", "gone:down");
        assertThat(list.body())
                .doesNotContain("password=" + bench.endpoint().password() + "&")
                .as("no password shown");

        for (String name : List.of("bench", "empty", "main")) {
            Response h = server.get("/api/v1/admin/performance/health?database=" + name, viewer);
            assertThat(h.status()).as(name).isEqualTo(200);
            assertThat(h.json().get("services").get("database").asString())
                    .as(name)
                    .isEqualTo("up");
        }
        Response gone = server.get("/api/v1/admin/performance/health?database=gone", viewer);
        assertThat(gone.status()).isEqualTo(200);
        assertThat(gone.json().get("services").get("database").asString()).isEqualTo("down");
        assertThat(server.get("/api/v1/admin/performance/database/stats?database=gone", viewer)
                        .status())
                .isEqualTo(503);

        Response stats = server.get("/api/v1/admin/performance/database/stats?database=bench", viewer);
        assertThat(stats.status()).isEqualTo(200);
        assertThat(stats.body()).contains("pgbench_accounts");
        // the analysis, the advice and optimize run against that database, with its own analysis role
        String admin = server.token("admin");
        Response analyze = server.post(
                "/api/v1/admin/performance/query/analyze?database=bench",
                "{\"query\": \"SELECT aid, abalance FROM pgbench_accounts WHERE abalance = 0\"}",
                admin);
        assertThat(analyze.status()).as(analyze.body()).isEqualTo(200);
        assertThat(analyze.body()).contains("pgbench_accounts");
        Response missing = server.post(
                "/api/v1/admin/performance/query/analyze?database=main",
                "{\"query\": \"SELECT aid FROM pgbench_accounts\"}",
                admin);
        assertThat(missing.status())
                .as("main has no such table: the analysis ran where it was asked")
                .isNotEqualTo(200);
        assertThat(server.get("/api/v1/admin/performance/indexes/recommendations?database=bench", admin)
                        .status())
                .isEqualTo(200);
        Response optimize = server.post("/api/v1/admin/performance/system/optimize?database=bench", "{}", admin);
        assertThat(optimize.status()).as(optimize.body()).isEqualTo(200);
        tasks.sampleWatched();

        Response slow = server.get("/api/v1/admin/performance/database/slow-queries?hours=1&database=bench", viewer);
        assertThat(slow.status()).isEqualTo(200);
        JsonNode first = slow.json().get("queries").get(0);
        assertThat(first).as(slow.body()).isNotNull();
        assertThat(first.get("statement").get("query").asString()).contains("pgbench_accounts");
        assertThat(slow.body()).doesNotContain("chrono_perf").doesNotContain("EXPLAIN");
        assertThat(server.get("/api/v1/admin/performance/history?hours=1&database=bench", viewer)
                        .status())
                .isEqualTo(200);
        assertThat(server.get("/api/v1/admin/performance/alerts?database=bench", viewer)
                        .status())
                .isEqualTo(200);
        assertThat(server.get("/api/v1/admin/performance/database/trends?database=bench", viewer)
                        .status())
                .isEqualTo(200);

        // nothing of chrono-perf's in their public schemas; its history in chrono_perf of each
        for (TestDatabase db : List.of(bench, empty)) {
            try (Connection c = db.dataSource().getConnection();
                    Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT string_agg(c.relname, ',' ORDER BY c.relname) FROM pg_class c"
                            + " WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'S')")) {
                rs.next();
                assertThat(rs.getString(1)).isIn("pgbench_accounts", null);
            }
        }
        Response unknown = server.get("/api/v1/admin/performance/health?database=nope", viewer);
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.json().get("detail").asString()).contains("main, bench, empty, gone");
    }
}
