package io.chronoperf.testkit;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.chronoperf.runtime.DatabaseEndpoint;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A fresh, empty database of its own for one test class, on a real PostgreSQL server
 * ({@link TestServers}), dropped when the class is done. Register it as a static field:
 * <pre>{@code @RegisterExtension static final TestDatabase db = new TestDatabase();}</pre>
 */
public final class TestDatabase implements BeforeAllCallback, AfterAllCallback {
    private final java.util.function.Supplier<DatabaseEndpoint> server;
    private DatabaseEndpoint endpoint;
    private HikariDataSource dataSource;

    /** On the tests' PostgreSQL ({@link TestServers#postgres()}). */
    public TestDatabase() {
        this(TestServers::postgres);
    }

    /** On another server (a private one the test started), asked for when the database is created. */
    public TestDatabase(java.util.function.Supplier<DatabaseEndpoint> server) {
        this.server = server;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        create();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        drop();
    }

    /** Creates the database; the extension calls it, tests outside JUnit may too. */
    public void create() {
        String name = "cpt_"
                + UUID.randomUUID().toString().replace("-", "").substring(0, 16).toLowerCase(Locale.ROOT);
        DatabaseEndpoint server = this.server.get();
        try (Connection c = server.connect();
                Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name); // generated name, never input
        } catch (SQLException e) {
            throw new IllegalStateException("Could not create test database on " + server + ": " + e.getMessage(), e);
        }
        endpoint = server.withDatabase(name);
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(endpoint.jdbcUrl());
        config.setUsername(endpoint.user());
        config.setPassword(endpoint.password());
        config.setMaximumPoolSize(8);
        config.setPoolName("test-" + name);
        dataSource = new HikariDataSource(config);
    }

    /** Drops the database, ending any session still connected to it. */
    public void drop() {
        if (dataSource != null) {
            dataSource.close();
        }
        if (endpoint == null) {
            return;
        }
        try (Connection c = server.get().connect();
                Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + endpoint.databaseName() + " WITH (FORCE)");
        } catch (SQLException e) {
            throw new IllegalStateException("Could not drop test database " + endpoint.databaseName(), e);
        }
    }

    public DatabaseEndpoint endpoint() {
        return endpoint;
    }

    public DataSource dataSource() {
        return dataSource;
    }
}
