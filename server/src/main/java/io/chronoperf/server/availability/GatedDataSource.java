package io.chronoperf.server.availability;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.springframework.jdbc.datasource.DelegatingDataSource;

/**
 * A data source that refuses a connection at once ({@link SQLTransientConnectionException},
 * SQLSTATE 08001: a 503, or a stale cache answer) while its {@link DatabaseWatch} finds the
 * database away, instead of after the pool's timeout. Unwraps to its target (a Hikari pool keeps
 * reporting its figures).
 */
public final class GatedDataSource extends DelegatingDataSource {
    private final Supplier<DatabaseWatch> watch;

    public GatedDataSource(DataSource target, Supplier<DatabaseWatch> watch) {
        super(target);
        this.watch = watch;
    }

    @Override
    public Connection getConnection() throws SQLException {
        check();
        return super.getConnection();
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        check();
        return super.getConnection(username, password);
    }

    private void check() throws SQLTransientConnectionException {
        DatabaseWatch w = watch.get();
        if (w != null && !w.up()) {
            throw new SQLTransientConnectionException(
                    "The database has not answered since " + w.downSince() + " (" + w.reason() + ")", "08001");
        }
    }
}
