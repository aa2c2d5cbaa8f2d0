package io.chronoperf.bench;

import io.chronoperf.advisor.nplusone.StatementCapture;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import javax.sql.DataSource;

/**
 * The cost of N+1 capture per statement: a trivial query ({@code SELECT 1}, prepared, executed,
 * read) on one connection, through the raw DataSource and through the capture inside an open
 * unit, alternating rounds so that drift hits both alike. Reports the medians and the difference.
 */
public final class CaptureBenchmark {
    private final DataSource dataSource;

    public CaptureBenchmark(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public String run(int statementsPerRound, int rounds) throws SQLException {
        StatementCapture capture = new StatementCapture(false, StatementCapture.DEFAULT_CAP, List.of());
        DataSource captured = capture.wrap(dataSource);
        double[] raw = new double[rounds];
        double[] withCapture = new double[rounds];
        double[] proxyOnly = new double[rounds];
        round(dataSource, statementsPerRound, null); // warm-up both paths
        round(captured, statementsPerRound, capture);
        for (int r = 0; r < rounds; r++) {
            raw[r] = round(dataSource, statementsPerRound, null);
            withCapture[r] = round(captured, statementsPerRound, capture);
            proxyOnly[r] = round(captured, statementsPerRound, null);
        }
        Arrays.sort(proxyOnly);
        Arrays.sort(raw);
        Arrays.sort(withCapture);
        double rawUs = raw[rounds / 2];
        double capUs = withCapture[rounds / 2];
        double proxyUs = proxyOnly[rounds / 2];
        double rawBytes = allocatedPerStatement(dataSource, statementsPerRound, null);
        double capBytes = allocatedPerStatement(captured, statementsPerRound, capture);
        return String.format(
                Locale.ROOT,
                "capture overhead: SELECT 1 takes %.2f us raw, %.2f us captured: %.2f us per statement"
                        + " (goal <= 5 us; medians of %d rounds of %,d statements);%n  outside a unit (proxy only) "
                        + "%.2f us: +%.2f us%n"
                        + "  allocation per statement: %.0f bytes raw, %.0f bytes captured (+%.0f bytes)%n",
                rawUs,
                capUs,
                capUs - rawUs,
                rounds,
                statementsPerRound,
                proxyUs,
                proxyUs - rawUs,
                rawBytes,
                capBytes,
                capBytes - rawBytes);
    }

    /** Bytes this thread allocates per statement over one round (HotSpot's per-thread counter). */
    private static double allocatedPerStatement(DataSource ds, int n, StatementCapture capture) throws SQLException {
        com.sun.management.ThreadMXBean bean =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().getId();
        long before = bean.getThreadAllocatedBytes(id);
        round(ds, n, capture);
        return (double) (bean.getThreadAllocatedBytes(id) - before) / n;
    }

    /**
     * Microseconds per statement in one round; with a capture, a unit is reopened every 500 statements (its cap is
     * 1,000).
     */
    private static double round(DataSource ds, int n, StatementCapture capture) throws SQLException {
        long sink = 0;
        long start = System.nanoTime();
        try (Connection c = ds.getConnection()) {
            for (int done = 0; done < n; done += 500) {
                StatementCapture.Scope scope = capture == null ? null : capture.open("bench");
                try {
                    for (int i = 0; i < 500 && done + i < n; i++) {
                        try (PreparedStatement ps = c.prepareStatement("SELECT 1");
                                ResultSet rs = ps.executeQuery()) {
                            rs.next();
                            sink += rs.getInt(1);
                        }
                    }
                } finally {
                    if (scope != null) {
                        scope.close();
                    }
                }
            }
        }
        if (sink != n) {
            throw new IllegalStateException("unexpected results");
        }
        return (System.nanoTime() - start) / 1e3 / n;
    }
}
