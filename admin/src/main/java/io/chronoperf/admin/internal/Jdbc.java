package io.chronoperf.admin.internal;

import io.chronoperf.runtime.ChronoPerfException;
import io.chronoperf.runtime.ErrorCode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The few JDBC moves the repositories share: run a statement with bound values and map its rows.
 * Values are always bound, never concatenated; {@code null} binds as SQL NULL with its type
 * inferred by the server.
 */
public final class Jdbc {
    private final DataSource dataSource;
    private final DataSource reads;

    public Jdbc(DataSource dataSource) {
        this(dataSource, dataSource);
    }

    /**
     * @param dataSource the primary: transactions (the writes, and what they read) run there
     * @param reads      where {@link #list} and {@link #one} run: the primary, or a routing data
     *                   source that may hand out a replica's connection
     */
    public Jdbc(DataSource dataSource, DataSource reads) {
        this.dataSource = dataSource;
        this.reads = reads;
    }

    @FunctionalInterface
    public interface RowMapper<T> {
        T map(ResultSet rs) throws SQLException;
    }

    @FunctionalInterface
    public interface InTransaction<T> {
        T run(Connection c) throws SQLException;
    }

    /** A read outside any transaction, on the read data source. */
    public <T> List<T> list(String sql, RowMapper<T> mapper, Object... params) {
        try (Connection c = reads.getConnection()) {
            return list(c, sql, mapper, params);
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    public static <T> List<T> list(Connection c, String sql, RowMapper<T> mapper, Object... params)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, params);
            try (ResultSet rs = ps.executeQuery()) {
                List<T> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(mapper.map(rs));
                }
                return out;
            }
        }
    }

    public <T> Optional<T> one(String sql, RowMapper<T> mapper, Object... params) {
        List<T> rows = list(sql, mapper, params);
        return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
    }

    public static int update(Connection c, String sql, Object... params) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, params);
            return ps.executeUpdate();
        }
    }

    /** Runs the work in one transaction: committed when it returns, rolled back when it throws. */
    public <T> T transaction(InTransaction<T> work) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    private static void bind(PreparedStatement ps, Object[] params) throws SQLException {
        for (int i = 0; i < params.length; i++) {
            Object p = params[i];
            if (p instanceof Instant instant) {
                ps.setTimestamp(i + 1, Timestamp.from(instant));
            } else if (p instanceof Long[] longs) {
                ps.setArray(i + 1, ps.getConnection().createArrayOf("bigint", longs));
            } else {
                ps.setObject(i + 1, p);
            }
        }
    }

    public static Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }

    public static Long nullableLong(ResultSet rs, String column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : v;
    }

    public static Integer nullableInt(ResultSet rs, String column) throws SQLException {
        int v = rs.getInt(column);
        return rs.wasNull() ? null : v;
    }

    private static ChronoPerfException failure(SQLException e) {
        return new ChronoPerfException(ErrorCode.SERVICE_UNAVAILABLE, "Database error: " + e.getMessage(), e);
    }
}
