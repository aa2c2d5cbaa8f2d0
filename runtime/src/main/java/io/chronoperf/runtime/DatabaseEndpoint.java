package io.chronoperf.runtime;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/**
 * Where the database is: a JDBC URL with its credentials, and whether chrono-perf started it.
 *
 * @param jdbcUrl  a {@code jdbc:postgresql://} URL
 * @param user     user name, or null to let the driver take it from the URL
 * @param password password, or null
 * @param embedded true when chrono-perf started this server itself
 */
public record DatabaseEndpoint(String jdbcUrl, String user, String password, boolean embedded) {

    public DatabaseEndpoint {
        if (jdbcUrl == null || !jdbcUrl.startsWith("jdbc:postgresql:")) {
            throw new ChronoPerfException(
                    ErrorCode.CONFIGURATION,
                    Setting.DB_URL.env()
                            + " must be a PostgreSQL URL such as jdbc:postgresql://127.0.0.1:5432/mydb"
                            + " or postgres://user@host:5432/mydb, not '" + jdbcUrl + "'");
        }
    }

    /**
     * Reads {@code CHRONO_PERF_DB_URL} (+ user and password). Accepts JDBC URLs and the
     * {@code postgres://user:password@host:port/db} form used by libpq and most hosting providers.
     */
    public static DatabaseEndpoint external(String url, String user, String password) {
        if (url.startsWith("postgres://") || url.startsWith("postgresql://")) {
            URI uri = URI.create(url);
            String info = uri.getRawUserInfo();
            if (info != null) {
                int colon = info.indexOf(':');
                String u = decode(colon < 0 ? info : info.substring(0, colon));
                user = user != null ? user : u;
                if (colon >= 0 && password == null) {
                    password = decode(info.substring(colon + 1));
                }
            }
            int port = uri.getPort() < 0 ? 5432 : uri.getPort();
            String query = uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery();
            url = "jdbc:postgresql://" + uri.getHost() + ":" + port + uri.getRawPath() + query;
        }
        return new DatabaseEndpoint(url, user, password, false);
    }

    /** This endpoint with another database name on the same server. */
    public DatabaseEndpoint withDatabase(String database) {
        int slash = jdbcUrl.indexOf('/', "jdbc:postgresql://".length());
        if (slash < 0) {
            throw new ChronoPerfException(ErrorCode.CONFIGURATION, "The database URL names no database: " + jdbcUrl);
        }
        int query = jdbcUrl.indexOf('?', slash);
        String rest = query < 0 ? "" : jdbcUrl.substring(query);
        return new DatabaseEndpoint(jdbcUrl.substring(0, slash + 1) + database + rest, user, password, embedded);
    }

    /** The database name the URL points at. */
    public String databaseName() {
        int slash = jdbcUrl.indexOf('/', "jdbc:postgresql://".length());
        int query = jdbcUrl.indexOf('?', slash);
        return jdbcUrl.substring(slash + 1, query < 0 ? jdbcUrl.length() : query);
    }

    /** Opens one connection, with a message that says what to check when it fails. */
    public Connection connect() {
        Properties props = new Properties();
        if (user != null) {
            props.setProperty("user", user);
        }
        if (password != null) {
            props.setProperty("password", password);
        }
        props.setProperty("ApplicationName", "chrono-perf");
        props.setProperty("assumeMinServerVersion", "13"); // the name in the start-up packet, no SET after connecting
        try {
            return DriverManager.getConnection(jdbcUrl, props);
        } catch (SQLException e) {
            throw new ChronoPerfException(
                    ErrorCode.SERVICE_UNAVAILABLE,
                    "Cannot connect to " + jdbcUrl
                            + (user == null ? "" : " as " + user) + ": " + e.getMessage()
                            + ". Check " + Setting.DB_URL.env() + ", " + Setting.DB_USER.env() + " and "
                            + Setting.DB_PASSWORD.env() + ", or unset them to use the embedded PostgreSQL.",
                    e);
        }
    }

    /** The URL as shown to people (logs, the dashboard, metrics tags): a {@code password=} parameter masked. */
    public String displayUrl() {
        return masked(jdbcUrl);
    }

    /** A JDBC URL with its {@code password=} parameter masked. */
    public static String masked(String jdbcUrl) {
        return jdbcUrl.replaceAll("(?i)([?&]password=)[^&]*", "$1***");
    }

    @Override
    public String toString() {
        // Never print the password.
        return jdbcUrl + (user == null ? "" : " (user " + user + ")");
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }
}
