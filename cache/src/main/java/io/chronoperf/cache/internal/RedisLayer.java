package io.chronoperf.cache.internal;

import io.chronoperf.cache.CacheStats;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The L2: Redis through Lettuce, with the guards that keep a flaky Redis from hurting requests.
 * Commands time out quickly and are rejected at once while disconnected; every command goes
 * through a resilience4j circuit breaker, so a Redis that keeps failing is skipped entirely until
 * it answers again. A failed or skipped call behaves as a miss (reads) or a no-op (writes).
 *
 * <p>Redis never stops a start: the first connection is tried once, bounded by its own connect
 * timeout (apart from the command timeout); when Redis cannot be reached (refused, slow, frozen)
 * the layer says so in one line, works as "degraded" (every call a miss or a no-op) and keeps
 * connecting in the background, 1 s doubling to 30 s, until Redis answers.
 *
 * <p>Invalidations travel on one pub/sub channel. Lettuce resubscribes after a reconnect, but
 * messages published while this instance was cut off are lost: {@code onConnectionChange} is
 * told about every disconnect and connect so that the owner can clear its L1.
 *
 * <p>Thread-safe: Lettuce connections are, and so is the breaker.
 */
public final class RedisLayer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RedisLayer.class);
    /** Store only if the namespace's generation is still the one the load started under. */
    private static final String SET_IF_GENERATION = "if (redis.call('get', KEYS[2]) or '0') == ARGV[2] then"
            + " redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[3]) return 1 else return 0 end";
    /** Compare-and-delete: release a lock only if this instance still owns it. */
    private static final String UNLOCK =
            "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

    private final ClientResources resources;
    private final RedisClient client;
    private volatile StatefulRedisConnection<String, byte[]> connection;
    private volatile StatefulRedisPubSubConnection<String, String> pubsub;
    private volatile RedisCommands<String, byte[]> commands;
    private final CircuitBreaker breaker;
    private final LongAdder errors = new LongAdder();
    private final AtomicLong reconnects = new AtomicLong();
    private final AtomicBoolean connected = new AtomicBoolean(false);
    private final AtomicBoolean closing = new AtomicBoolean();
    /** A call failed or was refused since the last success: on the next success, messages may have been missed. */
    private final AtomicBoolean troubled = new AtomicBoolean();
    /** Set after the first connection: connection events before it are the connecting itself. */
    private volatile boolean everConnected;

    private final String where;
    /**
     * Invalidations travel on {@code <prefix>cache:invalidate}: caches of other prefixes on the same Redis do not hear
     * them.
     */
    private final String channel;

    private final String prefix;
    private final Consumer<String> onInvalidation;
    private final Consumer<Boolean> onConnectionChange;
    private final java.util.concurrent.ScheduledExecutorService connector;

    /**
     * @param onInvalidation receives each invalidation message (from any instance, this one included)
     * @param onConnectionChange called with false on a disconnect and true on a reconnect
     */
    /**
     * @param connectTimeout bounds the TCP connect and the handshake of each connection attempt
     *                       (the command timeout bounds each command)
     */
    public RedisLayer(
            String uri,
            String prefix,
            Duration commandTimeout,
            Duration connectTimeout,
            String clientName,
            Consumer<String> onInvalidation,
            Consumer<Boolean> onConnectionChange) {
        this.prefix = prefix;
        this.channel = prefix + "cache:invalidate";
        RedisURI redisUri = RedisURI.create(uri);
        redisUri.setClientName(clientName);
        redisUri.setTimeout(connectTimeout); // the handshake's bound; commands have their own below
        this.where = redisUri.getSentinels().isEmpty()
                ? redisUri.getHost() + ":" + redisUri.getPort()
                : "sentinel " + redisUri.getSentinelMasterId();
        this.onInvalidation = onInvalidation;
        this.onConnectionChange = onConnectionChange;
        // Reconnect quickly (100 ms doubling to 2 s) rather than Lettuce's default of up to 30 s:
        // until it is back, every instance works without its L2.
        resources = DefaultClientResources.builder()
                .reconnectDelay(
                        Delay.exponential(Duration.ofMillis(100), Duration.ofSeconds(2), 2, TimeUnit.MILLISECONDS))
                .build();
        client = RedisClient.create(resources, redisUri);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                // Fail fast while disconnected instead of queueing requests behind a dead socket.
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(commandTimeout))
                .socketOptions(io.lettuce.core.SocketOptions.builder()
                        .connectTimeout(connectTimeout)
                        .build())
                .build());
        breaker = CircuitBreaker.of(
                "redis-l2",
                CircuitBreakerConfig.custom()
                        .slidingWindowSize(20)
                        .minimumNumberOfCalls(5)
                        .failureRateThreshold(50)
                        .waitDurationInOpenState(Duration.ofSeconds(2))
                        .permittedNumberOfCallsInHalfOpenState(2)
                        .build());
        connector = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "redis-connector");
            t.setDaemon(true);
            return t;
        });
        client.addListener(new RedisConnectionStateListener() {
            @Override
            public void onRedisDisconnected(RedisChannelHandler<?, ?> handler) {
                if (closing.get() || !everConnected) {
                    return; // our own close, not an outage
                }
                if (connected.compareAndSet(true, false)) {
                    log.warn("Redis connection lost; serving from L1 and the database until it is back");
                }
                onConnectionChange.accept(false);
            }

            @Override
            public void onRedisConnected(RedisChannelHandler<?, ?> handler, SocketAddress address) {
                if (!everConnected) {
                    return;
                }
                if (connected.compareAndSet(false, true)) {
                    reconnects.incrementAndGet();
                    log.info("Redis connection back ({})", address);
                }
                onConnectionChange.accept(true);
            }
        });
        connector.scheduleWithFixedDelay(this::heartbeat, 1, 1, TimeUnit.SECONDS);
        String failure = connect();
        if (failure != null) {
            log.warn(
                    "Redis at {} is not reachable ({}): serving from the in-process cache (L1) alone, connecting in the"
                            + " background",
                    where,
                    failure);
            connector.schedule(() -> retry(Duration.ofSeconds(1)), 1, TimeUnit.SECONDS);
        }
    }

    /** One attempt at both connections; null on success, else why not. */
    private synchronized String connect() {
        StatefulRedisConnection<String, byte[]> c = null;
        StatefulRedisPubSubConnection<String, String> ps = null;
        try {
            c = client.connect(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE));
            ps = client.connectPubSub();
            ps.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void message(String channel, String message) {
                    onInvalidation.accept(message);
                }
            });
            ps.sync().subscribe(channel);
            commands = c.sync();
            connection = c;
            pubsub = ps;
            connected.set(true);
            everConnected = true;
            return null;
        } catch (RuntimeException e) {
            if (ps != null) {
                ps.closeAsync();
            }
            if (c != null) {
                c.closeAsync();
            }
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            return root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
        }
    }

    /** Background attempts after a failed first connection, backing off to 30 s, until one succeeds. */
    private void retry(Duration delay) {
        if (closing.get()) {
            return;
        }
        if (connect() == null) {
            reconnects.incrementAndGet();
            log.info("Redis at {} answers: the shared cache level (L2) is in use again", where);
            onConnectionChange.accept(true);
            return;
        }
        Duration next = delay.multipliedBy(2).compareTo(Duration.ofSeconds(30)) > 0
                ? Duration.ofSeconds(30)
                : delay.multipliedBy(2);
        connector.schedule(() -> retry(next), next.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The value, or null on a miss, an error or an open circuit. */
    public byte[] get(String key) {
        return guarded(() -> commands.get(key), null);
    }

    public void set(String key, byte[] value, long ttlMillis) {
        guarded(() -> commands.set(key, value, SetArgs.Builder.px(ttlMillis)), null);
    }

    /** The outcome of a lock attempt. */
    public enum Lock {
        ACQUIRED,
        HELD_ELSEWHERE,
        UNAVAILABLE
    }

    /** SET NX PX. UNAVAILABLE when Redis could not be asked: nobody can be waited for then. */
    public Lock tryLock(String key, String owner, long ttlMillis) {
        String unavailable = "unavailable";
        String reply = guarded(
                () -> {
                    String r = commands.set(
                            key,
                            owner.getBytes(StandardCharsets.UTF_8),
                            SetArgs.Builder.nx().px(ttlMillis));
                    return r == null ? "" : r;
                },
                unavailable);
        if ("OK".equals(reply)) {
            return Lock.ACQUIRED;
        }
        return unavailable.equals(reply) ? Lock.UNAVAILABLE : Lock.HELD_ELSEWHERE;
    }

    public void unlock(String key, String owner) {
        guarded(
                () -> commands.eval(
                        UNLOCK, ScriptOutputType.INTEGER, new String[] {key}, owner.getBytes(StandardCharsets.UTF_8)),
                null);
    }

    /**
     * The generation key of a namespace: every write bumps it (INCR) before it removes the
     * namespace's entries. Outside the keys' prefix, so no pattern clear can reset it.
     */
    private String generationKey(String namespace) {
        return "chrono-perf:gen:" + prefix + namespace;
    }

    /** The namespace's generation (0 before the first write), or -1 when Redis did not answer. */
    public long generation(String namespace) {
        byte[] raw = guarded(
                () -> {
                    byte[] v = commands.get(generationKey(namespace));
                    return v == null ? "0".getBytes(StandardCharsets.US_ASCII) : v;
                },
                null);
        if (raw == null) {
            return -1;
        }
        try {
            return Long.parseLong(new String(raw, StandardCharsets.US_ASCII));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Bumps the namespace's generation; false when Redis did not take it. */
    public boolean bumpGeneration(String namespace) {
        return guarded(() -> commands.incr(generationKey(namespace)), null) != null;
    }

    /**
     * SET PX only while the namespace's generation is still {@code generation}: a load that a
     * write overtook never stores its old value. True when stored.
     */
    public boolean setIfGeneration(String key, byte[] value, long ttlMillis, String namespace, long generation) {
        Long stored = guarded(
                () -> commands.eval(
                        SET_IF_GENERATION,
                        ScriptOutputType.INTEGER,
                        new String[] {key, generationKey(namespace)},
                        value,
                        Long.toString(generation).getBytes(StandardCharsets.US_ASCII),
                        Long.toString(ttlMillis).getBytes(StandardCharsets.US_ASCII)),
                null);
        return stored != null && stored == 1L;
    }

    /** True when Redis took it. */
    public boolean unlink(String key) {
        return guarded(() -> commands.unlink(key), null) != null;
    }

    /** Deletes the keys matching the glob with SCAN + UNLINK (never KEYS); returns how many, or -1. */
    public long unlinkMatching(String glob) {
        return scan(glob, 500, keys -> commands.unlink(keys.toArray(String[]::new)));
    }

    /** Counts keys matching the glob with SCAN (for statistics; O(keys)), or -1. */
    public long countMatching(String glob) {
        return scan(glob, 1000, keys -> (long) keys.size());
    }

    /** Walks the keys matching the glob page by page; sums what {@code perPage} returns. */
    private long scan(String glob, int pageSize, java.util.function.ToLongFunction<List<String>> perPage) {
        Long total = guarded(
                () -> {
                    long n = 0;
                    ScanCursor cursor = ScanCursor.INITIAL;
                    do {
                        KeyScanCursor<String> page = commands.scan(
                                cursor, ScanArgs.Builder.matches(glob).limit(pageSize));
                        if (!page.getKeys().isEmpty()) {
                            n += perPage.applyAsLong(page.getKeys());
                        }
                        cursor = page;
                    } while (!cursor.isFinished());
                    return n;
                },
                -1L);
        return total == null ? -1 : total;
    }

    /** True when Redis took the message. */
    public boolean publish(String message) {
        return guarded(() -> commands.publish(channel, message.getBytes(StandardCharsets.UTF_8)), null) != null;
    }

    /** What the Redis server says of itself (INFO); -1 where it did not answer. */
    public record ServerInfo(long usedMemory, long keyspaceHits, long keyspaceMisses, long connectedClients) {
        static final ServerInfo UNKNOWN = new ServerInfo(-1, -1, -1, -1);

        /** keyspace_hits / (hits + misses) in percent, or null before the first lookup. */
        public Double keyspaceHitRatioPct() {
            long lookups = keyspaceHits + keyspaceMisses;
            return keyspaceHits < 0 || lookups == 0 ? null : 100.0 * keyspaceHits / lookups;
        }
    }

    /** used_memory, keyspace hits and misses, connected clients from one INFO call. */
    public ServerInfo serverInfo() {
        String info = guarded(() -> commands.info(), null);
        if (info == null) {
            return ServerInfo.UNKNOWN;
        }
        java.util.Map<String, Long> values = new java.util.HashMap<>();
        for (String line : info.split("\r?\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(colon + 1).trim().matches("\\d+")) {
                values.put(
                        line.substring(0, colon),
                        Long.parseLong(line.substring(colon + 1).trim()));
            }
        }
        return new ServerInfo(
                values.getOrDefault("used_memory", -1L),
                values.getOrDefault("keyspace_hits", -1L),
                values.getOrDefault("keyspace_misses", -1L),
                values.getOrDefault("connected_clients", -1L));
    }

    /** Up when connected with a closed circuit, degraded otherwise (not yet connected included). */
    public CacheStats.RedisState state() {
        return connected.get() && commands != null && breaker.getState() == CircuitBreaker.State.CLOSED
                ? CacheStats.RedisState.UP
                : CacheStats.RedisState.DEGRADED;
    }

    public long errors() {
        return errors.sum();
    }

    public long reconnects() {
        return reconnects.get();
    }

    private <T> T guarded(Supplier<T> call, T fallback) {
        if (commands == null) {
            return fallback; // never connected yet: the background connector is at it
        }
        try {
            T result = breaker.executeSupplier(call);
            if (troubled.compareAndSet(true, false) && !closing.get()) {
                // A stall (timeouts, no disconnect) ends here: invalidations may have been missed.
                log.info("Redis at {} answers again after failed calls", where);
                connector.execute(() -> onConnectionChange.accept(true));
            }
            return result;
        } catch (CallNotPermittedException open) {
            troubled.set(true);
            return fallback;
        } catch (RuntimeException e) {
            troubled.set(true);
            errors.increment();
            log.debug("Redis call failed: {}", e.toString());
            return fallback;
        }
    }

    /** A PING every second once connected: an instance that only reads L1 notices a stall too. */
    private void heartbeat() {
        if (!closing.get() && commands != null) {
            guarded(() -> commands.ping(), null);
        }
    }

    @Override
    public void close() {
        closing.set(true);
        connector.shutdownNow();
        try {
            synchronized (this) {
                if (pubsub != null) {
                    pubsub.close();
                }
                if (connection != null) {
                    connection.close();
                }
            }
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
            resources.shutdown(0, 2, TimeUnit.SECONDS);
        }
    }
}
