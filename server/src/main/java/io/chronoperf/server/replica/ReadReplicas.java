package io.chronoperf.server.replica;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.chronoperf.runtime.DatabaseEndpoint;
import io.chronoperf.runtime.OwnStatements;
import io.chronoperf.server.availability.DatabaseWatch;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.UnaryOperator;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.datasource.AbstractDataSource;

/**
 * Routes the admin API's reads to streaming replicas, never at the price of a stale read.
 *
 * <p>Each read asks the primary for its WAL insert position ({@code pg_current_wal_insert_lsn()}:
 * no table is touched) and takes a replica's connection only once that replica has replayed up to
 * there, waiting at most the lag bound. Every write acknowledged before the read started is
 * therefore visible to it: a request that follows its own write reads its write, and so does a
 * cache load in any process after any process's write (the cache then never stores an old row
 * for everyone). Otherwise the read goes to the primary.
 *
 * <p>A probe of its own (one connection per replica, 1-s timeouts) measures each replica every
 * {@code probeInterval}: whether it answers, whether it is in recovery and a copy of this primary
 * (same system identifier), its replay lag in bytes and in time (how long ago the primary was
 * where the replica is now). While a replica lags more than the bound, or is down, or is not a
 * replica of this primary, reads do not try it. The counts of where reads went and why are on the
 * dashboard and in {@code /actuator/prometheus}.
 */
