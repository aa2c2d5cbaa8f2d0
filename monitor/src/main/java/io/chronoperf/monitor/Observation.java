package io.chronoperf.monitor;

import java.time.Instant;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The figures of one moment, by {@link Metric}; a metric without a value (no replica, no Redis,
 * no history yet) is absent, and rules and gauges skip it. Immutable.
 */
public final class Observation {
    private final Instant at;
    private final Map<Metric, Double> values;

    private Observation(Instant at, Map<Metric, Double> values) {
        this.at = at;
        this.values = Collections.unmodifiableMap(new EnumMap<>(values));
    }

    public static Builder at(Instant at) {
        return new Builder(at);
    }

    public Instant at() {
        return at;
    }

    public Double get(Metric m) {
        return values.get(m);
    }

    /** By metric key, in the enum's order, for JSON. */
    public Map<String, Double> byKey() {
        Map<String, Double> out = new LinkedHashMap<>();
        values.forEach((m, v) -> out.put(m.key(), v));
        return out;
    }

    public static final class Builder {
        private final Instant at;
        private final EnumMap<Metric, Double> values = new EnumMap<>(Metric.class);

        private Builder(Instant at) {
            this.at = at;
        }

        /** Sets a value; null or NaN leaves the metric absent. */
        public Builder put(Metric m, Number value) {
            if (value != null && !Double.isNaN(value.doubleValue())) {
                values.put(m, value.doubleValue());
            }
            return this;
        }

        /**
         * The database figures of a snapshot, with the window figures of the latest stored
         * interval and the score (any of which may be null).
         */
        public Builder database(
                DatabaseCollector.Snapshot s, History.Point latest, Double meanQueryMs, HealthScore.Result score) {
            put(Metric.CONNECTIONS, s.connections().total());
            put(Metric.CONNECTION_USAGE, s.connections().usage());
            put(Metric.IDLE_IN_TRANSACTION, s.connections().idleInTransaction());
            put(Metric.LONG_RUNNING, s.longRunning().size());
            put(Metric.BLOCKED_SESSIONS, s.blocked().size());
            put(Metric.LOCKS_WAITING, s.locksWaiting());
            put(
                    Metric.INVALID_INDEXES,
                    s.indexes().stream().filter(i -> i.kind().equals("invalid")).count());
            put(Metric.XID_AGE_PCT, s.xidAgePct());
            put(
                    Metric.SEQUENCE_USED_PCT,
                    s.sequences().stream()
                            .mapToDouble(DatabaseCollector.SequenceIssue::usedPct)
                            .max()
                            .orElse(0));
            put(
                    Metric.REPLICATION_LAG_SECONDS,
                    s.replicas().stream()
                            .filter(r -> r.replayLagSeconds() != null)
                            .mapToDouble(DatabaseCollector.Replica::replayLagSeconds)
                            .max()
                            .stream()
                            .boxed()
                            .findFirst()
                            .orElse(null));
            put(Metric.DATABASE_SIZE_BYTES, s.database().sizeBytes());
            put(
                    Metric.BLOAT_BYTES,
                    s.bloat().stream()
                            .mapToLong(DatabaseCollector.Bloat::bloatBytes)
                            .sum());
            if (latest != null) {
                put(Metric.CACHE_HIT_RATIO_PCT, latest.cacheHitRatioPct());
                put(Metric.TRANSACTIONS_PER_SECOND, latest.transactionsPerSecond());
                put(Metric.DEADLOCKS, latest.deadlocks());
            }
            put(Metric.MEAN_QUERY_MS, meanQueryMs);
            if (score != null) {
                put(Metric.HEALTH_SCORE, score.score());
            }
            return this;
        }

        public Builder system(SystemCollector.SystemStats os) {
            put(Metric.CPU_LOAD_PCT, os.cpuLoadPct());
            put(
                    Metric.MEMORY_USED_PCT,
                    os.memoryTotalBytes() == 0
                            ? null
                            : 100.0 * (os.memoryTotalBytes() - os.memoryAvailableBytes()) / os.memoryTotalBytes());
            put(Metric.DISK_READ_BYTES, os.diskReadBytes());
            put(Metric.DISK_WRITE_BYTES, os.diskWriteBytes());
            put(Metric.NETWORK_RECEIVED_BYTES, os.networkReceivedBytes());
            put(Metric.NETWORK_SENT_BYTES, os.networkSentBytes());
            return this;
        }

        public Observation build() {
            return new Observation(at, values);
        }
    }
}
