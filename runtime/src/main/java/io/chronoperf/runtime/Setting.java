package io.chronoperf.runtime;

/**
 * Every setting of chrono-perf in one place (in the manner of pgjdbc's {@code PGProperty}): its
 * environment variable, the equivalent CLI flag and Spring property, its default and what it does.
 * This enum is the single source of the README's configuration table; {@code ./chrono-perf config}
 * prints it.
 */
public enum Setting {
    DB_URL(
            "CHRONO_PERF_DB_URL",
            null,
            "JDBC URL of the PostgreSQL database (jdbc:postgresql://host:port/db). Unset: embedded PostgreSQL 17 in "
                    + "CHRONO_PERF_HOME."),
    DB_USER("CHRONO_PERF_DB_USER", null, "Database user for CHRONO_PERF_DB_URL (the embedded server uses 'postgres')."),
    DB_PASSWORD("CHRONO_PERF_DB_PASSWORD", null, "Database password for CHRONO_PERF_DB_URL."),
    DB_REPLICA_URLS(
            "CHRONO_PERF_DB_REPLICA_URLS",
            "chrono-perf.db-replica-urls",
            null,
            "Streaming replicas of CHRONO_PERF_DB_URL for the admin API's reads, comma-separated (JDBC or postgres://"
                    + " URLs; the primary's user and password unless the URL names others). A read goes to a replica"
                    + " only once it has replayed every write acknowledged before the read started; otherwise to the"
                    + " primary (docs/operations.md)."),
    DB_REPLICA_MAX_LAG(
            "CHRONO_PERF_DB_REPLICA_MAX_LAG",
            "chrono-perf.db-replica-max-lag",
            "PT0.1S",
            "The replicas' lag bound: a read waits at most this long for a replica to replay its position, and a"
                    + " replica whose replay lags more is not tried until it catches up."),
    REDIS_URL(
            "CHRONO_PERF_REDIS_URL",
            null,
            "Redis URI (redis://host:port, rediss://..., redis-sentinel://..., or redis-cluster://host:port,host:port"
                    + " for a Redis Cluster). Unset: embedded redis-server, unless no-redis."),
    NO_REDIS(
            "CHRONO_PERF_NO_REDIS",
            "false",
            "true: run without Redis (in-process cache level only), even when a Redis URL is set."),
    PORT("CHRONO_PERF_PORT", "8080", "HTTP port of 'serve' (0 picks a free port)."),
    HOME(
            "CHRONO_PERF_HOME",
            "~/.chrono-perf",
            "Data directory of the embedded defaults: PostgreSQL data, the generated token secret."),
    ANALYZE_DB_USER(
            "CHRONO_PERF_ANALYZE_DB_USER",
            null,
            "Role for the query analysis's dedicated connections: least privilege (pg_read_all_data), never a "
                    + "superuser. Unset: chrono_perf_analyze, created and checked at start (docs/rules.md)."),
    ANALYZE_DB_PASSWORD("CHRONO_PERF_ANALYZE_DB_PASSWORD", null, "Password of CHRONO_PERF_ANALYZE_DB_USER."),
    ANALYZE_ALLOW_SUPERUSER(
            "CHRONO_PERF_ANALYZE_ALLOW_SUPERUSER",
            "false",
            "true: client statements may run under EXPLAIN ANALYZE even when the analysis connects as a superuser "
                    + "(off: they are only planned)."),
    TOKEN_SECRET(
            "CHRONO_PERF_TOKEN_SECRET",
            null,
            "HS256 secret for admin API tokens, at least 32 bytes. Unset: a random secret generated once and kept in "
                    + "CHRONO_PERF_HOME/token-secret."),

