package io.chronoperf.monitor.alert;

import io.chronoperf.monitor.Metric;
import java.util.List;

/**
 * An alert rule with hysteresis: it fires when its metric crosses {@code fire} and resolves only
 * when the metric is back past {@code resolve}, so a value hovering at the threshold does not
 * flap.
 *
 * @param above true: fires at value &gt;= fire, resolves at value &lt; resolve; false: fires at
 *              value &lt; fire, resolves at value &gt;= resolve
 */
public record Rule(
        String name, Metric metric, boolean above, double fire, double resolve, String severity, String summary) {

    public Rule {
        if (above ? resolve > fire : resolve < fire) {
            throw new IllegalArgumentException(
                    "rule " + name + ": the resolve threshold must lie on the healthy side of the fire threshold");
        }
    }

    boolean breached(double value) {
        return above ? value >= fire : value < fire;
    }

    boolean recovered(double value) {
        return above ? value < resolve : value >= resolve;
    }

    /**
     * The seed's key metrics (cache hit ratio below 90%, mean query time 200 ms or more,
     * connections at 80% of the pool and of max_connections, health score below 80) and the other
     * factors of the health score. docs/monitoring.md lists them with their reasons.
     */
    public static List<Rule> defaults() {
        return List.of(
                new Rule(
                        "cache_hit_ratio_low",
                        Metric.CACHE_HIT_RATIO_PCT,
                        false,
                        90,
                        92,
                        "warning",
                        "buffer cache hit ratio below 90%: reads go to disk"),
                new Rule(
                        "mean_query_time_high",
                        Metric.MEAN_QUERY_MS,
                        true,
                        200,
                        180,
                        "warning",
                        "mean statement time of 200 ms or more (the seed's target: under 200 ms on average)"),
                new Rule(
                        "database_connections_high",
                        Metric.CONNECTION_USAGE,
                        true,
                        0.8,
                        0.75,
                        "warning",
                        "80% or more of max_connections in use"),
                new Rule(
                        "pool_connections_high",
                        Metric.POOL_USAGE,
                        true,
                        0.8,
                        0.75,
                        "warning",
                        "80% or more of the application's connection pool in use"),
                new Rule(
                        "pool_waiting",
                        Metric.POOL_PENDING,
                        true,
                        1,
                        0,
                        "warning",
                        "requests are waiting for a pooled connection"),
                new Rule("health_score_low", Metric.HEALTH_SCORE, false, 80, 82, "warning", "health score below 80"),
                new Rule(
                        "health_score_critical",
                        Metric.HEALTH_SCORE,
                        false,
                        50,
                        52,
                        "critical",
                        "health score below 50"),
                new Rule("deadlocks", Metric.DEADLOCKS, true, 1, 1, "warning", "deadlocks in the last sample interval"),
                new Rule(
                        "blocked_sessions",
                        Metric.BLOCKED_SESSIONS,
                        true,
                        1,
                        1,
                        "warning",
                        "sessions are waiting on locks held by others"),
                new Rule(
                        "long_running_statements",
                        Metric.LONG_RUNNING,
                        true,
                        1,
                        1,
                        "warning",
                        "statements running for more than 60 s"),
                new Rule(
                        "idle_in_transaction",
                        Metric.IDLE_IN_TRANSACTION,
                        true,
                        3,
                        1,
                        "warning",
                        "three or more sessions idle in a transaction: they hold locks and hold back vacuum"),
                new Rule(
                        "invalid_indexes",
                        Metric.INVALID_INDEXES,
                        true,
                        1,
                        1,
                        "warning",
                        "invalid indexes: failed concurrent builds cost every write and serve no read"),
                new Rule(
                        "xid_wraparound",
                        Metric.XID_AGE_PCT,
                        true,
                        50,
                        45,
                        "critical",
                        "the oldest transaction ID is past half of the wraparound horizon"),
                new Rule(
                        "sequence_exhaustion",
                        Metric.SEQUENCE_USED_PCT,
                        true,
                        90,
                        90,
                        "critical",
                        "a sequence is above 90% of its maximum"),
                new Rule(
                        "replication_lag",
                        Metric.REPLICATION_LAG_SECONDS,
                        true,
                        60,
                        30,
                        "warning",
                        "a replica replays 60 s or more behind"),
                new Rule(
                        "redis_down",
                        Metric.REDIS_DOWN,
                        true,
                        1,
                        1,
                        "warning",
                        "the cache's Redis is unreachable: every read goes to the database"));
    }
}
