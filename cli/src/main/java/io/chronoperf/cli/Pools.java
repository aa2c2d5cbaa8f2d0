package io.chronoperf.cli;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.chronoperf.runtime.DatabaseEndpoint;

/** A small HikariCP pool for the commands that work on the database directly (seed, migrate, bench). */
final class Pools {
    private Pools() {}

    static HikariDataSource open(DatabaseEndpoint endpoint, String name) {
        try (var probe = endpoint.connect()) { // fails early with a message that says what to check
            probe.isValid(5);
        } catch (java.sql.SQLException e) {
            throw new io.chronoperf.runtime.ChronoPerfException(
                    io.chronoperf.runtime.ErrorCode.SERVICE_UNAVAILABLE,
                    "The database " + endpoint + " does not answer: " + e.getMessage(),
                    e);
        }
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(endpoint.jdbcUrl());
        config.setUsername(endpoint.user());
        config.setPassword(endpoint.password());
        config.setMaximumPoolSize(4); // the demo data loads three table groups in parallel
        config.setPoolName(name);
        config.addDataSourceProperty("ApplicationName", "chrono-perf-" + name);
        config.addDataSourceProperty("assumeMinServerVersion", "13"); // the name in the start-up packet, no SET
        return new HikariDataSource(config);
    }
}
