package io.chronoperf.runtime;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;

/**
 * chrono-perf's own state (history, alerts, findings, index applications, cache samples, task
 * locks) lives in a schema of its own, {@value #NAME}, apart from whatever the watched database
 * holds. Each library migrates its own tables there with its own Flyway history table
 * ({@code chrono_perf.<part>_schema_history}), from {@code classpath:db/chrono-perf/<part>}, so
 * the monitor can be installed without the admin platform's schema and each part versions alone.
 *
 * <p>The schema is shared by several parts, so a part that finds it already holding another
 * part's tables starts from an empty baseline (version 0) and applies its V1 onwards. Migrations
 * of one part on one database are serialised by Flyway's advisory lock; nothing is created outside
 * the schema.
 */
public final class StateSchema {
    /** The schema of chrono-perf's own tables. */
    public static final String NAME = "chrono_perf";

    private StateSchema() {}

    /** What one part's migration did. */
    public record Report(String part, int migrationsApplied, String version) {}

    /**
     * Migrates one part's tables, e.g. {@code migrate(ds, "monitor")} applies
     * {@code classpath:db/chrono-perf/monitor/V*.sql}.
     */
    public static Report migrate(DataSource dataSource, String part) {
        if (!part.matches("[a-z]+")) {
            throw new IllegalArgumentException("part must be lower-case letters: " + part);
        }
        createSchema(dataSource);
        Flyway flyway = Flyway.configure()
                // Properties first: configuration(Map) resets what was set fluently before it.
                // No lock held in a transaction: the same reason as the admin schema's (concurrent builds).
                .configuration(Map.of("flyway.postgresql.transactional.lock", "false"))
                .dataSource(OwnStatements.marked(dataSource))
                .schemas(NAME)
                .defaultSchema(NAME)
                .createSchemas(false)
                .table(part + "_schema_history")
                .locations("classpath:db/chrono-perf/" + part)
                .baselineOnMigrate(true)
                .baselineVersion("0")
                .baselineDescription("<< " + part + " starts >>")
                .load();
        try {
            var result = flyway.migrate();
            var current = flyway.info().current();
            return new Report(
                    part,
                    result.migrationsExecuted,
                    current == null ? "none" : current.getVersion().toString());
        } catch (FlywayException e) {
            throw new ChronoPerfException(
                    ErrorCode.MIGRATION,
                    "Migration of chrono-perf's own " + part + " tables (schema " + NAME + ") failed: " + rootCause(e),
                    e);
        }
    }

    private static void createSchema(DataSource dataSource) {
        try (Connection c = dataSource.getConnection();
                Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA IF NOT EXISTS " + NAME);
        } catch (SQLException e) {
            if ("23505".equals(e.getSQLState()) || "42P06".equals(e.getSQLState())) {
                return; // another process created it at the same moment
            }
            throw new ChronoPerfException(
                    ErrorCode.MIGRATION,
                    "Could not create the schema " + NAME
                            + " for chrono-perf's own tables (" + firstLine(e.getMessage())
                            + "): grant CREATE on the database"
                            + " to the user, or create it as its owner: CREATE SCHEMA " + NAME
                            + " AUTHORIZATION <user>;",
                    e);
        }
    }

    /** Flyway's own message starts with "Migration X failed"; the database's reason is deeper. */
    public static String rootCause(FlywayException e) {
        String first = firstLine(e.getMessage());
        for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
            if (t instanceof SQLException sql) {
                return first + " (" + firstLine(sql.getMessage()) + ")";
            }
        }
        return first;
    }

    /** The first line of a message, trimmed ("unknown error" for none): server messages run on. */
    public static String firstLine(String message) {
        if (message == null) {
            return "unknown error";
        }
        String trimmed = message.strip();
        int nl = trimmed.indexOf('\n');
        return nl < 0 ? trimmed : trimmed.substring(0, nl);
    }
}