    // Tuning of the server (Spring reads the variable for the property: CHRONO_PERF_MONITOR_SLOW_MS for
    // chrono-perf.monitor.slow-ms).
    SAMPLE_INTERVAL(
            "CHRONO_PERF_TASKS_SAMPLE_INTERVAL",
            "chrono-perf.tasks.sample-interval",
            "PT30S",
            "Background task: a monitoring sample (history, gauges) this often."),
    HEALTH_INTERVAL(
            "CHRONO_PERF_TASKS_HEALTH_INTERVAL",
            "chrono-perf.tasks.health-interval",
            "PT5M",
            "Background task: the alert rules evaluated this often (the seed's health monitoring)."),
    WARM_INTERVAL(
            "CHRONO_PERF_TASKS_WARM_INTERVAL",
            "chrono-perf.tasks.warm-interval",
            "PT15M",
            "Background task: cache warming this often (the seed's)."),
    ANALYSIS_INTERVAL(
            "CHRONO_PERF_TASKS_ANALYSIS_INTERVAL",
            "chrono-perf.tasks.analysis-interval",
            "PT30M",
            "Background task: slow statements analysed and index advice refreshed this often (the seed's)."),
    CLEANUP_INTERVAL(
            "CHRONO_PERF_TASKS_CLEANUP_INTERVAL",
            "chrono-perf.tasks.cleanup-interval",
            "PT6H",
            "Background task: history, resolved alerts and findings past the retention removed this often (the "
                    + "seed's)."),
    TASKS_LOCK_AT_LEAST_FOR(
            "CHRONO_PERF_TASKS_LOCK_AT_LEAST_FOR",
            "chrono-perf.tasks.lock-at-least-for",
            "PT1S",
            "A background task's lock is kept at least this long after a run, so that another process whose clock is a "
                    + "little behind does not run it again at once."),
    FIRST_SAMPLE_DELAY(
            "CHRONO_PERF_MONITOR_FIRST_SAMPLE_DELAY",
            "chrono-perf.monitor.first-sample-delay",
            "PT5S",
            "The first monitoring sample this long after the start (then every CHRONO_PERF_TASKS_SAMPLE_INTERVAL)."),
    RETENTION(
            "CHRONO_PERF_MONITOR_RETENTION",
            "chrono-perf.monitor.retention",
            "P14D",
            "How long monitoring history, resolved alerts and findings are kept."),
    SLOW_MS(
            "CHRONO_PERF_MONITOR_SLOW_MS",
            "chrono-perf.monitor.slow-ms",
            "200",
            "A statement is slow at this mean time or more, in ms (the seed's 'under 200 ms average')."),
    LONG_RUNNING(
            "CHRONO_PERF_MONITOR_LONG_RUNNING",
            "chrono-perf.monitor.long-running",
            "PT60S",
            "A statement running longer is long-running (pgHero's 60 s)."),
    HYGIENE_UNUSED_AFTER(
            "CHRONO_PERF_HYGIENE_UNUSED_AFTER",
            "chrono-perf.hygiene.unused-after",
            "P7D",
            "An index is reported unused only after it was watched this long without a scan (since the statistics"
                    + " were reset or chrono-perf first saw it, whichever is later)."),
    ALERT_WEBHOOK_URL(
            "CHRONO_PERF_ALERTS_WEBHOOK_URL",
            "chrono-perf.alerts.webhook-url",
            null,
            "Alerts are POSTed to this http(s) URL as they fire and resolve. Unset: the log only."),
    ALERT_WEBHOOK_FORMAT(
            "CHRONO_PERF_ALERTS_WEBHOOK_FORMAT",
            "chrono-perf.alerts.webhook-format",
            "generic",
            "generic (the alert as JSON) or slack (an incoming-webhook text message)."),
    REDIS_CONNECT_TIMEOUT(
            "CHRONO_PERF_REDIS_CONNECT_TIMEOUT",
            "chrono-perf.redis.connect-timeout",
            "PT3S",
            "Bound on each attempt to connect to Redis (TCP and handshake), apart from the 250 ms command timeout. A "
                    + "Redis that does not answer in time: serve starts on the in-process cache and keeps connecting "
                    + "in the background."),
    DATABASE_WATCH_INTERVAL(
            "CHRONO_PERF_DATABASE_WATCH_INTERVAL",
            "chrono-perf.database-watch-interval",
            "PT0.5S",
            "How often each database's own watch validates its connection (1-s timeouts): /actuator/health says DOWN "
                    + "and requests needing it answer 503 or from the cache at once, within about this much plus a "
                    + "second."),
    CACHE_TTL(
            "CHRONO_PERF_CACHE_TTL",
            "chrono-perf.cache.ttl",
            null,
            "namespace=duration,...: time to live of a cache namespace instead of the seed's (dashboard PT1M, users "
                    + "PT5M, audit PT15M, security PT30S, system PT2M, backup PT10M, performance PT10S), e.g. "
                    + "users=PT2M,audit=PT30M. An unknown namespace stops the start."),
    CACHE_L1_MAXIMUM_SIZE(
            "CHRONO_PERF_CACHE_L1_MAXIMUM_SIZE",
            "chrono-perf.cache.l1-maximum-size",
            "2000",
            "Entries kept in the in-process cache level (Caffeine, W-TinyLFU)."),
    N_PLUS_ONE_STRICT(
            "CHRONO_PERF_N_PLUS_ONE_STRICT",
            "chrono-perf.n-plus-one.strict",
            "warn",
            "What an N+1 in a request does: off, warn (logged and recorded) or fail (a 500, for tests)."),
    N_PLUS_ONE_MIN_REPEATS(
            "CHRONO_PERF_N_PLUS_ONE_MIN_REPEATS",
            "chrono-perf.n-plus-one.min-repeats",
            "3",
            "The same statement shape this many times in one request from one call site is an N+1."),
    N_PLUS_ONE_CAPTURE_VALUES(
            "CHRONO_PERF_N_PLUS_ONE_CAPTURE_VALUES",
            "chrono-perf.n-plus-one.capture-values",
            "false",
            "true: keep bound values with captured statements (they may hold personal data)."),
    WATCH(
            "CHRONO_PERF_WATCH",
            "chrono-perf.watch",
            null,
            "name=URL,name=URL: more databases to watch beside the one chrono-perf runs on (JDBC or postgres:// URLs, "
                    + "the user in the URL). Each keeps its history and alerts in a schema chrono_perf of its own; the "
                    + "monitoring endpoints take ?database=name."),
    ADMIN_SCHEMA(
            "CHRONO_PERF_ADMIN_SCHEMA",
            "chrono-perf.admin-schema",
            "auto",
            "auto: the admin platform's schema (the reference application, its 46 strategic indexes) is migrated where "
                    + "chrono-perf owns the database (already installed, or an empty schema) and left out of a "
                    + "database that holds other tables; install: migrate it anyway; skip: never. "
                    + "chrono-perf's own tables go to schema chrono_perf in every case."),
    SEED_IF_EMPTY(
            "CHRONO_PERF_SEED_IF_EMPTY",
            "chrono-perf.seed-if-empty",
            null,
            "small, demo or large: load demo data when the database has no users ('serve' on an embedded database sets "
                    + "demo)."),
    SEED(
            "CHRONO_PERF_SEED",
            "chrono-perf.seed",
            "42",
            "Random seed of the demo data loaded by CHRONO_PERF_SEED_IF_EMPTY: the same seed gives the same data.");

    private final String env;
    private final String property;
    private final String defaultValue;
    private final String description;

    Setting(String env, String defaultValue, String description) {
        this(env, null, defaultValue, description);
    }

    Setting(String env, String property, String defaultValue, String description) {
        this.env = env;
        this.property = property;
        this.defaultValue = defaultValue;
        this.description = description;
    }

    /** The environment variable, e.g. {@code CHRONO_PERF_DB_URL}. */
    public String env() {
        return env;
    }

    /** The CLI flag, e.g. {@code --db-url}. */
    public String flag() {
        return "--" + name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    /** The Spring property, e.g. {@code chrono-perf.db-url}. */
    public String property() {
        return property != null
                ? property
                : "chrono-perf." + name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    /** True for the server's tuning settings: flags of {@code serve}, read by the server as Spring properties. */
    public boolean tuning() {
        return property != null;
    }

    /** The default, or null when unset means "use the embedded default" or "none". */
    public String defaultValue() {
        return defaultValue;
    }

    public String description() {
        return description;
    }
}
