package io.chronoperf.cli;

import io.chronoperf.runtime.Setting;
import io.chronoperf.runtime.Settings;
import java.util.EnumMap;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The connection flags every command shares; each mirrors one {@link Setting} and its
 * environment variable (a flag wins over the variable).
 */
final class ServiceOptions {
    @Option(
            names = {"--db-url", "--db"},
            paramLabel = "URL",
            description = "PostgreSQL JDBC or postgres:// URL (CHRONO_PERF_DB_URL). Unset: embedded PostgreSQL.")
    String dbUrl;

    @Option(names = "--db-user", paramLabel = "USER", description = "Database user (CHRONO_PERF_DB_USER).")
    String dbUser;

    @Option(
            names = "--db-password",
            paramLabel = "PASSWORD",
            description = "Database password (CHRONO_PERF_DB_PASSWORD); prefer the variable.")
    String dbPassword;

    @Option(
            names = "--redis-url",
            paramLabel = "URI",
            description = "Redis URI (CHRONO_PERF_REDIS_URL). Unset: embedded redis-server.")
    String redisUrl;

    @Option(names = "--no-redis", description = "Run without Redis: in-process cache only (CHRONO_PERF_NO_REDIS).")
    boolean noRedis;

    @Option(
            names = "--home",
            paramLabel = "DIR",
            description = "Data directory of the embedded defaults (CHRONO_PERF_HOME, default ~/.chrono-perf).")
    String home;

    @Option(
            names = "--token-secret",
            paramLabel = "SECRET",
            description = "HS256 token secret (CHRONO_PERF_TOKEN_SECRET); prefer the variable.")
    String tokenSecret;

    Settings settings() {
        Map<Setting, String> flags = new EnumMap<>(Setting.class);
        put(flags, Setting.DB_URL, dbUrl);
        put(flags, Setting.DB_USER, dbUser);
        put(flags, Setting.DB_PASSWORD, dbPassword);
        put(flags, Setting.REDIS_URL, redisUrl);
        put(flags, Setting.NO_REDIS, noRedis ? "true" : null);
        put(flags, Setting.HOME, home);
        put(flags, Setting.TOKEN_SECRET, tokenSecret);
        return Settings.from(System.getenv(), flags);
    }

    private static void put(Map<Setting, String> flags, Setting setting, String value) {
        if (value != null) {
            flags.put(setting, value);
        }
    }
}
