package io.chronoperf.admin.seed;

import io.chronoperf.admin.StrategicIndexes;
import io.chronoperf.runtime.ChronoPerfException;
import io.chronoperf.runtime.ErrorCode;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/**
 * Loads realistic demo data into a migrated admin schema: admin activity Zipf-skewed across the
 * staff, bursts of security events from a few IPs, an approval queue that is mostly approved, a
 * long-tailed risk score, JSONB details with varied keys, audit logs denser towards the present.
 * The same seed gives the same rows (timestamps relative to the load time).
 *
 * <p>How: the tables are split into three groups that share no foreign key (accounts and their
 * projects and backups; audit_logs; security_events), each loaded by its own connection and
 * thread in its own transaction: TRUNCATE, drop the group's strategic indexes, {@code COPY ...
 * FREEZE} (rows arrive frozen and all-visible, so index-only scans work without a VACUUM), build
 * the indexes again, ANALYZE. One COPY stream keeps one core of PostgreSQL busy parsing; three
 * keep the machine busy. Nothing is committed until every group has finished; any failure rolls
 * all of them back, so a failed load changes nothing. Only a failure inside the final commits
 * themselves (milliseconds) could leave some groups replaced and not others; the error says so.
 *
 * <p>Foreign-key triggers are skipped during the load when the role may do so
 * ({@code session_replication_role = replica}, as {@code pg_restore --disable-triggers} does): the
 * generator makes consistent keys by construction.
 */
public final class DemoData {
    private DemoData() {}

    /**
     * What a load did.
     *
     * @param rowsPerSecond rows loaded per second of COPY (generation and loading, index builds excluded)
     */
    public record Result(
            Scale scale,
            long seed,
            Map<String, Long> rowsByTable,
            long rows,
            Duration loadTime,
            double rowsPerSecond,
            Duration indexTime,
            int indexesBuilt,
            boolean triggersSkipped) {}

    private interface TableLoad {
        long load(TableGenerators gen, CopyManager copy) throws SQLException;
    }

    private record Table(String name, TableLoad load) {}

    /** A group of tables loaded together on one connection, in one transaction. */
    private static final class Group {
        final String name;
        final List<Table> tables;
        Connection connection;
        List<StrategicIndexes.Index> indexes = List.of();
        final Map<String, Long> rows = new LinkedHashMap<>();
        /** ALTER TABLE ... ADD CONSTRAINT statements for the primary keys dropped during the load. */
        final List<String> primaryKeys = new ArrayList<>();

        boolean triggersSkipped;

        Group(String name, List<Table> tables) {
            this.name = name;
            this.tables = tables;
        }

        List<String> tableNames() {
            return tables.stream().map(Table::name).toList();
        }
    }

    private static List<Group> groups() {
        return List.of(
                new Group(
                        "accounts",
                        List.of(
                                new Table("users", TableGenerators::users),
                                new Table("backups", TableGenerators::backups),
                                new Table("backup_executions", TableGenerators::backupExecutions),
                                new Table("backup_health_checks", TableGenerators::healthChecks),
                                new Table("projects", TableGenerators::projects),
                                new Table("pages", TableGenerators::pages))),
                new Group("audit", List.of(new Table("audit_logs", TableGenerators::auditLogs))),
                new Group("security", List.of(new Table("security_events", TableGenerators::securityEvents))));
    }

    /** True when no admin table holds a row. */
    public static boolean isEmpty(DataSource dataSource) {
        try (Connection c = dataSource.getConnection()) {
            return rowCount(c) == 0;
        } catch (SQLException e) {
            throw new ChronoPerfException(
                    ErrorCode.SERVICE_UNAVAILABLE, "Cannot read the admin tables: " + e.getMessage(), e);
        }
    }

