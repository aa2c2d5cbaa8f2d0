package io.chronoperf.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.chronoperf.runtime.DatabaseEndpoint;
import io.chronoperf.server.replica.ReadReplicas;
import io.chronoperf.server.replica.ReadReplicas.Route;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;
import javax.sql.DataSource;

/**
 * Issue 18: what the read routing costs and where reads go. On a primary and its streaming
 * replica, one point read by primary key ({@code SELECT ... WHERE id = ?} on a table of 10,000
 * rows the benchmark makes, {@code cp_replica_bench}, dropped at the end) is timed three ways: on
 * the primary's pool directly; through {@link ReadReplicas} with the primary idle; and through it
 * while a writer updates a row on the primary every {@code writeEvery}. Each reports p50 and p95
 * of a read (getting the connection included) and how many reads each route took.
 */
public final class ReplicaBenchmark {
    /** One way of reading. */
    public record Phase(String name, int reads, double p50Ms, double p95Ms, Map<Route, Long> routes, long writes) {}

    private ReplicaBenchmark() {}

    public static List<Phase> run(
            DatabaseEndpoint primary,
            DatabaseEndpoint replica,
            int reads,
            Duration maxLag,
            Duration writeEvery,
            Consumer<String> progress)
            throws SQLException, InterruptedException {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(primary.jdbcUrl());
        config.setUsername(primary.user());
        config.setPassword(primary.password());
        config.setMaximumPoolSize(4);
        config.setPoolName("bench-primary");
        List<Phase> phases = new ArrayList<>();
        try (HikariDataSource pool = new HikariDataSource(config)) {
            try (Connection c = pool.getConnection();
                    Statement s = c.createStatement()) {
                s.execute("DROP TABLE IF EXISTS cp_replica_bench");
                s.execute("CREATE TABLE cp_replica_bench (id int PRIMARY KEY, v text NOT NULL)");
                s.execute("INSERT INTO cp_replica_bench SELECT g, md5(g::text) FROM generate_series(1, 10000) g");
            }
            try {
                progress.accept("table made; reading on the primary directly");
                phases.add(time("primary only (no routing)", pool, null, reads, null));
                try (ReadReplicas routing = new ReadReplicas(
                        pool, List.of(replica), maxLag, Duration.ofMillis(500), Clock.systemUTC(), ds -> ds)) {
                    awaitServing(routing);
                    progress.accept("replica serves; reading through the routing, the primary idle");
                    phases.add(time("routed, primary idle", routing.reads(), routing, reads, null));
                    progress.accept("reading through the routing while a writer updates a row every " + writeEvery);
                    phases.add(time(
                            "routed, a write every " + writeEvery.toMillis() + " ms",
                            routing.reads(),
                            routing,
                            reads,
                            () -> writer(pool, writeEvery)));
                }
            } finally {
                try (Connection c = pool.getConnection();
                        Statement s = c.createStatement()) {
                    s.execute("DROP TABLE IF EXISTS cp_replica_bench");
                }
            }
        }
        return phases;
    }

    /** A writer that runs: {@link #stop()} ends it and says how many writes it made. */
    private interface Running {
        long stop();
    }

    /** Starts a thread that updates a row every {@code every}. */
    private static Running writer(DataSource pool, Duration every) {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong writes = new AtomicLong();
        Thread t = new Thread(
                () -> {
                    try (Connection c = pool.getConnection();
                            PreparedStatement ps =
                                    c.prepareStatement("UPDATE cp_replica_bench SET v = md5(v) WHERE id = ?")) {
                        int id = 0;
                        while (!stop.get()) {
                            ps.setInt(1, 1 + (id++ % 10_000));
                            ps.executeUpdate();
                            writes.incrementAndGet();
                            Thread.sleep(every.toMillis());
                        }
                    } catch (SQLException e) {
                        throw new IllegalStateException(e);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                },
                "bench-writer");
        t.start();
        return () -> {
            stop.set(true);
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return writes.get();
        };
    }

    private static Phase time(String name, DataSource reads, ReadReplicas routing, int n, Supplier<Running> writer)
            throws SQLException {
        for (int i = 0; i < Math.min(200, n); i++) { // warm-up: JIT, connections
            read(reads, 1 + i);
        }
        Map<Route, Long> before = counts(routing);
        Running running = writer == null ? null : writer.get();
        long writes = 0;
        long[] nanos = new long[n];
        try {
            for (int i = 0; i < n; i++) {
                long t = System.nanoTime();
                read(reads, 1 + (i * 7919) % 10_000);
                nanos[i] = System.nanoTime() - t;
            }
        } finally {
            if (running != null) {
                writes = running.stop();
            }
        }
        Map<Route, Long> after = counts(routing);
        Map<Route, Long> routes = new EnumMap<>(Route.class);
        for (Route r : Route.values()) {
            routes.put(r, after.getOrDefault(r, 0L) - before.getOrDefault(r, 0L));
        }
        Arrays.sort(nanos);
        return new Phase(
                name,
                n,
                nanos[n / 2] / 1e6,
                nanos[(int) Math.min(n - 1, Math.ceil(n * 0.95) - 1)] / 1e6,
                routing == null ? Map.of() : routes,
                writes);
    }

    private static Map<Route, Long> counts(ReadReplicas routing) {
        Map<Route, Long> out = new EnumMap<>(Route.class);
        if (routing != null) {
            for (Route r : Route.values()) {
                out.put(r, routing.count(r));
            }
        }
        return out;
    }

    private static void read(DataSource reads, int id) throws SQLException {
        try (Connection c = reads.getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT v FROM cp_replica_bench WHERE id = ?")) {
            ps.setInt(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new IllegalStateException("row " + id + " is missing");
                }
            }
        }
    }

    private static void awaitServing(ReadReplicas routing) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            ReadReplicas.ReplicaStatus r = routing.status().replicas().get(0);
            if (r.state() == ReadReplicas.State.SERVING) {
                return;
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("the replica does not serve: "
                + routing.status().replicas().get(0).reason());
    }
}
