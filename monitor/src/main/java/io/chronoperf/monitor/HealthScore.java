package io.chronoperf.monitor;

import java.util.ArrayList;
import java.util.List;

/**
 * The seed's health score, exactly, then the "other factors" it leaves open, each capped and
 * shown as a component with its reason.
 *
 * <pre>
 * score = 100
 * score -= min(50, slow_ratio * 100)          slow_ratio = (slow + critical queries) / total
 * if cache_hit_ratio &lt; 90: score -= min(30, (90 - ratio) * 0.5)
 * if connection_usage &gt; 0.8: score -= 20
 * (other factors, below)
 * clamp to 0..100; healthy at 80 or more, warning from 50, critical below 50
 * </pre>
 *
 * <p>Pure: it reads the figures it is given. Thread-safe.
 */
public final class HealthScore {
    private HealthScore() {}

    /**
     * The figures the score reads.
     *
     * @param totalQueries        statements in the window (0: no slow-query penalty)
     * @param slowQueries         statements over the slow threshold
     * @param criticalQueries     statements over the critical threshold
     * @param statementsMeasured  false when pg_stat_statements cannot be read: the score is partial
     * @param cacheHitRatioPct    buffer cache hit ratio in percent (null: unknown, no penalty)
     * @param cacheHitWindow      the window that ratio covers, in words
     * @param connectionUsage     connections / max_connections, 0..1
     * @param deadlocks           deadlocks in the window
     * @param longRunning         sessions running a statement for longer than the long-running threshold
     * @param idleInTransaction   sessions idle in a transaction for longer than the threshold
     * @param blocked             sessions waiting on a lock held by another
     * @param invalidIndexes      invalid indexes
     * @param xidAgePct           oldest transaction-ID age as a percentage of the wraparound limit
     * @param redisDown           the cache's Redis is configured and unreachable
     */
    public record Inputs(
            boolean statementsMeasured,
            long totalQueries,
            long slowQueries,
            long criticalQueries,
            Double cacheHitRatioPct,
            String cacheHitWindow,
            double connectionUsage,
            long deadlocks,
            long longRunning,
            long idleInTransaction,
            long blocked,
            long invalidIndexes,
            double xidAgePct,
            boolean redisDown) {}

    /** One deduction with its reason. */
    public record Component(String name, double penalty, String reason) {}

    /**
     * The score, its status and deductions.
     *
     * @param partial     true when a term could not be measured (then {@code notMeasured} says
     *                    which and why): the score is an upper bound, not a verdict
     * @param cacheWindow the window of the buffer cache hit ratio it read (the dashboard tile's)
     */
    public record Result(
            double score,
            String status,
            List<Component> components,
            boolean partial,
            List<String> notMeasured,
            String cacheWindow) {}

    /**
     * The buffer cache hit ratio the score reads, with the window it covers: the last interval
     * between two stored samples (what the dashboard's tile shows) when there is one, otherwise
     * the cumulative counters since the statistics were last reset.
     */
    public record CacheWindow(Double ratioPct, String window) {
        public static CacheWindow sinceReset(DatabaseCollector.Snapshot s) {
            return new CacheWindow(s.database().cacheHitRatioPct(), "since the statistics were last reset");
        }

        public static CacheWindow of(History.Point last, DatabaseCollector.Snapshot s) {
            if (last == null || last.cacheHitRatioPct() == null) {
                return sinceReset(s);
            }
            return new CacheWindow(last.cacheHitRatioPct(), "over the last " + Math.round(last.seconds()) + " s");
        }
    }

    /** The score of a snapshot: the one place that maps the collected figures to the inputs. */
    public static Result of(
            DatabaseCollector.Snapshot s, StatementSummary statements, CacheWindow cache, boolean redisDown) {
        return compute(new Inputs(
                statements.available(),
                statements.statements(),
                statements.slow(),
                statements.critical(),
                cache.ratioPct(),
                cache.window(),
                s.connections().usage(),
                s.database().deadlocks(),
                s.longRunning().size(),
                s.connections().idleInTransaction(),
                s.blocked().size(),
                s.indexes().stream().filter(i -> i.kind().equals("invalid")).count(),
                s.xidAgePct(),
                redisDown));
    }

