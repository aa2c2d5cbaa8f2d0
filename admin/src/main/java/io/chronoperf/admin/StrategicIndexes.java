package io.chronoperf.admin;

import io.chronoperf.runtime.ChronoPerfException;
import io.chronoperf.runtime.ErrorCode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * The strategic indexes as the catalog knows them: every index of the current schema whose
 * comment starts with {@code strategic:} (set by {@code V2__strategic_indexes.sql}). Benchmarks use
 * this to drop the set and build it again; bulk loads use it to load without index maintenance.
 */
public final class StrategicIndexes {
    private static final String LIST = """
            SELECT c.relname, t.relname, pg_catalog.pg_get_indexdef(c.oid),
                   pg_catalog.obj_description(c.oid, 'pg_class'), pg_catalog.pg_relation_size(c.oid)
              FROM pg_catalog.pg_index i
              JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid
              JOIN pg_catalog.pg_class t ON t.oid = i.indrelid
              JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = current_schema()
               AND pg_catalog.obj_description(c.oid, 'pg_class') LIKE 'strategic:%'
             ORDER BY t.relname, c.relname
            """;

    private StrategicIndexes() {}

    /**
     * One strategic index.
     *
     * @param definition the {@code CREATE INDEX} statement from {@code pg_get_indexdef}
     * @param purpose    the admin query it serves
     */
    public record Index(String name, String table, String definition, String purpose, long sizeBytes) {}

    public static List<Index> list(DataSource dataSource) {
        try (Connection c = dataSource.getConnection()) {
            return list(c);
        } catch (SQLException e) {
            throw new ChronoPerfException(
                    ErrorCode.SERVICE_UNAVAILABLE, "Cannot list strategic indexes: " + e.getMessage(), e);
        }
    }

