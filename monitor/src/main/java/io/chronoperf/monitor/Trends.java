package io.chronoperf.monitor;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Trends over the stored history: statements that slowed down (the recent window against a
 * baseline window just before it) and anomalies in the database series (a robust z-score of the
 * latest interval against the window: median and median absolute deviation, Iglewicz and
 * Hoaglin's modified z-score, flagged at |z| &gt;= 3.5).
 */
public final class Trends {
    /**
     * @param recent    the window judged (1 h by default)
     * @param baseline  the window before it that sets the norm (24 h)
     * @param minCalls  calls a statement needs in each window to be judged (20)
     * @param factor    a mean this many times the baseline's is a regression (2)
     */
    public record Options(Duration recent, Duration baseline, long minCalls, double factor) {
        public static final Options DEFAULT = new Options(Duration.ofHours(1), Duration.ofHours(24), 20, 2.0);
    }

    public record Regression(
            long queryid,
            String query,
            long recentCalls,
            double recentMeanMs,
            long baselineCalls,
            double baselineMeanMs,
            double factor) {}

    /** The latest value of a series against the window's median, with its modified z-score. */
    public record Anomaly(String metric, Instant at, double value, double median, double mad, double zScore) {}

    public static final double Z_THRESHOLD = 3.5;
    /** Points a series needs before it is judged. */
    public static final int MIN_POINTS = 10;

    private final History history;
    private final Clock clock;
    private final Options options;

    public Trends(History history, Clock clock, Options options) {
        this.history = history;
        this.clock = clock;
        this.options = options;
    }

    /** Statements whose mean in the recent window is at least {@code factor} times the baseline's, worst first. */
    public List<Regression> regressions(Connection store) throws SQLException {
        Instant now = clock.instant();
        Instant split = now.minus(options.recent());
        Map<Long, History.StatementDelta> before = new HashMap<>();
        for (History.StatementDelta d : history.statementDeltas(store, split.minus(options.baseline()), split)) {
            before.put(d.queryid(), d);
        }
        List<Regression> out = new ArrayList<>();
        for (History.StatementDelta d : history.statementDeltas(store, split, now)) {
            History.StatementDelta b = before.get(d.queryid());
            if (b == null || d.calls() < options.minCalls() || b.calls() < options.minCalls() || b.meanMs() <= 0) {
                continue;
            }
            double factor = d.meanMs() / b.meanMs();
            if (factor >= options.factor()) {
                out.add(new Regression(d.queryid(), d.query(), d.calls(), d.meanMs(), b.calls(), b.meanMs(), factor));
            }
        }
        out.sort((x, y) -> Double.compare(y.factor(), x.factor()));
        return out;
    }

    /** Anomalies of the latest interval in connections, cache hit ratio and transactions per second. */
    public List<Anomaly> anomalies(Connection store, Duration window) throws SQLException {
        List<History.Point> points = history.series(store, window);
        List<Anomaly> out = new ArrayList<>();
        judge(out, "connections", points, p -> (double) p.connections());
        judge(out, "cache_hit_ratio_pct", points, History.Point::cacheHitRatioPct);
        judge(out, "transactions_per_second", points, History.Point::transactionsPerSecond);
        return out;
    }

    private static void judge(
            List<Anomaly> out, String metric, List<History.Point> points, Function<History.Point, Double> f) {
        List<Double> values = new ArrayList<>();
        for (History.Point p : points) {
            Double v = f.apply(p);
            if (v != null) {
                values.add(v);
            }
        }
        if (values.size() < MIN_POINTS) {
            return;
        }
        double latest = values.get(values.size() - 1);
        double[] norm = values.subList(0, values.size() - 1).stream()
                .mapToDouble(Double::doubleValue)
                .toArray();
        Double z = modifiedZ(latest, norm);
        if (z != null && Math.abs(z) >= Z_THRESHOLD) {
            double median = median(norm);
            out.add(new Anomaly(metric, points.get(points.size() - 1).takenAt(), latest, median, mad(norm, median), z));
        }
    }

    /**
     * 0.6745 (x - median) / MAD; when the MAD is 0 (more than half the values equal), the mean
     * absolute deviation scaled by 1.2533 stands in; null when both are 0 (a flat series, where
     * any change would be "infinitely" anomalous: not judged).
     */
    public static Double modifiedZ(double x, double[] values) {
        double median = median(values);
        double mad = mad(values, median);
        if (mad > 0) {
            return 0.6745 * (x - median) / mad;
        }
        double meanAd =
                Arrays.stream(values).map(v -> Math.abs(v - median)).average().orElse(0);
        return meanAd > 0 ? (x - median) / (1.253314 * meanAd) : null;
    }

    static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }

    static double mad(double[] values, double median) {
        return median(Arrays.stream(values).map(v -> Math.abs(v - median)).toArray());
    }
}
