package io.chronoperf.monitor;

import io.chronoperf.monitor.internal.Sql;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * What chrono-perf cannot see or do exactly on a database, named with the commands that fix it:
 * pg_stat_statements (not available, not preloaded, or not created in this database) and HypoPG
 * (the what-if then builds real indexes in rolled-back transactions). Health, the dashboard and
 * the CLI show them; the score says it is partial while pg_stat_statements is missing.
 */
public final class BlindSpots {
    private BlindSpots() {}

    /**
     * One thing not measured or not exact.
     *
     * @param name   {@code pg_stat_statements} or {@code hypopg}
     * @param state  {@code not_available} (no package), {@code not_preloaded}, {@code not_created}
     * @param effect what is missing because of it
     * @param fix    the commands, in order
     */
    public record BlindSpot(String name, String state, String effect, List<String> fix) {}

    public static List<BlindSpot> of(Connection c) throws SQLException {
        List<BlindSpot> out = new ArrayList<>();
        int major;
        String preload;
        try (PreparedStatement ps = Sql.prepare(
                        c,
                        "SELECT current_setting('server_version_num')::int / 10000, "
                                + "current_setting('shared_preload_libraries')");
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            major = rs.getInt(1);
            preload = rs.getString(2).strip();
        }
        boolean pgssAvailable = available(c, "pg_stat_statements");
        boolean pgssCreated = created(c, "pg_stat_statements");
        boolean pgssPreloaded = preload.matches("(?i)(.*[,\\s])?\"?pg_stat_statements\"?([,\\s].*)?");
        String effect = "no statement figures: slow queries, statement trends, the slow-query part of the health score,"
                + " the advisor's workload and the N+1 suspects are empty";
        String preloadFix = "ALTER SYSTEM SET shared_preload_libraries = '"
                + (preload.isEmpty() ? "" : preload.replace("'", "''") + ",") + "pg_stat_statements';";
        String restart = "restart PostgreSQL (e.g. sudo systemctl restart postgresql, or pg_ctlcluster " + major
                + " main restart)";
        if (!pgssAvailable) {
            out.add(new BlindSpot(
                    "pg_stat_statements",
                    "not_available",
                    effect,
                    List.of(
                            "install PostgreSQL's contrib modules (Debian/Ubuntu: sudo apt-get install "
                                    + "postgresql-contrib;"
                                    + " RHEL: sudo dnf install postgresql" + major + "-contrib)",
                            preloadFix,
                            restart,
                            "CREATE EXTENSION pg_stat_statements;")));
        } else if (!pgssPreloaded) {
            List<String> fix = new ArrayList<>(List.of(preloadFix, restart));
            if (!pgssCreated) {
                fix.add("CREATE EXTENSION pg_stat_statements;");
            }
            out.add(new BlindSpot("pg_stat_statements", "not_preloaded", effect, fix));
        } else if (!pgssCreated) {
            out.add(new BlindSpot(
                    "pg_stat_statements",
                    "not_created",
                    effect,
                    List.of("CREATE EXTENSION pg_stat_statements;  -- in this database, as its owner or a superuser")));
        }
        if (!created(c, "hypopg")) {
            String what = "index what-ifs are not hypothetical: the analysis and the advisor build real indexes in"
                    + " rolled-back transactions, which blocks the table's writers while a build runs";
            out.add(
                    available(c, "hypopg")
                            ? new BlindSpot("hypopg", "not_created", what, List.of("CREATE EXTENSION hypopg;"))
                            : new BlindSpot(
                                    "hypopg",
                                    "not_available",
                                    what,
                                    List.of(
                                            "sudo apt-get install postgresql-" + major
                                                    + "-hypopg  (RHEL: sudo dnf install hypopg_" + major
                                                    + "; or build it from https://github.com/HypoPG/hypopg)",
                                            "CREATE EXTENSION hypopg;")));
        }
        return out;
    }

    private static boolean available(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = Sql.prepare(c, "SELECT 1 FROM pg_catalog.pg_available_extensions WHERE name = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static boolean created(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = Sql.prepare(c, "SELECT 1 FROM pg_catalog.pg_extension WHERE extname = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }
}
