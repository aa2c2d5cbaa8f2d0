package io.chronoperf.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The database and Redis that chrono-perf works with, chosen from the settings: external servers
 * when their URLs are set, otherwise the embedded ones, which this object starts and, on
 * {@link #close()}, stops in reverse order.
 */
public final class Services implements AutoCloseable {
    private final DatabaseEndpoint database;
    private final String redisUri;
    private final boolean redisEmbedded;
    private final List<AutoCloseable> started;

    private Services(DatabaseEndpoint database, String redisUri, boolean redisEmbedded, List<AutoCloseable> started) {
        this.database = database;
        this.redisUri = redisUri;
        this.redisEmbedded = redisEmbedded;
        this.started = started;
    }

    /** Starts what the settings leave to the embedded defaults. */
    public static Services start(Settings settings) {
        return start(settings, true);
    }

    /**
     * @param withRedis false for commands that never touch Redis (seed, bench, token)
     */
    public static Services start(Settings settings, boolean withRedis) {
        List<AutoCloseable> started = new ArrayList<>();
        try {
            DatabaseEndpoint db;
            Optional<String> url = settings.get(Setting.DB_URL);
            if (url.isPresent()) {
                db = DatabaseEndpoint.external(
                        url.get(),
                        settings.get(Setting.DB_USER).orElse(null),
                        settings.get(Setting.DB_PASSWORD).orElse(null));
            } else {
                EmbeddedDatabase embedded = EmbeddedDatabase.start(settings.home());
                started.add(embedded);
                db = embedded.endpoint();
            }
            String redis = null;
            boolean redisEmbedded = false;
            if (withRedis && !settings.noRedis()) {
                Optional<String> redisUrl = settings.get(Setting.REDIS_URL);
                if (redisUrl.isPresent()) {
                    redis = redisUrl.get();
                } else {
                    EmbeddedRedis embedded = EmbeddedRedis.start();
                    started.add(embedded);
                    redis = embedded.uri();
                    redisEmbedded = true;
                }
            }
            return new Services(db, redis, redisEmbedded, started);
        } catch (RuntimeException e) {
            closeAll(started, e);
            throw e;
        }
    }

    public DatabaseEndpoint database() {
        return database;
    }

    /** The Redis URI, or empty when running without Redis. */
    public Optional<String> redisUri() {
        return Optional.ofNullable(redisUri);
    }

    /** Two lines for a person: which database and which Redis, embedded or external. */
    public List<String> describe() {
        List<String> lines = new ArrayList<>();
        lines.add("database: " + (database.embedded() ? "embedded PostgreSQL 17, " : "external, ") + database);
        if (redisUri == null) {
            lines.add("redis:    none (--no-redis): in-process cache only");
        } else {
            lines.add("redis:    " + (redisEmbedded ? "embedded redis-server, " : "external, ") + redisUri);
        }
        return lines;
    }

    @Override
    public void close() {
        closeAll(started, null);
    }

    private static void closeAll(List<AutoCloseable> started, RuntimeException primary) {
        RuntimeException failure = primary;
        for (int i = started.size() - 1; i >= 0; i--) {
            try {
                started.get(i).close();
            } catch (Exception e) {
                // A clean-up failure never hides the first failure.
                if (failure == null) {
                    failure = new ChronoPerfException(
                            ErrorCode.INTERNAL, "Stopping services failed: " + e.getMessage(), e);
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        started.clear();
        if (primary == null && failure != null) {
            throw failure;
        }
    }
}
