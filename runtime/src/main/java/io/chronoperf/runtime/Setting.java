package io.chronoperf.runtime;

/**
 * Every setting of chrono-perf in one place (in the manner of pgjdbc's {@code PGProperty}): its
 * environment variable, the equivalent CLI flag and Spring property, its default and what it does.
 * This enum is the single source of the README's configuration table; {@code ./chrono-perf config}
 * prints it.
 */
public enum Setting {
    DB_URL("CHRONO_PERF_DB_URL", null,
            "JDBC URL of the PostgreSQL database (jdbc:postgresql://host:port/db). Unset: embedded PostgreSQL 17 in CHRONO_PERF_HOME."),
    DB_USER("CHRONO_PERF_DB_USER", null,
            "Database user for CHRONO_PERF_DB_URL (the embedded server uses 'postgres')."),
    DB_PASSWORD("CHRONO_PERF_DB_PASSWORD", null,
            "Database password for CHRONO_PERF_DB_URL."),
    REDIS_URL("CHRONO_PERF_REDIS_URL", null,
            "Redis URI (redis://host:port, redis-sentinel://..., rediss://...). Unset: embedded redis-server, unless no-redis."),
    NO_REDIS("CHRONO_PERF_NO_REDIS", "false",
            "true: run without Redis (in-process cache level only), even when a Redis URL is set."),
    PORT("CHRONO_PERF_PORT", "8080",
            "HTTP port of 'serve' (0 picks a free port)."),
    HOME("CHRONO_PERF_HOME", "~/.chrono-perf",
            "Data directory of the embedded defaults: PostgreSQL data, the generated token secret."),
    ANALYZE_DB_USER("CHRONO_PERF_ANALYZE_DB_USER", null,
            "Role for the query analysis's dedicated connections: least privilege (pg_read_all_data + pg_monitor), never a superuser. Unset: the application's database user."),
    ANALYZE_DB_PASSWORD("CHRONO_PERF_ANALYZE_DB_PASSWORD", null,
            "Password of CHRONO_PERF_ANALYZE_DB_USER."),
    TOKEN_SECRET("CHRONO_PERF_TOKEN_SECRET", null,
            "HS256 secret for admin API tokens, at least 32 bytes. Unset: a random secret generated once and kept in CHRONO_PERF_HOME/token-secret.");

    private final String env;
    private final String defaultValue;
    private final String description;

    Setting(String env, String defaultValue, String description) {
        this.env = env;
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
        return "chrono-perf." + name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    /** The default, or null when unset means "use the embedded default" or "none". */
    public String defaultValue() {
        return defaultValue;
    }

    public String description() {
        return description;
    }
}
