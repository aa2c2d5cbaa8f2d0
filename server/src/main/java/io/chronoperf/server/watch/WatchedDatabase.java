package io.chronoperf.server.watch;

import io.chronoperf.monitor.Observation;
import io.chronoperf.server.availability.DatabaseWatch;
import java.time.Instant;
import javax.sql.DataSource;

/**
 * One database chrono-perf watches: the one it runs on ({@code main}) or one of
 * {@code CHRONO_PERF_WATCH}. Its connections are chrono-perf's own (marked, a small pool of its
 * own for a watched one), refused at once while its watch finds it away; its history and alerts
 * are kept in a schema {@code chrono_perf} of its own.
 */
public final class WatchedDatabase {
    private final String name;
    private final String url;
    private final DataSource dataSource;
    private final DatabaseWatch watch;
    private final AutoCloseable pool;
    private volatile Observation latest;
    private volatile String history = "not kept yet: the first sample creates schema chrono_perf";
    private volatile boolean historyReady;

    WatchedDatabase(String name, String url, DataSource dataSource, DatabaseWatch watch, AutoCloseable pool) {
        this.name = name;
        this.url = url;
        this.dataSource = dataSource;
        this.watch = watch;
        this.pool = pool;
    }

    public String name() {
        return name;
    }

    /** The JDBC URL without credentials. */
    public String url() {
        return url;
    }

    public DataSource dataSource() {
        return dataSource;
    }

    public boolean main() {
        return pool == null;
    }

    public boolean up() {
        return watch == null || watch.up();
    }

    public Instant downSince() {
        return watch == null ? null : watch.downSince();
    }

    public String downReason() {
        return watch == null ? null : watch.reason();
    }

    public Observation latest() {
        return latest;
    }

    void latest(Observation o) {
        this.latest = o;
    }

    /** Whether its history is kept, and if not why. */
    public String history() {
        return history;
    }

    public boolean historyReady() {
        return historyReady;
    }

    void history(boolean ready, String state) {
        this.historyReady = ready;
        this.history = state;
    }

    void close() {
        if (watch != null && pool != null) {
            watch.close();
        }
        if (pool != null) {
            try {
                pool.close();
            } catch (Exception ignored) {
                // stopping
            }
        }
    }
}
