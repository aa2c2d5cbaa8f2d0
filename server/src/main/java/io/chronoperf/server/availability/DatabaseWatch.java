package io.chronoperf.server.availability;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Knows within a second whether the database answers, without waiting on the pool: a probe of
 * its own (one connection, validated every {@code interval}, 1 s connect and socket timeouts).
 * While the database is away the application's data source refuses connections at once
 * ({@link AvailabilityConfig}), so that a request that needs the database fails fast with a 503
 * (or is answered from the cache, stale-if-error) instead of holding a thread for the pool's
 * timeout. One log line when it goes, one when it is back (with how long it was away). It is the
 * {@code database} contributor of {@code /actuator/health} (DOWN: a 503).
 */
public final class DatabaseWatch implements HealthIndicator, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DatabaseWatch.class);

    private final String label;
    private final String jdbcUrl;
    private final Properties properties;
    private final Clock clock;
    private final ScheduledExecutorService probe;
    private Connection connection;
    private volatile Instant downSince;
    private volatile String reason;

    public DatabaseWatch(String jdbcUrl, String user, String password, Duration interval, Clock clock) {
        this("the database", jdbcUrl, user, password, interval, clock);
    }

    /** @param label how the log names it ("the database", or "watched database shop") */
    public DatabaseWatch(String label, String jdbcUrl, String user, String password, Duration interval, Clock clock) {
        this.label = label;
        this.jdbcUrl = jdbcUrl;
        this.properties = probeProperties(user, password);
        this.clock = clock;
        this.probe = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "chrono-perf-database-watch");
            t.setDaemon(true);
            return t;
        });
        probe.scheduleWithFixedDelay(this::check, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * The connection properties of a probe: the user and password when given, a 1-s connect
     * timeout, 2-s login and socket timeouts (a server that hangs is found within them).
     */
    public static Properties probeProperties(String user, String password) {
        Properties properties = new Properties();
        if (user != null && !user.isBlank()) {
            properties.setProperty("user", user);
        }
        if (password != null && !password.isBlank()) {
            properties.setProperty("password", password);
        }
        properties.setProperty("ApplicationName", "chrono-perf-watch");
        properties.setProperty("assumeMinServerVersion", "13");
        properties.setProperty("connectTimeout", "1");
        properties.setProperty("socketTimeout", "2");
        properties.setProperty("loginTimeout", "2");
        return properties;
    }

    /** True while the last probe found the database answering. */
    public boolean up() {
        return downSince == null;
    }

    /** Why the last probe failed, or null. */
    public String reason() {
        return reason;
    }

    /** Since when the database has not answered, or null when it answers. */
    public Instant downSince() {
        return downSince;
    }

    @Override
    public Health health() {
        Instant since = downSince;
        return since == null
                ? Health.up().build()
                : Health.down()
                        .withDetail("since", since.toString())
                        .withDetail("reason", reason)
                        .build();
    }

    void check() {
        try {
            if (connection == null || connection.isClosed()) {
                connection = DriverManager.getConnection(jdbcUrl, properties);
            }
            if (!connection.isValid(1)) {
                throw new SQLException("the connection did not answer a validation within 1 s", "08006");
            }
            if (downSince != null) {
                log.info(
                        "{} answers again after {} s",
                        capitalised(),
                        Duration.between(downSince, clock.instant()).toSeconds());
                downSince = null;
                reason = null;
            }
        } catch (SQLException | RuntimeException e) {
            closeQuietly();
            if (downSince == null) {
                downSince = clock.instant();
                reason = e.getMessage() == null
                        ? e.getClass().getSimpleName()
                        : e.getMessage().lines().findFirst().orElse("");
                log.warn(
                        "{} not answering ({}); requests that need it answer 503 or from the cache until it is back",
                        capitalised(),
                        reason);
            }
        }
    }

    private String capitalised() {
        return Character.toUpperCase(label.charAt(0)) + label.substring(1);
    }

    private void closeQuietly() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // it is already broken
            }
            connection = null;
        }
    }

    @Override
    public void close() {
        probe.shutdownNow();
        closeQuietly();
    }
}
