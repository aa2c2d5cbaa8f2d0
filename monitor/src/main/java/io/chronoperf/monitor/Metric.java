package io.chronoperf.monitor;

/**
 * The monitor's gauges: one name per figure, used by the alert rules, the Micrometer meters
 * ({@code chrono_perf_monitor_<name>} on /actuator/prometheus) and the API. Window figures are
 * over the last interval between two stored samples.
 */
public enum Metric {
    HEALTH_SCORE("health_score", "health score, 0..100"),
    CACHE_HIT_RATIO_PCT("cache_hit_ratio_pct", "buffer cache hit ratio over the last sample interval, %"),
    MEAN_QUERY_MS("mean_query_ms", "mean statement time over the last 5 minutes (pg_stat_statements deltas), ms"),
    TRANSACTIONS_PER_SECOND(
            "transactions_per_second", "commits and rollbacks per second over the last sample interval"),
    DEADLOCKS("deadlocks", "deadlocks in the last sample interval"),
    CONNECTIONS("connections", "client connections to the server"),
    CONNECTION_USAGE("connection_usage", "client connections / max_connections, 0..1"),
    IDLE_IN_TRANSACTION("idle_in_transaction", "sessions idle in a transaction"),
    LONG_RUNNING("long_running", "statements running longer than the long-running threshold"),
    BLOCKED_SESSIONS("blocked_sessions", "sessions waiting on a lock held by another"),
    LOCKS_WAITING("locks_waiting", "lock requests not granted"),
    INVALID_INDEXES("invalid_indexes", "invalid indexes (failed concurrent builds)"),
    XID_AGE_PCT("xid_age_pct", "oldest transaction-ID age as a share of the wraparound horizon, %"),
    SEQUENCE_USED_PCT("sequence_used_pct", "the fullest sequence's value as a share of its maximum, %"),
    REPLICATION_LAG_SECONDS("replication_lag_seconds", "the largest replay lag of a replica, s"),
    DATABASE_SIZE_BYTES("database_size_bytes", "database size, bytes"),
    BLOAT_BYTES("bloat_bytes", "estimated bloat of tables and B-tree indexes above the threshold, bytes"),
    POOL_ACTIVE("pool_active", "HikariCP connections in use"),
    POOL_IDLE("pool_idle", "HikariCP idle connections"),
    POOL_PENDING("pool_pending", "threads waiting for a HikariCP connection"),
    POOL_USAGE("pool_usage", "HikariCP active / maximum pool size, 0..1"),
    REDIS_DOWN("redis_down", "1 when the cache's Redis is configured and unreachable"),
    REDIS_MEMORY_BYTES("redis_memory_bytes", "Redis used_memory, bytes"),
    REDIS_HIT_RATIO_PCT("redis_hit_ratio_pct", "Redis keyspace hit ratio, %"),
    CPU_LOAD_PCT("cpu_load_pct", "host CPU load since the previous reading, %"),
    MEMORY_USED_PCT("memory_used_pct", "host memory in use, %"),
    DISK_READ_BYTES("disk_read_bytes", "host disk bytes read since boot"),
    DISK_WRITE_BYTES("disk_write_bytes", "host disk bytes written since boot"),
    NETWORK_RECEIVED_BYTES("network_received_bytes", "host network bytes received since boot"),
    NETWORK_SENT_BYTES("network_sent_bytes", "host network bytes sent since boot");

    private final String key;
    private final String description;

    Metric(String key, String description) {
        this.key = key;
        this.description = description;
    }

    public String key() {
        return key;
    }

    public String description() {
        return description;
    }
}
