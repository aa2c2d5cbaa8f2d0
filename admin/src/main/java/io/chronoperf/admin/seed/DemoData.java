package io.chronoperf.admin.seed;

import io.chronoperf.admin.StrategicIndexes;
import io.chronoperf.runtime.ChronoPerfException;
import io.chronoperf.runtime.ErrorCode;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.postgresql.PGConnection;

/**
 * Loads realistic demo data into a migrated admin schema: admin activity Zipf-skewed across the
 * staff, bursts of security events from a few IPs, an approval queue that is mostly approved, a
 * long-tailed risk score, JSONB details with varied keys, audit logs denser towards the present.
 * The same seed gives the same rows (timestamps relative to the load time).
 *
 * <p>The whole load is one transaction: TRUNCATE, drop the strategic indexes, COPY ... FREEZE
 * each table, build the indexes again, ANALYZE. A failure rolls all of it back and loses nothing;
 * FREEZE writes rows already frozen and all-visible, so index-only scans work without a VACUUM.
 * Foreign-key triggers are skipped during the load when the role may do so (as pg_restore
 * --disable-triggers does): the generator makes consistent keys by construction.
 */
public final class DemoData {
    private static final List<String> TABLES = List.of("users", "audit_logs", "security_events", "backups",
            "backup_executions", "backup_health_checks", "projects", "pages");

    private DemoData() {
    }

    /**
     * What a load did.
     *
     * @param rowsPerSecond rows loaded per second of COPY (generation and loading, index builds excluded)
     */
    public record Result(Scale scale, long seed, Map<String, Long> rowsByTable, long rows, Duration loadTime,
                         double rowsPerSecond, Duration indexTime, int indexesBuilt, boolean triggersSkipped) {
    }

    /** True when no admin table holds a row. */
    public static boolean isEmpty(DataSource dataSource) {
        try (Connection c = dataSource.getConnection()) {
            return rowCount(c) == 0;
        } catch (SQLException e) {
            throw new ChronoPerfException(ErrorCode.SERVICE_UNAVAILABLE, "Cannot read the admin tables: " + e.getMessage(), e);
        }
    }

    /**
     * @param replace false refuses to touch a database that already holds admin data
     */
    public static Result load(DataSource dataSource, Scale scale, long seed, boolean replace, SeedProgress progress) {
        try (Connection c = dataSource.getConnection()) {
            boolean triggersSkipped = skipTriggers(c, true);
            try {
                return loadInTransaction(c, scale, seed, replace, progress, triggersSkipped);
            } finally {
                if (triggersSkipped) {
                    skipTriggers(c, false);
                }
            }
        } catch (SQLException e) {
            throw new ChronoPerfException(ErrorCode.SERVICE_UNAVAILABLE, "Loading demo data failed, nothing was changed: "
                    + e.getMessage(), e);
        }
    }

    private static Result loadInTransaction(Connection c, Scale scale, long seed, boolean replace,
                                            SeedProgress progress, boolean triggersSkipped) throws SQLException {
        c.setAutoCommit(false);
        try {
            long existing = rowCount(c);
            if (existing > 0 && !replace) {
                throw new ChronoPerfException(ErrorCode.CONFIGURATION, "The database already holds admin data ("
                        + existing + " rows in users, audit_logs and security_events). Use --replace to delete it and load the demo data instead.");
            }
            List<StrategicIndexes.Index> indexes = StrategicIndexes.list(c);
            try (Statement s = c.createStatement()) {
                s.execute("SET LOCAL maintenance_work_mem = '512MB'");
                s.execute("TRUNCATE " + String.join(", ", TABLES) + " RESTART IDENTITY");
            }
            StrategicIndexes.drop(c, indexes);

            long now = System.currentTimeMillis() / 60_000 * 60_000;
            TableGenerators gen = new TableGenerators(c.unwrap(PGConnection.class).getCopyAPI(), scale, seed, now,
                    progress::advance);
            Map<String, Long> rows = new LinkedHashMap<>();
            long start = System.nanoTime();
            rows.put("users", phase(progress, "users", scale.users, gen::users));
            rows.put("backups", phase(progress, "backups", scale.backups, gen::backups));
            rows.put("audit_logs", phase(progress, "audit_logs", scale.auditLogs, gen::auditLogs));
            rows.put("security_events", phase(progress, "security_events", scale.securityEvents, gen::securityEvents));
            rows.put("backup_executions", phase(progress, "backup_executions", scale.backupExecutions(), gen::backupExecutions));
            rows.put("backup_health_checks", phase(progress, "backup_health_checks", scale.healthChecks(), gen::healthChecks));
            rows.put("projects", phase(progress, "projects", scale.projects, gen::projects));
            rows.put("pages", phase(progress, "pages", scale.pages, gen::pages));
            Duration loadTime = Duration.ofNanos(System.nanoTime() - start);
            long total = rows.values().stream().mapToLong(Long::longValue).sum();

            try (Statement s = c.createStatement()) {
                for (String table : TABLES) {
                    // Identity columns continue after the generated ids.
                    s.execute("SELECT pg_catalog.setval(pg_catalog.pg_get_serial_sequence('" + table + "', 'id'),"
                            + " COALESCE((SELECT max(id) FROM " + table + "), 0) + 1, false)");
                }
            }
            long indexStart = System.nanoTime();
            progress.phase("indexes", indexes.size());
            int[] built = {0};
            StrategicIndexes.restore(c, indexes, ix -> progress.advance(++built[0]));
            Duration indexTime = Duration.ofNanos(System.nanoTime() - indexStart);
            c.commit();
            return new Result(scale, seed, rows, total, loadTime, total / Math.max(1e-9, loadTime.toNanos() / 1e9),
                    indexTime, indexes.size(), triggersSkipped);
        } catch (SQLException | RuntimeException e) {
            try {
                c.rollback();
            } catch (SQLException rollback) {
                e.addSuppressed(rollback);
            }
            throw e;
        } finally {
            c.setAutoCommit(true);
        }
    }

    private interface TableLoad {
        long load() throws SQLException;
    }

    private static long phase(SeedProgress progress, String table, long expected, TableLoad load) throws SQLException {
        progress.phase(table, expected);
        long rows = load.load();
        progress.advance(rows);
        return rows;
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
    private static boolean skipTriggers(Connection c, boolean skip) {
        try (Statement s = c.createStatement()) {
            s.execute("SET session_replication_role = " + (skip ? "replica" : "DEFAULT"));
            return true;
        } catch (SQLException notAllowed) {
            return false;
        }
    }
}
