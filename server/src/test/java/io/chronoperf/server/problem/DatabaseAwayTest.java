package io.chronoperf.server.problem;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;

/**
 * Issue 13: a database that does not answer was a 500 (an unmapped SQLTransientConnectionException
 * from the pool). The real exceptions of a pool and of the driver facing a port where nothing
 * listens are recognised as the database being away (a 503), and a syntax error is not.
 */
class DatabaseAwayTest {
    @Test
    void pool_timeouts_and_refused_connections_are_the_database_away() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort(); // closed again: nothing listens there
        }
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl("jdbc:postgresql://127.0.0.1:" + port + "/none");
        config.setUsername("nobody");
        config.setConnectionTimeout(500);
        config.setInitializationFailTimeout(-1);
        try (HikariDataSource pool = new HikariDataSource(config)) {
            SQLException fromPool = null;
            try (Connection ignored = pool.getConnection()) {
                // not reached
            } catch (SQLException e) {
                fromPool = e;
            }
            assertThat((Object) fromPool).isNotNull();
            assertThat(ProblemHandler.databaseAway(new RuntimeException("wrapped", fromPool)))
                    .isTrue();
        }
        SQLException refused = null;
        try (Connection ignored =
                java.sql.DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/none", "nobody", "")) {
            // not reached
        } catch (SQLException e) {
            refused = e;
        }
        assertThat(ProblemHandler.databaseAway(refused)).isTrue();
        assertThat(ProblemHandler.databaseAway(new SQLException("syntax error", "42601")))
                .isFalse();
    }
}
