package io.chronoperf.advisor.analyze;

import io.chronoperf.runtime.OwnStatements;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The what-if without HypoPG: copies of the tables in the session's temporary schema, where
 * indexes can be built without taking a lock that any other session waits for. A copy has the
 * table's name, so it shadows the table for every unqualified reference in this session (the
 * temporary schema is searched first), carries the table's indexes and extended statistics, and
 * is vacuumed and analyzed. Reading the table for the copy takes only the lock a SELECT takes:
 * writers go on. A statement that names the table with its schema still sees the real table, so
 * an index on the copy cannot help it (no advice, never harm).
 *
 * <p>Why not build on the real table inside a rolled-back transaction (the earlier design):
 * CREATE INDEX holds a SHARE lock until the rollback, and every writer of the table waits for it;
 * a periodic analysis of a 200 MB table held it for minutes. The copies cost a read of each table
 * and its size in temporary files while they live; the costs are those of a freshly analyzed
 * table, which may differ from the real table's when its statistics are stale.
 *
 * <p>Copies are made by one session at a time per database ({@code pg_advisory_lock}, held until
 * {@link #close()}), so analyses and advice never overlap their copying and building; a session
 * that waits longer than {@code waitForOthers} is told so. One connection, not thread-safe.
 */
public final class ScratchCopies implements AutoCloseable {
    /** The advisory lock's key: one copying session per database at a time. */
    private static final String LOCK_KEY = "chrono-perf what-if copies";

    private final Connection c;
    private final long maxTableBytes;
    private final long waitForOthersMs;
    /** The table as asked for -> its copy's name in pg_temp, or null when it cannot be copied. */
    private final Map<String, String> copies = new LinkedHashMap<>();

    private boolean locked;
    private long copiedBytes;
    private long copyMs;

    /**
     * @param maxTableBytes tables larger than this (with their indexes) are not copied
     * @param waitForOthersMs how long to wait for another session's copies to be dropped
     */
    public ScratchCopies(Connection c, long maxTableBytes, long waitForOthersMs) {
        this.c = c;
        this.maxTableBytes = maxTableBytes;
        this.waitForOthersMs = waitForOthersMs;
    }

    /**
     * Makes sure the table has a copy. {@code table} is a name {@code to_regclass} resolves (bare
     * or schema-qualified, quoted as needed). False when there is no such table, it is too large, or
     * another table of the same name is already copied.
     */
    public boolean ensure(String table) throws SQLException {
        if (copies.containsKey(table)) {
            return copies.get(table) != null;
        }
        String copy = copy(table);
        copies.put(table, copy);
        return copy != null;
    }

    /** Bytes read into copies so far. */
    public long copiedBytes() {
        return copiedBytes;
    }

    /** Time spent copying so far. */
    public long copyMs() {
        return copyMs;
    }

    private String copy(String table) throws SQLException {
        String schema;
        String name;
        try (PreparedStatement ps = c.prepareStatement(OwnStatements.MARK + """
                SELECT n.nspname, c.relname, pg_catalog.pg_total_relation_size(c.oid)
                  FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                 WHERE c.oid = to_regclass(?) AND c.relkind IN ('r', 'p', 'm') AND c.relpersistence <> 't'""")) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next() || rs.getLong(3) > maxTableBytes) {
                    return null; // not a table here, or too large to copy: only HypoPG can cost it
                }
                schema = rs.getString(1);
                name = rs.getString(2);
            }
        }
        String copy = "pg_temp." + quote(name);
        if (copies.containsValue(copy)) {
            return null; // another schema's table of the same name already shadows it
        }
        lock();
        long start = System.nanoTime();
        String real = quote(schema) + "." + quote(name);
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(true);
        try (Statement s = c.createStatement()) {
            s.execute(OwnStatements.MARK + "CREATE TEMPORARY TABLE " + quote(name) + " (LIKE " + real
                    + " INCLUDING INDEXES INCLUDING STATISTICS)");
            s.execute(OwnStatements.MARK + "INSERT INTO " + copy + " SELECT * FROM " + real);
            s.execute(OwnStatements.MARK + "VACUUM ANALYZE " + copy);
            try (ResultSet rs = s.executeQuery(
                    OwnStatements.MARK + "SELECT pg_catalog.pg_total_relation_size('" + copy + "'::regclass)")) {
                rs.next();
                copiedBytes += rs.getLong(1);
            }
        } catch (SQLException e) {
            try (Statement s = c.createStatement()) {
                s.execute(OwnStatements.MARK + "DROP TABLE IF EXISTS " + copy);
            } catch (SQLException ignored) {
                // the connection is gone: its temporary tables went with it
            }
            return null;
        } finally {
            c.setAutoCommit(auto);
            copyMs += (System.nanoTime() - start) / 1_000_000;
        }
        return copy;
    }

    private void lock() throws SQLException {
        if (locked) {
            return;
        }
        try (Statement s = c.createStatement()) {
            s.execute(OwnStatements.MARK + "SET lock_timeout = " + Math.max(1, waitForOthersMs));
            s.execute(
                    OwnStatements.MARK + "SELECT pg_catalog.pg_advisory_lock(pg_catalog.hashtext('" + LOCK_KEY + "'))");
            locked = true;
        } catch (SQLException e) {
            throw new SQLException(
                    "another analysis or advice is costing indexes on copies of this database's tables;"
                            + " try again when it is done (HypoPG would let both run at once)",
                    "55P03",
                    e);
        } finally {
            try (Statement s = c.createStatement()) {
                s.execute(OwnStatements.MARK + "RESET lock_timeout");
            }
        }
    }

    /** Drops the copies and releases the lock (the connection may go back to a pool). */
    @Override
    public void close() throws SQLException {
        if (!c.isClosed()) {
            if (!c.getAutoCommit()) {
                c.rollback();
                c.setAutoCommit(true);
            }
            try (Statement s = c.createStatement()) {
                for (String copy : copies.values()) {
                    if (copy != null) {
                        s.execute(OwnStatements.MARK + "DROP TABLE IF EXISTS " + copy);
                    }
                }
                if (locked) {
                    s.execute(OwnStatements.MARK + "SELECT pg_catalog.pg_advisory_unlock(pg_catalog.hashtext('"
                            + LOCK_KEY + "'))");
                }
            }
        }
        copies.clear();
        locked = false;
    }

    /** Always quoted: a table may be named like a keyword ("order"). */
    static String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }
}