    public static List<Index> list(Connection c) {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(LIST)) {
            List<Index> out = new ArrayList<>();
            while (rs.next()) {
                out.add(new Index(
                        rs.getString(1),
                        rs.getString(2),
                        rs.getString(3),
                        rs.getString(4).substring("strategic:".length()).strip(),
                        rs.getLong(5)));
            }
            return out;
        } catch (SQLException e) {
            throw new ChronoPerfException(
                    ErrorCode.SERVICE_UNAVAILABLE, "Cannot list strategic indexes: " + e.getMessage(), e);
        }
    }

    /** Drops the given indexes (plain DROP INDEX: for benchmarks and bulk loads on a quiet database). */
    public static void drop(Connection c, List<Index> indexes) {
        try (Statement s = c.createStatement()) {
            for (Index ix : indexes) {
                s.execute("DROP INDEX IF EXISTS " + AdminSchema.quote(ix.name()));
            }
        } catch (SQLException e) {
            throw new ChronoPerfException(
                    ErrorCode.SERVICE_UNAVAILABLE, "Cannot drop strategic indexes: " + e.getMessage(), e);
        }
    }

    /**
     * Builds the given indexes again from their definitions, with their comments, then ANALYZEs
     * their tables. Plain (not concurrent) builds with parallel workers: this is for a quiet
     * database (benchmarks, bulk loads), where a build is several times faster that way.
     */
    public static void restore(Connection c, List<Index> indexes, Consumer<Index> afterEach) {
        try (Statement s = c.createStatement()) {
            s.execute("SET maintenance_work_mem = '512MB'");
            List<String> tables = new ArrayList<>();
            for (Index ix : indexes) {
                s.execute(ix.definition().replaceFirst("^CREATE (UNIQUE )?INDEX ", "CREATE $1INDEX IF NOT EXISTS "));
                s.execute("COMMENT ON INDEX " + AdminSchema.quote(ix.name()) + " IS "
                        + literal("strategic: " + ix.purpose()));
                if (!tables.contains(ix.table())) {
                    tables.add(ix.table());
                }
                afterEach.accept(ix);
            }
            for (String table : tables) {
                s.execute("ANALYZE " + AdminSchema.quote(table));
            }
        } catch (SQLException e) {
            throw new ChronoPerfException(
                    ErrorCode.SERVICE_UNAVAILABLE, "Cannot rebuild strategic indexes: " + e.getMessage(), e);
        }
    }

    /** What {@link #applyTo} did with one index. */
    public enum Outcome {
        CREATED,
        PRESENT,
        SKIPPED,
        FAILED
    }

    /** One index of the strategic set applied to an existing platform, with why it was skipped or failed. */
    public record Applied(String name, String table, Outcome outcome, String reason) {}

    /** One CREATE INDEX of the strategic script with its comment. */
    private record Planned(String name, String table, String create, String comment) {}

    private static final Pattern CREATE =
            Pattern.compile("^CREATE INDEX CONCURRENTLY IF NOT EXISTS (\\w+) ON (\\w+) (.*);$");

    /**
     * Applies the strategic indexes to an admin platform whose tables exist already (its own
     * migrations made them): each index is first tried on an empty copy of its table in a
     * rolled-back transaction ({@code CREATE TEMP TABLE ... (LIKE table)}), so that PostgreSQL
     * itself says whether the table, its columns, types and operator classes are there, without
     * locking the real table; then built with {@code CREATE INDEX CONCURRENTLY IF NOT EXISTS} under a
     * lock_timeout (writers are never blocked for longer), commented, and checked valid. An index
     * whose table or columns are not there is skipped with the reason; one whose build fails is
     * dropped concurrently (no INVALID index is left) and reported. Indexes present by name are
     * left as they are.
     */
    public static List<Applied> applyTo(DataSource dataSource, Duration lockTimeout, Consumer<Applied> progress) {
        List<Planned> planned = script();
        List<Applied> out = new ArrayList<>();
        List<String> analyze = new ArrayList<>();
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(true);
            try (Statement s = c.createStatement()) {
                s.execute("SET lock_timeout = " + lockTimeout.toMillis());
                s.execute("SET statement_timeout = 0");
            }
            for (Planned ix : planned) {
                Applied a = applyOne(c, ix);
                out.add(a);
                if (a.outcome() == Outcome.CREATED && !analyze.contains(ix.table())) {
                    analyze.add(ix.table());
                }
                progress.accept(a);
            }
            try (Statement s = c.createStatement()) {
                for (String table : analyze) {
                    s.execute("ANALYZE " + AdminSchema.quote(table));
                }
                s.execute("RESET lock_timeout");
                s.execute("RESET statement_timeout");
            }
            return out;
        } catch (SQLException e) {
            throw new ChronoPerfException(
                    ErrorCode.SERVICE_UNAVAILABLE,
                    "Cannot apply the strategic indexes: "
                            + e.getMessage().lines().findFirst().orElse(""),
                    e);
        }
    }

    private static Applied applyOne(Connection c, Planned ix) throws SQLException {
        if (indexExists(c, ix.name())) {
            return new Applied(ix.name(), ix.table(), Outcome.PRESENT, "an index of that name is there");
        }
        String missing = trial(c, ix);
        if (missing != null) {
            return new Applied(ix.name(), ix.table(), Outcome.SKIPPED, missing);
        }
        try (Statement s = c.createStatement()) {
            s.execute(ix.create());
            s.execute(ix.comment());
        } catch (SQLException e) {
            String reason = e.getMessage().lines().findFirst().orElse("")
                    + ("55P03".equals(e.getSQLState())
                            ? " (a long transaction holds the table; run again when it is quiet)"
                            : "");
            try (Statement s = c.createStatement()) {
                s.execute("DROP INDEX CONCURRENTLY IF EXISTS " + AdminSchema.quote(ix.name()));
            }
            return new Applied(ix.name(), ix.table(), Outcome.FAILED, reason);
        }
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT i.indisvalid FROM pg_catalog.pg_index i WHERE i.indexrelid = to_regclass(?)")) {
            ps.setString(1, AdminSchema.quote(ix.name()));
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next() || !rs.getBoolean(1)) {
                    try (Statement s = c.createStatement()) {
                        s.execute("DROP INDEX CONCURRENTLY IF EXISTS " + AdminSchema.quote(ix.name()));
                    }
                    return new Applied(
                            ix.name(), ix.table(), Outcome.FAILED, "the build left the index invalid; dropped");
                }
            }
        }
        return new Applied(ix.name(), ix.table(), Outcome.CREATED, null);
    }

    /** Null when the definition builds on an empty copy of the table; else why not, in a sentence. */
    private static String trial(Connection c, Planned ix) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
            ps.setString(1, AdminSchema.quote(ix.table()));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    return "table " + ix.table() + " is not there";
                }
            }
        }
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            s.execute(
                    "CREATE TEMP TABLE chrono_perf_trial (LIKE " + AdminSchema.quote(ix.table()) + ") ON COMMIT DROP");
            s.execute(ix.create()
                    .replace(
                            "CREATE INDEX CONCURRENTLY IF NOT EXISTS " + ix.name() + " ON " + ix.table() + " ",
                            "CREATE INDEX " + ix.name() + " ON pg_temp.chrono_perf_trial "));
            return null;
        } catch (SQLException e) {
            String state = e.getSQLState() == null ? "" : e.getSQLState();
            String message = e.getMessage().lines().findFirst().orElse("").replace("chrono_perf_trial", ix.table());
            return switch (state) {
                case "42703" -> message.replaceFirst("^ERROR: ", "") + " in table " + ix.table();
                case "42704" ->
                    message.replaceFirst("^ERROR: ", "")
                            + (message.contains("gin_trgm_ops") ? " (CREATE EXTENSION pg_trgm adds it)" : "");
                default ->
                    "the definition does not fit table " + ix.table() + ": " + message.replaceFirst("^ERROR: ", "");
            };
        } finally {
            c.rollback();
            c.setAutoCommit(true);
        }
    }

    private static boolean indexExists(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
            ps.setString(1, AdminSchema.quote(name));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    /** How many indexes the strategic script builds (46). */
    public static int scriptedCount() {
        return script().size();
    }

    /**
     * The CREATE INDEX and COMMENT lines of {@code V2__strategic_indexes.sql}. The script is our
     * own and keeps one statement per line (a test holds it to that), so reading it by lines is
     * exact; no general SQL splitting is needed here.
     */
    static List<Planned> script() {
        String text;
        try (InputStream in = StrategicIndexes.class.getResourceAsStream("/db/migration/V2__strategic_indexes.sql")) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException | NullPointerException e) {
            throw new IllegalStateException("V2__strategic_indexes.sql is missing from the classpath", e);
        }
        List<Planned> out = new ArrayList<>();
        List<String> lines = text.lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            Matcher m = CREATE.matcher(lines.get(i));
            if (m.matches()) {
                String comment = i + 1 < lines.size() ? lines.get(i + 1) : "";
                if (!comment.startsWith("COMMENT ON INDEX " + m.group(1) + " IS ")) {
                    throw new IllegalStateException(
                            "V2__strategic_indexes.sql: no COMMENT after the index " + m.group(1));
                }
                out.add(new Planned(m.group(1), m.group(2), lines.get(i), comment));
            }
        }
        return out;
    }

    private static String literal(String text) {
        // COMMENT takes no bind parameters; the text comes from our own catalog comment.
        return "'" + text.replace("'", "''") + "'";
    }
}
