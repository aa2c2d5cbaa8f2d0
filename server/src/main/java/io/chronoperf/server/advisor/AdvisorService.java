package io.chronoperf.server.advisor;

import io.chronoperf.advisor.index.IndexAdvisor;
import io.chronoperf.advisor.index.IndexApplier;
import io.chronoperf.advisor.index.Workload;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;

/**
 * Index advice for the application's database, from its pg_stat_statements: computed on request
 * (one at a time: the what-if state lives on one connection), the latest kept for the dashboard,
 * and applied on an admin's confirmation.
 */
public final class AdvisorService {
    /** Statements of pg_stat_statements the advice considers (the most total time first). */
    public static final int STATEMENTS = 200;

    private final DataSource dataSource;
    private final AtomicReference<IndexAdvisor.Advice> latest = new AtomicReference<>();

    /**
     * @param dataSource the application's pool; the advisor works on the pool beneath the N+1
     *                   capture, whose what-if loops are the tool's, not the application's queries
     */
    public AdvisorService(DataSource dataSource) {
        DataSource raw = dataSource;
        try {
            raw = dataSource.unwrap(com.zaxxer.hikari.HikariDataSource.class);
        } catch (SQLException notHikari) {
            // not a Hikari pool beneath: use it as it is
        }
        this.dataSource = raw;
    }

    public IndexAdvisor.Advice latest() {
        return latest.get();
    }

    private static final String NO_WORKLOAD =
            "index advice reads the workload from pg_stat_statements, which this database"
                    + " does not have: add it to shared_preload_libraries and run CREATE EXTENSION pg_stat_statements "
                    + "(or use"
                    + " ./chrono-perf advise --workload FILE)";

    /** Why no advice can be computed here (no pg_stat_statements, its only workload), or empty when it can. */
    public java.util.Optional<String> whyNoAdvice() throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            return io.chronoperf.monitor.StatementSummary.of(c).available()
                    ? java.util.Optional.empty()
                    : java.util.Optional.of(NO_WORKLOAD);
        }
    }

    /**
     * @throws io.chronoperf.runtime.ConflictException when the database has no
     *         pg_stat_statements (a 409 that says how to add it; callers that can go on without
     *         advice ask {@link #whyNoAdvice()} first)
     */
    public synchronized IndexAdvisor.Advice advise(IndexAdvisor.Options options) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            if (!io.chronoperf.monitor.StatementSummary.of(c).available()) {
                throw new io.chronoperf.runtime.ConflictException(NO_WORKLOAD);
            }
            IndexAdvisor.Advice a =
                    new IndexAdvisor(options, step -> {}).advise(c, workload(c), dataSource::getConnection);
            latest.set(a);
            return a;
        }
    }

    /** Creates the given recommendations (already checked to be current ones) with proof. */
    /**
     * The workload: the monitor's deltas of the last 24 hours when the history has them (what ran
     * lately, weighted by calls), otherwise pg_stat_statements since its last reset.
     */
    Workload workload(Connection c) throws SQLException {
        java.time.Instant now = java.time.Instant.now();
        List<io.chronoperf.monitor.History.StatementDelta> deltas = new io.chronoperf.monitor.History(
                        java.time.Clock.systemUTC())
                .statementDeltas(c, now.minus(java.time.Duration.ofHours(24)), now);
        Workload recent = Workload.fromDeltas(deltas, STATEMENTS, false);
        return recent.queries().isEmpty() ? Workload.fromStatStatements(c, STATEMENTS) : recent;
    }

    /** Creates the given recommendations; the workload timed before and after is the advice's. */
    public synchronized IndexApplier.Outcome apply(List<IndexAdvisor.Recommendation> indexes) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            Workload w = workload(c);
            return new IndexApplier(Duration.ofSeconds(5), Duration.ofSeconds(30), line -> {}).apply(c, w, indexes);
        }
    }
}
