package io.chronoperf.cache;

import java.util.Map;

/**
 * A snapshot of the cache's statistics.
 *
 * @param redis   up, degraded (circuit open or errors) or none (L1 only)
 * @param redisMemoryBytes used_memory from Redis INFO, or -1
 * @param redisKeyspaceHitRatioPct the Redis server's keyspace_hits / (hits + misses) in percent (all its
 *                         clients, not only this cache), or null when unknown
 * @param redisClients     connected_clients from Redis INFO, or -1
 * @param redisErrors      Redis calls that failed or timed out (all namespaces: one connection serves them)
 */
public record CacheStats(
        RedisState redis,
        long l1Size,
        long l1MaximumSize,
        long redisMemoryBytes,
        Double redisKeyspaceHitRatioPct,
        long redisClients,
        long reconnects,
        long redisErrors,
        Map<String, Namespace> namespaces) {

    /** The state of L2; in JSON and in health, its lower-case label. */
    public enum RedisState {
        UP,
        DEGRADED,
        NONE;

        @com.fasterxml.jackson.annotation.JsonValue
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        @Override
        public String toString() {
            return label();
        }
    }

    /**
     * One namespace's figures ({@code staleServed}: expired entries served while the database was away;
     * {@code encodedBytes}: the values written to L2 as encoded (Smile) before compression, {@code storedBytes}
     * as stored, {@code compressionRatio} the share zstd saved).
     */
    public record Namespace(
            long l1Hits,
            long l2Hits,
            long misses,
            long staleServed,
            double hitRatio,
            long loads,
            long loadErrors,
            double loadMillisAverage,
            long evictions,
            long l1Size,
            long l2Keys,
            long encodedBytes,
            long storedBytes,
            double compressionRatio,
            double getMillisP50,
            double getMillisP99) {}
}