    public static Result compute(Inputs in) {
        List<Component> parts = new ArrayList<>();
        List<String> notMeasured = new ArrayList<>();
        double score = 100;
        if (!in.statementsMeasured()) {
            notMeasured.add("slow_queries: pg_stat_statements cannot be read in this database, so slow statements are"
                    + " not counted (see blind spots for the commands that add it)");
        } else if (in.totalQueries() > 0) {
            double slowRatio = (double) (in.slowQueries() + in.criticalQueries()) / in.totalQueries();
            double penalty = Math.min(50, slowRatio * 100);
            score -= penalty;
            parts.add(new Component(
                    "slow_queries",
                    penalty,
                    String.format(
                            java.util.Locale.ROOT,
                            "%d slow and %d critical of %d statements (the seed: min(50, ratio x 100))",
                            in.slowQueries(),
                            in.criticalQueries(),
                            in.totalQueries())));
        }
        if (in.cacheHitRatioPct() != null && in.cacheHitRatioPct() < 90) {
            double penalty = Math.min(30, (90 - in.cacheHitRatioPct()) * 0.5);
            score -= penalty;
            parts.add(new Component(
                    "cache_hit_ratio",
                    penalty,
                    String.format(
                            java.util.Locale.ROOT,
                            "buffer cache hit ratio %.1f%% %s is below 90%% (the seed: (90 - ratio) x 0.5, at most 30)",
                            in.cacheHitRatioPct(),
                            in.cacheHitWindow())));
        }
        if (in.connectionUsage() > 0.8) {
            score -= 20;
            parts.add(new Component(
                    "connection_usage",
                    20,
                    String.format(
                            java.util.Locale.ROOT,
                            "%.0f%% of max_connections in use (the seed: 20 above 80%%)",
                            in.connectionUsage() * 100)));
        }
        // Other factors: each capped so that no single one outweighs the seed's own terms.
        score -= other(
                parts,
                "deadlocks",
                Math.min(10, in.deadlocks() * 5.0),
                in.deadlocks() + " deadlocks in the window (5 each, at most 10)");
        score -= other(
                parts,
                "long_running",
                Math.min(10, in.longRunning() * 2.0),
                in.longRunning() + " statements running for more than 60 s (2 each, at most 10)");
        score -= other(
                parts,
                "idle_in_transaction",
                Math.min(10, in.idleInTransaction() * 2.0),
                in.idleInTransaction()
                        + " sessions idle in a transaction (2 each, at most 10): they hold locks and block vacuum");
        score -= other(
                parts,
                "blocked",
                Math.min(15, in.blocked() * 3.0),
                in.blocked() + " sessions waiting on locks (3 each, at most 15)");
        score -= other(
                parts,
                "invalid_indexes",
                Math.min(10, in.invalidIndexes() * 5.0),
                in.invalidIndexes()
                        + " invalid indexes (5 each, at most 10): failed concurrent builds still cost writes");
        score -= other(
                parts,
                "xid_age",
                in.xidAgePct() >= 50 ? Math.min(20, (in.xidAgePct() - 50) * 0.5) : 0,
                String.format(
                        java.util.Locale.ROOT,
                        "oldest transaction ID at %.0f%% of the wraparound limit (from 50%%: 0.5 a point, at most 20)",
                        in.xidAgePct()));
        score -= other(
                parts,
                "redis_down",
                in.redisDown() ? 10 : 0,
                "the cache's Redis is unreachable: every read goes to the database");
        double clamped = Math.max(0, Math.min(100, score));
        String status = clamped >= 80 ? "healthy" : clamped >= 50 ? "warning" : "critical";
        if (in.cacheHitRatioPct() == null) {
            notMeasured.add("cache_hit_ratio: no block was read " + in.cacheHitWindow());
        }
        return new Result(
                Math.round(clamped * 10) / 10.0,
                status,
                parts,
                !in.statementsMeasured(),
                notMeasured,
                in.cacheHitWindow());
    }

    private static double other(List<Component> parts, String name, double penalty, String reason) {
        if (penalty > 0) {
            parts.add(new Component(name, penalty, reason));
        }
        return penalty;
    }
}
