package io.chronoperf.admin;

import io.chronoperf.runtime.ChronoPerfException;
import io.chronoperf.runtime.ErrorCode;
import io.chronoperf.runtime.OwnStatements;
import io.chronoperf.runtime.StateSchema;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.output.MigrateResult;
import org.postgresql.core.Utils;

/**
 * Migrates the admin platform's schema: Flyway migrations ({@code classpath:db/migration}), of
 * which {@code V2__strategic_indexes.sql} builds the strategic indexes concurrently.
 *
 * <p>Concurrent index builds can fail half-way and leave an INVALID index behind (a lock timeout,
 * duplicates under a unique index, a cancelled build). Each {@link #migrate} therefore starts by
 * healing: it rebuilds every invalid index of the schema with {@code REINDEX INDEX CONCURRENTLY}
 * (dropping leftovers of failed reindexes), repairs Flyway's record of a failed non-transactional
 * migration, and migrates; it ends by checking that no invalid index is left, and fails naming it
 * if one is. Non-transactional migrations must therefore be idempotent ({@code IF NOT EXISTS}).
 *
 * <p>Thread-safety: stateless apart from its configuration; concurrent migrations of one database
 * are serialised by Flyway's session-level advisory lock.
 */
public final class AdminSchema {
    /** A lock_timeout for the rebuilds: never queue behind a long transaction and block writers. */
    private static final String LOCK_TIMEOUT = "10s";

    private static final String INVALID_INDEXES = """
            SELECT c.relname AS index_name, t.relname AS table_name
              FROM pg_catalog.pg_index i
              JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid
              JOIN pg_catalog.pg_class t ON t.oid = i.indrelid
              JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
             WHERE NOT i.indisvalid
               AND n.nspname = current_schema()
               -- a build in progress is invalid until it finishes: leave it alone
               AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_stat_progress_create_index p
                                WHERE p.relid = i.indrelid)
             ORDER BY c.relname
            """;

    private final DataSource dataSource;
    private final List<String> locations;
    private final Consumer<String> log;

    private AdminSchema(DataSource dataSource, List<String> locations, Consumer<String> log) {
        this.dataSource = dataSource;
        this.locations = locations;
        this.log = log;
    }

    /** The admin platform's migrations. */
    public static AdminSchema of(DataSource dataSource) {
        return new AdminSchema(dataSource, List.of("classpath:db/migration"), msg -> {});
    }

    /** Adds migration locations (Flyway syntax), e.g. an application's own. */
    public AdminSchema withLocations(String... more) {
        List<String> all = new ArrayList<>(locations);
        all.addAll(Arrays.asList(more));
        return new AdminSchema(dataSource, List.copyOf(all), log);
    }

    /** Where progress lines go (the CLI prints them). */
    public AdminSchema withLog(Consumer<String> sink) {
        return new AdminSchema(dataSource, locations, sink);
    }

    /** Whether this database holds the admin platform's schema, nothing, or tables of its own. */
    public enum Presence {
        /** The admin platform's migrations have run here (its Flyway history names V1__admin_schema.sql). */
        INSTALLED,
        /** The current schema holds no table, view or sequence (an extension's aside): chrono-perf may take it. */
        EMPTY,
        /** The current schema holds another application's objects: leave it alone unless asked. */
        FOREIGN
    }