    /**
     * @param replace false refuses to touch a database that already holds admin data
     */
    public static Result load(DataSource dataSource, Scale scale, long seed, boolean replace, SeedProgress progress) {
        List<Group> groups = groups();
        ExecutorService pool = Executors.newFixedThreadPool(groups.size(), r -> {
            Thread t = new Thread(r, "demo-data-load");
            t.setDaemon(true);
            return t;
        });
        try {
            List<StrategicIndexes.Index> all;
            try (Connection c = dataSource.getConnection()) {
                long existing = rowCount(c);
                if (existing > 0 && !replace) {
                    throw new ChronoPerfException(
                            ErrorCode.CONFIGURATION,
                            "The database already holds admin data ("
                                    + existing
                                    + " rows in users, audit_logs and security_events). Use --replace to delete it"
                                    + " and load the demo data instead.");
                }
                all = StrategicIndexes.list(c);
            }
            for (Group g : groups) {
                g.connection = dataSource.getConnection();
                g.triggersSkipped = skipTriggers(g.connection);
                g.connection.setAutoCommit(false);
                g.indexes = all.stream()
                        .filter(ix -> g.tableNames().contains(ix.table()))
                        .toList();
                try (Statement s = g.connection.createStatement()) {
                    s.execute("SET LOCAL maintenance_work_mem = '256MB'");
                    s.execute("TRUNCATE " + String.join(", ", g.tableNames()) + " RESTART IDENTITY");
                }
                StrategicIndexes.drop(g.connection, g.indexes);
                dropUnreferencedPrimaryKeys(g);
            }

            long now = System.currentTimeMillis() / 60_000 * 60_000;
            AtomicLong loaded = new AtomicLong();
            TableGenerators gen = new TableGenerators(scale, seed, now, loaded::addAndGet);
            long start = System.nanoTime();
            progress.phase("rows", scale.totalRows());
            runAll(
                    pool,
                    groups,
                    g -> {
                        CopyManager copy =
                                g.connection.unwrap(PGConnection.class).getCopyAPI();
                        for (Table t : g.tables) {
                            g.rows.put(t.name(), t.load().load(gen, copy));
                        }
                        setSequences(g);
                        return null;
                    },
                    () -> progress.advance(loaded.get()));
            Duration loadTime = Duration.ofNanos(System.nanoTime() - start);

            long indexStart = System.nanoTime();
            AtomicLong built = new AtomicLong();
            progress.phase("indexes", all.size());
            runAll(
                    pool,
                    groups,
                    g -> {
                        try (Statement s = g.connection.createStatement()) {
                            for (String addPrimaryKey : g.primaryKeys) {
                                s.execute(addPrimaryKey);
                            }
                        }
                        StrategicIndexes.restore(g.connection, g.indexes, ix -> built.incrementAndGet());
                        refreshRollups(g);
                        return null;
                    },
                    () -> progress.advance(built.get()));
            Duration indexTime = Duration.ofNanos(System.nanoTime() - indexStart);

            commitAll(groups);
            analyzeAfterCommit(dataSource, groups);
            Map<String, Long> rows = new LinkedHashMap<>();
            for (String table : List.of(
                    "users",
                    "audit_logs",
                    "security_events",
                    "backups",
                    "backup_executions",
                    "backup_health_checks",
                    "projects",
                    "pages")) {
                groups.forEach(g -> {
                    if (g.rows.containsKey(table)) {
                        rows.put(table, g.rows.get(table));
                    }
                });
            }
            long total = rows.values().stream().mapToLong(Long::longValue).sum();
            return new Result(
                    scale,
                    seed,
                    rows,
                    total,
                    loadTime,
                    total / Math.max(1e-9, loadTime.toNanos() / 1e9),
                    indexTime,
                    all.size(),
                    groups.stream().allMatch(g -> g.triggersSkipped));
        } catch (SQLException e) {
            rollbackAll(groups, e);
            throw new ChronoPerfException(
                    ErrorCode.SERVICE_UNAVAILABLE,
                    "Loading demo data failed, nothing was changed: " + e.getMessage(),
                    e);
        } catch (RuntimeException e) {
            rollbackAll(groups, e);
            throw e;
        } finally {
            pool.shutdownNow();
            for (Group g : groups) {
                closeQuietly(g.connection);
            }
        }
    }

    private interface GroupWork {
        Void run(Group g) throws SQLException;
    }

