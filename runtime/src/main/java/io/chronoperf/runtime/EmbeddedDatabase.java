package io.chronoperf.runtime;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * PostgreSQL 17 started by chrono-perf ({@link PostgresProcess}: zonky's binaries, our runner),
 * with its data in a persistent directory so that data survives a restart, and pg_stat_statements
 * preloaded. As root it runs as the system account {@code chrono-perf} with its data under
 * /var/lib/chrono-perf (PostgreSQL refuses root). One process at a time may own a home: a lock
 * file in the home says so to a second one.
 */
public final class EmbeddedDatabase implements AutoCloseable {
    /** The database chrono-perf creates for the admin platform inside the embedded server. */
    public static final String DATABASE = "chrono_perf";

    private final PostgresProcess postgres;
    private final HomeLock lock;
    private final DatabaseEndpoint endpoint;

    private EmbeddedDatabase(PostgresProcess postgres, HomeLock lock) {
        this.postgres = postgres;
        this.lock = lock;
        this.endpoint = new DatabaseEndpoint(
                "jdbc:postgresql://localhost:" + postgres.port() + "/" + DATABASE, "postgres", null, true);
    }

    /** The data directory of a home's embedded server (under /var/lib/chrono-perf as root). */
    public static Path dataDirectory(Path home) {
        return PostgresProcess.base(home).resolve("postgres");
    }

    /** Starts (and on first use initialises) the embedded server of {@code home}. */
    public static EmbeddedDatabase start(Path home) {
        HomeLock lock = HomeLock.acquire(home);
        Path data = dataDirectory(home);
        try {
            Map<String, String> config = new LinkedHashMap<>();
            config.put("shared_preload_libraries", "pg_stat_statements");
            config.put("pg_stat_statements.track", "top");
            // Small but not tiny: a 2-core laptop-class machine.
            config.put("shared_buffers", "256MB");
            config.put("max_connections", "100");
            PostgresProcess pg = PostgresProcess.start(home, data, config);
            EmbeddedDatabase db = new EmbeddedDatabase(pg, lock);
            try {
                db.createDatabaseIfMissing();
            } catch (RuntimeException e) {
                db.close();
                throw e;
            }
            return db;
        } catch (IOException e) {
            lock.close();
            throw new ChronoPerfException(
                    ErrorCode.SERVICE_UNAVAILABLE,
                    "The embedded PostgreSQL did not start in "
                            + data + ": " + e.getMessage() + ". Its log is " + data.resolveSibling("postgres.log")
                            + "; or set " + Setting.DB_URL.env() + " to use another server.",
                    e);
        } catch (InterruptedException e) {
            lock.close();
            Thread.currentThread().interrupt();
            throw new ChronoPerfException(
                    ErrorCode.SERVICE_UNAVAILABLE, "Interrupted while starting the embedded PostgreSQL", e);
        }
    }

    public DatabaseEndpoint endpoint() {
        return endpoint;
    }

    public int port() {
        return postgres.port();
    }

    private void createDatabaseIfMissing() {
        try (Connection c =
                DriverManager.getConnection("jdbc:postgresql://localhost:" + port() + "/postgres", "postgres", null)) {
            boolean exists;
            try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_catalog.pg_database WHERE datname = ?")) {
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
            throw new ChronoPerfException(
                    ErrorCode.SERVICE_UNAVAILABLE,
                    "The embedded PostgreSQL started but the database " + DATABASE + " could not be created: "
                            + e.getMessage(),
                    e);
        }
        // The server preloads pg_stat_statements; the statistics views need the extension in the database.
        try (Connection c = endpoint.connect();
                Statement s = c.createStatement()) {
            s.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
        } catch (SQLException e) {
            throw new ChronoPerfException(
                    ErrorCode.SERVICE_UNAVAILABLE,
                    "The embedded PostgreSQL started but pg_stat_statements could not be installed in " + DATABASE
                            + ": " + e.getMessage(),
                    e);
        }
    }

    @Override
    public void close() {
        try {
            postgres.close();
        } finally {
            lock.close();
        }
    }
}
