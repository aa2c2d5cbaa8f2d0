package io.chronoperf.advisor.analyze;

import io.chronoperf.runtime.OwnStatements;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Base64;
import java.util.Properties;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The least-privilege role the query analysis (and its what-if) connects as by default:
 * {@value #NAME}, a login role that is no superuser, creates nothing, and is granted
 * pg_read_all_data (PostgreSQL 14+) so that it can plan and run reads of the watched tables; it is
 * not granted pg_read_server_files, pg_monitor or pg_read_all_settings, so it cannot read the
 * server's files nor its settings. chrono-perf creates it, or brings it back to this shape, when
 * its own database user may (a superuser, or a role with CREATEROLE); elsewhere {@link #sql} is
 * what a DBA runs once. Its password is derived from chrono-perf's token secret, so that every
 * instance that shares the secret computes the same one.
 */
public final class AnalysisRole {
    public static final String NAME = "chrono_perf_analyze";

    /** What {@link #ensure} found or did: {@code ready} when the role can be used. */
    public record Status(boolean ready, String message) {}

    private AnalysisRole() {}

    /** The password of the role, derived from the token secret (HMAC-SHA256, base64url). */
    public static String password(byte[] tokenSecret) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(tokenSecret, "HmacSHA256"));
            byte[] digest = mac.doFinal("chrono-perf analysis role".getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JVM", e);
        }
    }

    /** The SQL a DBA runs once where chrono-perf may not create roles. */
    public static String sql() {
        return "CREATE ROLE " + NAME
                + " LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD '<password>';\n"
                + "GRANT pg_read_all_data TO " + NAME
                + ";  -- PostgreSQL 14+; before 14: GRANT SELECT on the watched tables";
    }

    /**
     * Creates the role when missing, or brings it back to its shape, through {@code admin} (a
     * connection as chrono-perf's own database user); sets its password when one is given.
     */
    public static Status ensure(Connection admin, String password) {
        try (Statement s = admin.createStatement()) {
            boolean exists;
            boolean superuser = false;
            try (ResultSet rs = s.executeQuery(
                    OwnStatements.MARK + "SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = '" + NAME + "'")) {
                exists = rs.next();
                if (exists) {
                    superuser = rs.getBoolean(1);
                }
            }
            boolean mayManage;
            try (ResultSet rs = s.executeQuery(OwnStatements.MARK
                    + "SELECT rolsuper OR rolcreaterole FROM pg_catalog.pg_roles WHERE rolname = current_user")) {
                mayManage = rs.next() && rs.getBoolean(1);
            }
            if (!mayManage) {
                if (exists && !superuser) {
                    return new Status(true, "analysis role " + NAME + " found (created by a DBA)");
                }
                return new Status(
                        false,
                        "the analysis role " + NAME + " is " + (exists ? "a superuser" : "missing")
                                + " and " + currentUser(s)
                                + " may not manage roles: statements are planned, never executed,"
                                + " until a DBA runs the SQL in docs/rules.md or CHRONO_PERF_ANALYZE_DB_USER names "
                                + "such a role");
            }
            if (!exists) {
                try {
                    s.execute(OwnStatements.MARK + "CREATE ROLE " + NAME
                            + " LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS");
                } catch (SQLException raced) {
                    if (!"42710".equals(raced.getSQLState()) && !"23505".equals(raced.getSQLState())) {
                        throw raced; // another instance created it at the same moment: fine
                    }
                }
            }
            s.execute(OwnStatements.MARK + "ALTER ROLE " + NAME
                    + " LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS");
            for (String powerful : new String[] {
                "pg_read_server_files",
                "pg_write_server_files",
                "pg_execute_server_program",
                "pg_monitor",
                "pg_read_all_settings"
            }) {
                s.execute(OwnStatements.MARK + "REVOKE " + powerful + " FROM " + NAME);
            }
            if (password != null) {
                try (PreparedStatement ps = admin.prepareStatement(
                        OwnStatements.MARK + "SELECT pg_catalog.format('ALTER ROLE %I PASSWORD %L', ?, ?)")) {
                    ps.setString(1, NAME);
                    ps.setString(2, password);
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        s.execute(OwnStatements.MARK + rs.getString(1));
                    }
                }
            }
            if (admin.getMetaData().getDatabaseMajorVersion() >= 14) {
                s.execute(OwnStatements.MARK + "GRANT pg_read_all_data TO " + NAME);
                return new Status(
                        true, "analysis role " + NAME + " ready (pg_read_all_data, no superuser, no server files)");
            }
            return new Status(
                    true,
                    "analysis role " + NAME + " ready; before PostgreSQL 14 grant it SELECT on the"
                            + " watched tables (there is no pg_read_all_data)");
        } catch (SQLException e) {
            return new Status(
                    false,
                    "the analysis role " + NAME + " could not be set up (SQLSTATE " + e.getSQLState()
                            + "): statements are planned, never executed; see docs/rules.md");
        }
    }

    private static String currentUser(Statement s) throws SQLException {
        try (ResultSet rs = s.executeQuery(OwnStatements.MARK + "SELECT current_user")) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** Where the analysis connects, and the one line that says so at start. */
    public record Setup(QueryAnalyzer.ConnectionSource source, QueryAnalyzer.ConnectionSource owner, String message) {
        /** An analyzer on these connections. */
        public QueryAnalyzer analyzer(QueryAnalyzer.Options options) {
            return new QueryAnalyzer(source, owner, options);
        }
    }

    /**
     * The analysis's connections: as {@code configuredUser} when one is set; otherwise as the
     * managed role {@value #NAME}, created or checked through a connection as the application's
     * user; when that cannot be done, as the application's user, whose statements are then only
     * planned if it is a superuser (the analyzer checks each session).
     */
    public static Setup setup(
            String jdbcUrl,
            String appUser,
            String appPassword,
            String configuredUser,
            String configuredPassword,
            byte[] tokenSecret) {
        if (configuredUser != null && !configuredUser.isBlank()) {
            return new Setup(
                    connections(jdbcUrl, configuredUser, configuredPassword),
                    connections(jdbcUrl, appUser, appPassword),
                    "query analysis connects as " + configuredUser + " (CHRONO_PERF_ANALYZE_DB_USER)");
        }
        QueryAnalyzer.ConnectionSource app = connections(jdbcUrl, appUser, appPassword);
        String password = password(tokenSecret);
        Status status;
        try (Connection admin = app.open()) {
            status = ensure(admin, password);
        } catch (SQLException e) {
            status = new Status(false, "the analysis role could not be checked (SQLSTATE " + e.getSQLState() + ")");
        }
        if (status.ready()) {
            QueryAnalyzer.ConnectionSource managed = connections(jdbcUrl, NAME, password);
            try (Connection probe = managed.open()) {
                return new Setup(managed, app, "query analysis connects as " + status.message());
            } catch (SQLException e) {
                status = new Status(
                        false,
                        NAME + " cannot log in (SQLSTATE " + e.getSQLState()
                                + "; allow it in pg_hba.conf or set CHRONO_PERF_ANALYZE_DB_USER)");
            }
        }
        return new Setup(
                app,
                app,
                "query analysis connects as the application's user: " + status.message()
                        + "; a superuser's statements are planned, never executed");
    }

    /** Dedicated connections (one per analysis) to {@code jdbcUrl} as {@code user}. */
    public static QueryAnalyzer.ConnectionSource connections(String jdbcUrl, String user, String password) {
        return () -> {
            Properties p = new Properties();
            if (user != null && !user.isBlank()) {
                p.setProperty("user", user);
            }
            if (password != null && !password.isBlank()) {
                p.setProperty("password", password);
            }
            p.setProperty("ApplicationName", "chrono-perf-analyze");
            // PostgreSQL 13+ only: the name goes in the start-up packet, not in a SET after connecting
            // (one round trip less, and no statement of ours in pg_stat_statements)
            p.setProperty("assumeMinServerVersion", "13");
            return DriverManager.getConnection(jdbcUrl, p);
        };
    }
}
