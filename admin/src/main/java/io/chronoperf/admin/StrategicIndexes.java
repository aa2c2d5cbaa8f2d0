package io.chronoperf.admin;

import io.chronoperf.runtime.ChronoPerfException;
import io.chronoperf.runtime.ErrorCode;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
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

    private StrategicIndexes() {
    }

    /**
     * One strategic index.
     *
     * @param definition the {@code CREATE INDEX} statement from {@code pg_get_indexdef}
     * @param purpose    the admin query it serves
     */
    public record Index(String name, String table, String definition, String purpose, long sizeBytes) {
    }

    public static List<Index> list(DataSource dataSource) {
        try (Connection c = dataSource.getConnection()) {
            return list(c);
        } catch (SQLException e) {
            throw new ChronoPerfException(ErrorCode.SERVICE_UNAVAILABLE, "Cannot list strategic indexes: " + e.getMessage(), e);
        }
    }

    public static List<Index> list(Connection c) {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(LIST)) {
            List<Index> out = new ArrayList<>();
            while (rs.next()) {
                out.add(new Index(rs.getString(1), rs.getString(2), rs.getString(3),
                        rs.getString(4).substring("strategic:".length()).strip(), rs.getLong(5)));
            }
            return out;
        } catch (SQLException e) {
            throw new ChronoPerfException(ErrorCode.SERVICE_UNAVAILABLE, "Cannot list strategic indexes: " + e.getMessage(), e);
        }
    }

    /** Drops the given indexes (plain DROP INDEX: for benchmarks and bulk loads on a quiet database). */
    public static void drop(Connection c, List<Index> indexes) {
        try (Statement s = c.createStatement()) {
            for (Index ix : indexes) {
                s.execute("DROP INDEX IF EXISTS " + AdminSchema.quote(ix.name()));
            }
        } catch (SQLException e) {
            throw new ChronoPerfException(ErrorCode.SERVICE_UNAVAILABLE, "Cannot drop strategic indexes: " + e.getMessage(), e);
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
            throw new ChronoPerfException(ErrorCode.SERVICE_UNAVAILABLE, "Cannot rebuild strategic indexes: " + e.getMessage(), e);
        }
    }

    private static String literal(String text) {
        // COMMENT takes no bind parameters; the text comes from our own catalog comment.
        return "'" + text.replace("'", "''") + "'";
    }
}