public final class ReadReplicas implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ReadReplicas.class);
    private static final String POSITION = OwnStatements.MARK + "SELECT pg_catalog.pg_current_wal_insert_lsn()::text";
    private static final String REPLAYED =
            OwnStatements.MARK + "SELECT pg_catalog.pg_last_wal_replay_lsn() >= ?::pg_lsn";
    private static final String PROBE = OwnStatements.MARK
            + "SELECT pg_catalog.pg_is_in_recovery(), pg_catalog.pg_last_wal_replay_lsn()::text,"
            + " (SELECT system_identifier FROM pg_catalog.pg_control_system())";

    /** Where a read went, and why. */
    public enum Route {
        /** A replica that had replayed the primary's position at the read's start. */
        REPLICA,
        /** The primary: no replica answers, or none is a replica of this primary. */
        PRIMARY_REPLICA_DOWN,
        /** The primary: every replica that answers lags more than the bound. */
        PRIMARY_REPLICA_LAGGING,
        /** The primary: the replica had not replayed the read's position within the bound. */
        PRIMARY_REPLICA_BEHIND;

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** What the probe found of a replica. */
    public enum State {
        SERVING,
        LAGGING,
        DOWN,
        NOT_A_REPLICA,
        UNKNOWN
    }

    /** One replica as the dashboard shows it. */
    public record ReplicaStatus(
            String url, State state, Double lagSeconds, Long lagBytes, long reads, String reason, Instant checkedAt) {}

    /** The routing as the dashboard shows it; {@code configured} false when no replica is set. */
    public record Status(boolean configured, Duration maxLag, List<ReplicaStatus> replicas, Map<String, Long> reads) {}

    private final DataSource reads;
    private final HikariDataSource primary;
    private final List<Replica> replicas;
    private final Duration maxLag;
    private final Clock clock;
    private final ScheduledExecutorService probe;
    private final Map<Route, LongAdder> routed = new EnumMap<>(Route.class);
    private final AtomicInteger next = new AtomicInteger();
    /** The primary's insert position as the probe saw it, newest last: how long ago it was where a replica is. */
    private final Deque<Position> positions = new ArrayDeque<>();

    private volatile Long systemIdentifier;

    private record Position(Instant at, long lsn) {}

    private ReadReplicas(DataSource reads) {
        this.reads = reads;
        this.primary = null;
        this.replicas = List.of();
        this.maxLag = Duration.ZERO;
        this.clock = Clock.systemUTC();
        this.probe = null;
        for (Route r : Route.values()) {
            routed.put(r, new LongAdder());
        }
    }

    /** No replica: every read goes to {@code dataSource}. */
    public static ReadReplicas none(DataSource dataSource) {
        return new ReadReplicas(dataSource);
    }

    /**
     * @param primary  the primary's pool, unwrapped (the position is read there, and a read that
     *                 cannot go to a replica runs there)
     * @param replicas the replicas' endpoints
     * @param maxLag   the bound: how long a read waits for a replica to replay its position, and the
     *                 lag beyond which a replica is not tried
     * @param wrap     what the routing data source is wrapped in (the availability gate, the N+1
     *                 capture), so that reads are seen exactly as the primary's
     */
    public ReadReplicas(
            HikariDataSource primary,
            List<DatabaseEndpoint> replicas,
            Duration maxLag,
            Duration probeInterval,
            Clock clock,
            UnaryOperator<DataSource> wrap) {
        this.primary = primary;
        this.maxLag = maxLag;
        this.clock = clock;
        for (Route r : Route.values()) {
            routed.put(r, new LongAdder());
        }
        List<Replica> list = new ArrayList<>();
        for (int i = 0; i < replicas.size(); i++) {
            list.add(new Replica(i, replicas.get(i), primary));
        }
        this.replicas = List.copyOf(list);
        this.reads = wrap.apply(new Router());
        this.probe = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "chrono-perf-replica-probe");
            t.setDaemon(true);
            return t;
        });
        probe.scheduleWithFixedDelay(this::probeAll, 0, probeInterval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The data source the admin repositories read from. */
    public DataSource reads() {
        return reads;
    }

    /** How many reads went each way since the start. */
    public long count(Route route) {
        return routed.get(route).sum();
    }

    public Status status() {
        Map<String, Long> counts = new LinkedHashMap<>();
        for (Route r : Route.values()) {
            counts.put(r.label(), routed.get(r).sum());
        }
        List<ReplicaStatus> out = new ArrayList<>();
        for (Replica r : replicas) {
            out.add(new ReplicaStatus(
                    r.endpoint.displayUrl(), r.state, r.lagSeconds, r.lagBytes, r.reads.sum(), r.reason, r.checkedAt));
        }
        return new Status(!replicas.isEmpty(), maxLag, out, counts);
    }

    /** The routing itself: a data source that hands out a replica's connection or the primary's. */
    private final class Router extends AbstractDataSource {
        @Override
        public Connection getConnection() throws SQLException {
            Replica replica = pick();
            if (replica == null) {
                routed.get(anyLagging() ? Route.PRIMARY_REPLICA_LAGGING : Route.PRIMARY_REPLICA_DOWN)
                        .increment();
                return primary.getConnection();
            }
            String position;
            try (Connection c = primary.getConnection();
                    Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery(POSITION)) {
                rs.next();
                position = rs.getString(1);
            }
            // The primary's connection is back in its pool while the replica is waited for: a
            // replica that lags never holds the primary's connections.
            Connection onReplica = replica.connectionAt(position, maxLag);
            if (onReplica != null) {
                replica.reads.increment();
                routed.get(Route.REPLICA).increment();
                return onReplica;
            }
            routed.get(replica.state == State.DOWN ? Route.PRIMARY_REPLICA_DOWN : Route.PRIMARY_REPLICA_BEHIND)
                    .increment();
            return primary.getConnection();
        }

        @Override
        public Connection getConnection(String username, String password) throws SQLException {
            throw new SQLException("the read routing uses the configured users only", "0A000");
        }
    }

    /** The next serving replica, round robin; null when none serves. */
    private Replica pick() {
        int n = replicas.size();
        int start = Math.floorMod(next.getAndIncrement(), n);
        for (int i = 0; i < n; i++) {
            Replica r = replicas.get((start + i) % n);
            if (r.state == State.SERVING) {
                return r;
            }
        }
        return null;
    }

    private boolean anyLagging() {
        return replicas.stream().anyMatch(r -> r.state == State.LAGGING);
    }

    /** One round of the probe: the primary's position, then each replica's. */
    void probeAll() {
        Instant now = clock.instant();
        Long primaryLsn = null;
        try (Connection c = primary.getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(OwnStatements.MARK
                        + "SELECT pg_catalog.pg_current_wal_insert_lsn()::text,"
                        + " (SELECT system_identifier FROM pg_catalog.pg_control_system())")) {
            rs.next();
            primaryLsn = lsn(rs.getString(1));
            systemIdentifier = rs.getLong(2);
        } catch (SQLException | RuntimeException e) {
            // the primary is away: its own watch says so; the replicas' states stay as they were
            return;
        }
        synchronized (positions) {
            positions.addLast(new Position(now, primaryLsn));
            Instant horizon = now.minus(maxLag.multipliedBy(4).plusSeconds(60));
            while (positions.size() > 1 && positions.peekFirst().at().isBefore(horizon)) {
                positions.removeFirst();
            }
        }
        for (Replica r : replicas) {
            r.probe(primaryLsn, now);
        }
    }

    /** How long ago the primary was last at or before {@code replayed}: the replica's lag in time. */
    private double lagSeconds(long replayed, Instant now) {
        synchronized (positions) {
            Position oldestAhead = null;
            for (Position p : positions) {
                if (p.lsn() > replayed) {
                    oldestAhead = p;
                    break;
                }
            }
            if (oldestAhead == null) {
                return 0;
            }
            return Duration.between(oldestAhead.at(), now).toNanos() / 1e9;
        }
    }

    /** A pg_lsn's text (X/Y, hexadecimal) as a number of bytes. */
    static long lsn(String text) {
        int slash = text.indexOf('/');
        return (Long.parseLong(text.substring(0, slash), 16) << 32) | Long.parseLong(text.substring(slash + 1), 16);
    }

    private final class Replica {
        final DatabaseEndpoint endpoint;
        final HikariDataSource pool;
        final Properties probeProperties;
        final LongAdder reads = new LongAdder();
        Connection probeConnection;
        volatile State state = State.UNKNOWN;
        volatile Double lagSeconds;
        volatile Long lagBytes;
        volatile String reason = "not probed yet";
        volatile Instant checkedAt;

        Replica(int index, DatabaseEndpoint endpoint, HikariDataSource primary) {
            this.endpoint = endpoint;
            HikariConfig config = new HikariConfig();
            config.setJdbcUrl(endpoint.jdbcUrl());
            config.setUsername(endpoint.user());
            config.setPassword(endpoint.password());
            config.setPoolName("chrono-perf-replica-" + index);
            config.setMaximumPoolSize(primary.getMaximumPoolSize());
            config.setMinimumIdle(0);
            config.setConnectionTimeout(250); // then the read goes to the primary
            // and no longer to find a pooled connection dead (the default, 5 s, held a read that long
            // on a replica that froze)
            config.setValidationTimeout(250);
            config.setInitializationFailTimeout(-1); // a replica that is down never stops a start
            config.setReadOnly(true);
            config.addDataSourceProperty("ApplicationName", "chrono-perf-server");
            config.addDataSourceProperty("assumeMinServerVersion", "13");
            this.pool = new HikariDataSource(config);
            this.probeProperties = DatabaseWatch.probeProperties(endpoint.user(), endpoint.password());
        }

        /**
         * A connection of this replica once it has replayed {@code position}, polled with growing
         * pauses for at most {@code wait}; null when it has not (or does not answer).
         */
        Connection connectionAt(String position, Duration wait) {
            long deadline = System.nanoTime() + wait.toNanos();
            Connection c = null;
            try {
                c = pool.getConnection();
                // A replica that froze must not hold the read: the check gives up with the socket
                // (the pool puts the connection's own timeout back when it is returned).
                int timeout = c.getNetworkTimeout();
                c.setNetworkTimeout(Runnable::run, (int) Math.min(Integer.MAX_VALUE, wait.toMillis() + 1_000));
                long pause = 1;
                try (PreparedStatement ps = c.prepareStatement(REPLAYED)) {
                    ps.setString(1, position);
                    while (true) {
                        try (ResultSet rs = ps.executeQuery()) {
                            rs.next();
                            if (rs.getBoolean(1)) {
                                c.setNetworkTimeout(Runnable::run, timeout);
                                return c;
                            }
                        }
                        long left = deadline - System.nanoTime();
                        if (left <= 0) {
                            break;
                        }
                        Thread.sleep(Math.min(pause, Math.max(1, left / 1_000_000)));
                        pause = Math.min(pause * 2, 16);
                    }
                }
            } catch (SQLException e) {
                down(e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            closeQuietly(c);
            return null;
        }

        void probe(long primaryLsn, Instant now) {
            try {
                if (probeConnection == null || probeConnection.isClosed()) {
                    probeConnection = DriverManager.getConnection(endpoint.jdbcUrl(), probeProperties);
                }
                try (Statement s = probeConnection.createStatement();
                        ResultSet rs = s.executeQuery(PROBE)) {
                    rs.next();
                    boolean recovering = rs.getBoolean(1);
                    String replay = rs.getString(2);
                    long system = rs.getLong(3);
                    checkedAt = now;
                    if (!recovering || replay == null) {
                        notAReplica("it is not in recovery (pg_is_in_recovery() is false): a primary, or promoted");
                        return;
                    }
                    Long ours = systemIdentifier;
                    if (ours != null && ours != system) {
                        notAReplica("its system identifier " + system + " is not the primary's (" + ours
                                + "): a replica of another cluster");
                        return;
                    }
                    long replayed = lsn(replay);
                    lagBytes = Math.max(0, primaryLsn - replayed);
                    double seconds = lagSeconds(replayed, now);
                    lagSeconds = seconds;
                    State was = state;
                    if (seconds * 1e9 > maxLag.toNanos()) {
                        state = State.LAGGING;
                        reason = String.format(
                                Locale.ROOT, "replay is %.1f s behind (the bound is %s)", seconds, maxLag);
                    } else {
                        state = State.SERVING;
                        reason = null;
                    }
                    if (was != state) {
                        log.info(
                                "Read replica {}: {}{}",
                                endpoint.displayUrl(),
                                state.name().toLowerCase(Locale.ROOT),
                                reason == null ? "" : " (" + reason + ")");
                    }
                }
            } catch (SQLException | RuntimeException e) {
                checkedAt = now;
                down(e.getMessage());
                closeQuietly(probeConnection);
                probeConnection = null;
            }
        }

        private void down(String why) {
            String first = why == null ? "no answer" : why.lines().findFirst().orElse("no answer");
            if (state != State.DOWN) {
                log.warn("Read replica {} is down ({}); reads go to the primary", endpoint.displayUrl(), first);
            }
            state = State.DOWN;
            reason = first;
            lagSeconds = null;
            lagBytes = null;
        }

        private void notAReplica(String why) {
            if (state != State.NOT_A_REPLICA) {
                log.warn("{} is not used for reads: {}", endpoint.displayUrl(), why);
            }
            state = State.NOT_A_REPLICA;
            reason = why;
            lagSeconds = null;
            lagBytes = null;
        }

        void close() {
            closeQuietly(probeConnection);
            pool.close();
        }
    }

    private static void closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // broken already
            }
        }
    }

    @Override
    public void close() {
        if (probe != null) {
            probe.shutdownNow();
            try {
                probe.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        replicas.forEach(Replica::close);
    }
}