    /** Runs the work for every group in parallel, reporting progress while it waits. */
    private static void runAll(ExecutorService pool, List<Group> groups, GroupWork work, Runnable report)
            throws SQLException {
        List<Future<Void>> futures = new ArrayList<>();
        for (Group g : groups) {
            Callable<Void> task = () -> work.run(g);
            futures.add(pool.submit(task));
        }
        try {
            for (Future<Void> f : futures) {
                while (true) {
                    try {
                        f.get(200, TimeUnit.MILLISECONDS);
                        break;
                    } catch (TimeoutException stillRunning) {
                        report.run();
                    }
                }
            }
            report.run();
        } catch (ExecutionException e) {
            for (Future<Void> f : futures) {
                f.cancel(true);
            }
            Throwable cause = e.getCause();
            if (cause instanceof SQLException sql) {
                throw sql;
            }
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            throw new ChronoPerfException(ErrorCode.INTERNAL, "Loading demo data failed: " + cause, cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ChronoPerfException(
                    ErrorCode.INTERNAL, "Loading demo data was interrupted; nothing was changed", e);
        }
    }

    private static void setSequences(Group g) throws SQLException {
        try (Statement s = g.connection.createStatement()) {
            for (String table : g.tableNames()) {
                // Identity columns continue after the generated ids.
                s.execute("SELECT pg_catalog.setval(pg_catalog.pg_get_serial_sequence('" + table + "', 'id'),"
                        + " COALESCE((SELECT max(id) FROM " + table + "), 0) + 1, false)");
            }
        }
    }

    /**
     * Like pg_restore (data first, constraints after), the primary key of a table that no foreign
     * key references is dropped for the load and added back with the indexes: one sorted index
     * build instead of millions of B-tree insertions. The generator's ids are unique by
     * construction, and ADD PRIMARY KEY checks it anyway.
     */
    private static void dropUnreferencedPrimaryKeys(Group g) throws SQLException {
        for (String table : g.tableNames()) {
            List<String[]> keys = new ArrayList<>();
            try (var ps = g.connection.prepareStatement("""
                    SELECT c.conname, pg_catalog.pg_get_constraintdef(c.oid)
                      FROM pg_catalog.pg_constraint c
                     WHERE c.conrelid = ?::regclass AND c.contype = 'p'
                       AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint f
                                        WHERE f.confrelid = c.conrelid AND f.contype = 'f')""")) {
                ps.setString(1, table);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        keys.add(new String[] {rs.getString(1), rs.getString(2)});
                    }
                }
            }
            try (Statement s = g.connection.createStatement()) {
                for (String[] key : keys) {
                    String name = io.chronoperf.admin.AdminSchema.quote(key[0]);
                    s.execute("ALTER TABLE " + table + " DROP CONSTRAINT " + name);
                    g.primaryKeys.add("ALTER TABLE " + table + " ADD CONSTRAINT " + name + " " + key[1]);
                }
            }
        }
    }

    /** The load skipped the rollup triggers (or they ran on a truncated table): recompute. */
    private static void refreshRollups(Group g) throws SQLException {
        try (Statement s = g.connection.createStatement()) {
            if (g.tableNames().contains("users")) {
                s.execute("SELECT refresh_user_status_counts()");
            }
            if (g.tableNames().contains("audit_logs")) {
                s.execute("SELECT refresh_audit_log_hourly()");
            }
        }
    }

    /**
     * Statistics once more after the commit: the counters of the rows just loaded reach
     * pg_stat_user_tables only at commit, so an ANALYZE inside the load would leave every table
     * looking "changed since analyze" (stale statistics) ever after.
     */
    private static void analyzeAfterCommit(DataSource dataSource, List<Group> groups) throws SQLException {
        for (Group g : groups) {
            g.connection.setAutoCommit(true);
            try (Statement s = g.connection.createStatement()) {
                try {
                    // PostgreSQL 15+: publish this session's pending table counters now, not within a second.
                    s.execute("SELECT pg_stat_force_next_flush()");
                    s.execute("SELECT 1");
                } catch (SQLException olderServer) {
                    // before 15 the counters are published at transaction end already
                }
                s.execute("ANALYZE " + String.join(", ", g.tableNames()));
            }
        }
    }

    private static void commitAll(List<Group> groups) throws SQLException {
        List<String> committed = new ArrayList<>();
        for (Group g : groups) {
            try {
                g.connection.commit();
                committed.add(g.name);
            } catch (SQLException e) {
                if (committed.isEmpty()) {
                    throw e;
                }
                throw new ChronoPerfException(
                        ErrorCode.SERVICE_UNAVAILABLE,
                        "Committing the demo data failed after the "
                                + String.join(", ", committed) + " tables were committed: " + e.getMessage()
                                + ". Run seed again with --replace.",
                        e);
            }
        }
    }

    private static void rollbackAll(List<Group> groups, Exception primary) {
        for (Group g : groups) {
            if (g.connection == null) {
                continue;
            }
            try {
                g.connection.rollback();
            } catch (SQLException e) {
                primary.addSuppressed(e); // a clean-up failure never hides the first failure
            }
        }
    }

    private static void closeQuietly(Connection c) {
        if (c == null) {
            return;
        }
        try {
            c.setAutoCommit(true);
            try (Statement s = c.createStatement()) {
                s.execute("RESET session_replication_role");
            }
        } catch (SQLException ignored) {
            // the connection is being closed (or is broken) anyway
        }
        try {
            c.close();
        } catch (SQLException ignored) {
            // nothing left to release
        }
    }

    private static long rowCount(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT (SELECT count(*) FROM users) + (SELECT count(*) FROM audit_logs)"
                        + " + (SELECT count(*) FROM security_events)")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** session_replication_role = replica disables FK triggers; needs superuser, so it may be refused. */
    private static boolean skipTriggers(Connection c) {
        try (Statement s = c.createStatement()) {
            s.execute("SET session_replication_role = replica");
            return true;
        } catch (SQLException notAllowed) {
            return false;
        }
    }
}