    private boolean hasFlywayHistory() {
        try (Connection c = dataSource.getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(
                        "SELECT to_regclass(quote_ident(current_schema()) || '.flyway_schema_history') IS NOT NULL")) {
            rs.next();
            return rs.getBoolean(1);
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    /** Finds out, read-only, what the connection's current schema holds. */
    public Presence presence() {
        try (Connection c = dataSource.getConnection();
                Statement s = c.createStatement()) {
            boolean history;
            try (ResultSet rs = s.executeQuery(
                    "SELECT to_regclass(quote_ident(current_schema()) || '.flyway_schema_history') IS NOT NULL")) {
                rs.next();
                history = rs.getBoolean(1);
            }
            if (history) {
                try (ResultSet rs = s.executeQuery(
                        "SELECT EXISTS (SELECT 1 FROM flyway_schema_history WHERE script = 'V1__admin_schema.sql' AND "
                                + "success)")) {
                    rs.next();
                    if (rs.getBoolean(1)) {
                        return Presence.INSTALLED;
                    }
                }
            }
            try (ResultSet rs = s.executeQuery("""
                    SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_class c
                                    WHERE c.relnamespace = current_schema()::regnamespace
                                      AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
                                      -- an extension's objects (pg_stat_statements' views) are nobody's tables
                                      AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                                                       WHERE d.classid = 'pg_catalog.pg_class'::regclass
                                                         AND d.objid = c.oid AND d.deptype = 'e'))""")) {
                rs.next();
                return rs.getBoolean(1) ? Presence.FOREIGN : Presence.EMPTY;
            }
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    /** What one migration run did. */
    public record Report(
            int migrationsApplied,
            String schemaVersion,
            List<String> rebuiltIndexes,
            boolean repairedFailedMigration,
            Duration duration) {}

    public Report migrate() {
        long start = System.nanoTime();
        if (presence() == Presence.FOREIGN && hasFlywayHistory()) {
            throw new ChronoPerfException(
                    ErrorCode.CONFIGURATION,
                    "This schema holds another application's Flyway"
                            + " history (flyway_schema_history without the admin platform's V1): the admin platform's "
                            + "schema is"
                            + " not installed into it. Give it a schema of its own (add ?currentSchema=admin to the "
                            + "JDBC URL"
                            + " after CREATE SCHEMA admin), or, for an admin platform that exists, add only the "
                            + "indexes:"
                            + " ./chrono-perf migrate --strategic-indexes");
        }
        List<String> rebuilt = healInvalidIndexes();
        Flyway flyway = flyway();
        boolean repaired = false;
        try {
            boolean failed = Arrays.stream(flyway.info().all())
                    .anyMatch(i -> i.getState().isFailed());
            if (failed) {
                // Only a non-transactional migration can be recorded as failed on PostgreSQL
                // (transactional ones roll back); ours are idempotent, so running it again is safe.
                log.accept("repairing the record of a failed non-transactional migration");
                flyway.repair();
                repaired = true;
            }
            MigrateResult result = flyway.migrate();
            List<String> stillInvalid = invalidIndexes();
            if (!stillInvalid.isEmpty()) {
                throw new ChronoPerfException(
                        ErrorCode.MIGRATION,
                        "Migration finished but left invalid indexes: " + String.join(", ", stillInvalid)
                                + ". Run the migration again; it rebuilds them.");
            }
            MigrationInfo current = flyway.info().current();
            return new Report(
                    result.migrationsExecuted,
                    current == null ? "none" : current.getVersion().toString(),
                    rebuilt,
                    repaired,
                    Duration.ofNanos(System.nanoTime() - start));
        } catch (FlywayException e) {
            List<String> invalid = invalidIndexes();
            throw new ChronoPerfException(
                    ErrorCode.MIGRATION,
                    "Schema migration failed: " + StateSchema.rootCause(e)
                            + (invalid.isEmpty()
                                    ? ""
                                    : ". It left invalid indexes (" + String.join(", ", invalid)
                                            + "); fix the cause and migrate again: they are rebuilt then."),
                    e);
        }
    }

    /** Invalid indexes of the schema, by name (excluding builds in progress). */
    public List<String> invalidIndexes() {
        try (Connection c = dataSource.getConnection()) {
            List<String> names = new ArrayList<>();
            for (String[] row : queryInvalid(c)) {
                names.add(row[0]);
            }
            return names;
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    private List<String> healInvalidIndexes() {
        List<String> rebuilt = new ArrayList<>();
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(true); // REINDEX/DROP ... CONCURRENTLY cannot run in a transaction block
            try (Statement s = c.createStatement()) {
                s.execute("SET lock_timeout = '" + LOCK_TIMEOUT + "'");
            }
            for (String[] row : queryInvalid(c)) {
                String index = row[0];
                String quoted = quote(index);
                if (index.matches(".*_ccnew\\d*$") || index.matches(".*_ccold\\d*$")) {
                    log.accept("dropping " + index + ", left over by a failed REINDEX CONCURRENTLY");
                    execute(c, "DROP INDEX CONCURRENTLY IF EXISTS " + quoted);
                    continue;
                }
                log.accept("rebuilding invalid index " + index + " on " + row[1]);
                try {
                    execute(c, "REINDEX INDEX CONCURRENTLY " + quoted);
                    rebuilt.add(index);
                } catch (SQLException e) {
                    ChronoPerfException failure = new ChronoPerfException(
                            ErrorCode.MIGRATION,
                            "Index " + index + " on "
                                    + row[1] + " is invalid and could not be rebuilt: "
                                    + StateSchema.firstLine(e.getMessage())
                                    + ". Fix the cause (for a unique index, remove the duplicate rows) and migrate "
                                    + "again;"
                                    + " to give the index up instead: DROP INDEX CONCURRENTLY " + quoted + ";",
                            e);
                    dropReindexLeftovers(c, index, failure);
                    throw failure;
                }
            }
            try (Statement s = c.createStatement()) {
                s.execute("RESET lock_timeout"); // the connection goes back to the caller's pool
            }
            return rebuilt;
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    private void dropReindexLeftovers(Connection c, String index, ChronoPerfException primary) {
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT c.relname FROM pg_catalog.pg_class c
                  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                 WHERE n.nspname = current_schema() AND c.relkind = 'i' AND c.relname ~ ('^' || ? || '_ccnew[0-9]*$')
                """)) {
            ps.setString(1, index);
            List<String> leftovers = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    leftovers.add(rs.getString(1));
                }
            }
            for (String leftover : leftovers) {
                execute(c, "DROP INDEX CONCURRENTLY IF EXISTS " + quote(leftover));
            }
        } catch (SQLException cleanup) {
            primary.addSuppressed(cleanup); // a clean-up failure never hides the first failure
        }
    }

    private Flyway flyway() {
        return Flyway.configure()
                // Properties first: configuration(Map) resets what was set fluently before it.
                .configuration(Map.of(
                        // A transactional advisory lock keeps a transaction open on Flyway's lock
                        // connection, and CREATE INDEX CONCURRENTLY waits for every open transaction:
                        // with it, the index migration would wait for itself forever.
                        "flyway.postgresql.transactional.lock", "false"))
                .dataSource(OwnStatements.marked(dataSource)) // chrono-perf runs them: never counted as workload
                .locations(locations.toArray(String[]::new))
                // CREATE INDEX CONCURRENTLY next to COMMENT and ANALYZE in one script.
                .mixed(true)
                // Asked to install beside another application's tables (never beside another
                // Flyway history: migrate() refuses that): start from an empty baseline.
                .baselineOnMigrate(true)
                .baselineVersion("0")
                // V4-V7 of the earlier layout held chrono-perf's own tables; they moved to the
                // chrono_perf schema (each library's own migrations), so installations that applied
                // them see them as applied but no longer here, which is expected. The admin
                // platform's next migration is therefore V8. Above the last local version Flyway
                // calls them "future" rather than "missing" (flyway/flyway#3897), hence both.
                .ignoreMigrationPatterns("*:missing", "*:future")
                .load();
    }

    private static List<String[]> queryInvalid(Connection c) throws SQLException {
        List<String[]> rows = new ArrayList<>();
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(INVALID_INDEXES)) {
            while (rs.next()) {
                rows.add(new String[] {rs.getString(1), rs.getString(2)});
            }
        }
        return rows;
    }

    private static void execute(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    /** Quotes an identifier with the driver's quoting (for DDL, where no bind parameter can go). */
    public static String quote(String identifier) {
        try {
            return Utils.escapeIdentifier(null, identifier).toString();
        } catch (SQLException e) {
            throw new ChronoPerfException(ErrorCode.BAD_INPUT, "Not a valid identifier: " + identifier, e);
        }
    }

    private static ChronoPerfException unavailable(SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        if (state.startsWith("08") || state.startsWith("57P0") || state.startsWith("28")) {
            return new ChronoPerfException(
                    ErrorCode.SERVICE_UNAVAILABLE,
                    "The database does not answer or refuses the"
                            + " login (" + StateSchema.firstLine(e.getMessage())
                            + "): check CHRONO_PERF_DB_URL, CHRONO_PERF_DB_USER and"
                            + " CHRONO_PERF_DB_PASSWORD, or unset them for the embedded PostgreSQL",
                    e);
        }
        return new ChronoPerfException(
                ErrorCode.SERVICE_UNAVAILABLE,
                "Database error during migration: " + StateSchema.firstLine(e.getMessage()),
                e);
    }
}
