package io.chronoperf.cache.internal;

import io.chronoperf.cache.CacheStats;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.lettuce.core.AbstractRedisClient;
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
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
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
 * <p>A Redis Cluster ({@code redis-cluster://host:port,host:port}) goes through Lettuce's cluster
 * client: the Redis key carries its namespace as a hash tag ({@code admin:{users}:list}), so that
 * an entry and its namespace's generation key are in one slot (the conditional store is one
 * script on one node); pattern clears SCAN every primary; invalidations are classic pub/sub,
 * which a cluster delivers to every node; the topology is refreshed every second and on
 * MOVED/ASK redirects and disconnects, so a replica promoted after a primary's failure is used
 * within seconds. Standalone and Sentinel use the same key layout.
 *
 * <p>Invalidations travel on one pub/sub channel. Lettuce resubscribes after a reconnect, but
 * messages published while this instance was cut off are lost: {@code onConnectionChange} is
 * told about every disconnect and connect so that the owner can clear its L1.
 *
 * <p>Thread-safe: Lettuce connections are, and so is the breaker.
 */
public final class RedisLayer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RedisLayer.class);
    /** Messages on the invalidation channel that are pings, not invalidations. */
    private static final String PING = "ping:";
    /** Cluster: how often each instance pings itself through the invalidation channel. */
    private static final long PING_EVERY_MS = 100;
    /** Cluster: a subscription silent this long is taken for lost. */
    private static final long PING_LOST_MS = 500;
    /** Store only if the namespace's generation is still the one the load started under. */
    private static final String SET_IF_GENERATION = "if (redis.call('get', KEYS[2]) or '0') == ARGV[2] then"
            + " redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[3]) return 1 else return 0 end";
    /** Compare-and-delete: release a lock only if this instance still owns it. */
    private static final String UNLOCK =
            "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

    private final ClientResources resources;
    /** A RedisClient (standalone, Sentinel) or a RedisClusterClient. */
    private final AbstractRedisClient client;
    /** A Redis Cluster ({@code redis-cluster://}). */
    private final boolean cluster;

    private volatile StatefulConnection<String, byte[]> connection;
    private volatile StatefulRedisPubSubConnection<String, String> pubsub;
    /** Standalone's RedisCommands and the cluster's RedisAdvancedClusterCommands alike. */
    private volatile RedisClusterCommands<String, byte[]> commands;

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
    /** This instance's ping on the invalidation channel (cluster only): heard back, the subscription works. */
    private final String ping = PING + java.util.UUID.randomUUID();

    private volatile long lastPingHeard = System.nanoTime();
    private volatile long lastResubscribe;
    private volatile boolean invalidationsHeard = true;
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
        List<RedisURI> clusterNodes = clusterNodes(uri);
        RedisURI redisUri = clusterNodes == null ? RedisURI.create(uri) : null;
        for (RedisURI u : clusterNodes == null ? List.of(redisUri) : clusterNodes) {
            u.setClientName(clientName);
            u.setTimeout(connectTimeout); // the handshake's bound; commands have their own below
        }
        if (clusterNodes != null) {
            this.where = "cluster " + clusterNodes.get(0).getHost() + ":"
                    + clusterNodes.get(0).getPort()
                    + (clusterNodes.size() > 1 ? " (+" + (clusterNodes.size() - 1) + ")" : "");
        } else {
            this.where = redisUri.getSentinels().isEmpty()
                    ? redisUri.getHost() + ":" + redisUri.getPort()
                    : "sentinel " + redisUri.getSentinelMasterId();
        }
        this.onInvalidation = onInvalidation;
        this.onConnectionChange = onConnectionChange;
        // Reconnect quickly (100 ms doubling to 2 s) rather than Lettuce's default of up to 30 s:
        // until it is back, every instance works without its L2.
        resources = DefaultClientResources.builder()
                .reconnectDelay(
                        Delay.exponential(Duration.ofMillis(100), Duration.ofSeconds(2), 2, TimeUnit.MILLISECONDS))
                .build();
        SocketOptions socket =
                SocketOptions.builder().connectTimeout(connectTimeout).build();
        ClientOptions options = ClientOptions.builder()
                .autoReconnect(true)
                // Fail fast while disconnected instead of queueing requests behind a dead socket.
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(commandTimeout))
                .socketOptions(socket)
                .build();
        cluster = clusterNodes != null;
        if (!cluster) {
            RedisClient standalone = RedisClient.create(resources, redisUri);
            standalone.setOptions(options);
            client = standalone;
        } else {
            RedisClusterClient clusterClient = RedisClusterClient.create(resources, clusterNodes);
            clusterClient.setOptions(ClusterClientOptions.builder(options)
                    // a primary's failure: learn the promoted replica within a second or two
                    .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
                            .enablePeriodicRefresh(Duration.ofSeconds(1))
                            .enableAllAdaptiveRefreshTriggers()
                            .adaptiveRefreshTriggersTimeout(Duration.ofMillis(500))
                            .build())
                    .build());
            client = clusterClient;
        }
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
        // Connection events clear L1 on a standalone Redis or Sentinel (two connections, both ours).
        // Not on a cluster: its client opens and closes a connection to every node at each topology
        // refresh (every second), and hearing those cleared L1 every second. There a lost node of
        // the data connection shows as failed calls (onConnectionChange(true) on the next success),
        // and a lost pub/sub node is found by watchInvalidations().
        if (!cluster) {
            client.addListener(connectionEvents());
        }
        connector.scheduleWithFixedDelay(this::heartbeat, 1, 1, TimeUnit.SECONDS);
        if (cluster) {
            connector.scheduleWithFixedDelay(
                    this::watchInvalidations, PING_EVERY_MS, PING_EVERY_MS, TimeUnit.MILLISECONDS);
        }
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

    /**
     * The nodes of a {@code redis-cluster://[user:password@]host:port[,host:port...]} URI (any one
     * node is enough; the others are tried when it does not answer), or null for another URI.
     */
    static List<RedisURI> clusterNodes(String uri) {
        String scheme = "redis-cluster://";
        if (!uri.startsWith(scheme)) {
            return null;
        }
        String rest = uri.substring(scheme.length());
        int slash = rest.indexOf('/');
        if (slash >= 0) {
            rest = rest.substring(0, slash);
        }
        String user = null;
        String password = null;
        int at = rest.lastIndexOf('@');
        if (at >= 0) {
            String info = java.net.URLDecoder.decode(rest.substring(0, at), StandardCharsets.UTF_8);
            rest = rest.substring(at + 1);
            int colon = info.indexOf(':');
            user = colon < 0 ? null : info.substring(0, colon);
            password = colon < 0 ? info : info.substring(colon + 1);
        }
        List<RedisURI> nodes = new java.util.ArrayList<>();
        for (String node : rest.split(",")) {
            int colon = node.lastIndexOf(':');
            if (node.isBlank() || colon <= 0) {
                throw new IllegalArgumentException(
                        "a redis-cluster:// URI lists host:port pairs separated by commas, not '" + node + "'");
            }
            RedisURI.Builder b =
                    RedisURI.Builder.redis(node.substring(0, colon), Integer.parseInt(node.substring(colon + 1)));
            if (password != null) {
                b = user == null || user.isEmpty()
                        ? b.withPassword(password.toCharArray())
                        : b.withAuthentication(user, password.toCharArray());
            }
            nodes.add(b.build());
        }
        return nodes;
    }

    /** A disconnect or a reconnect of a standalone or Sentinel connection: L1 may have missed messages. */
    private RedisConnectionStateListener connectionEvents() {
        return new RedisConnectionStateListener() {
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
        };
    }

    /** One attempt at both connections; null on success, else why not. */
    private synchronized String connect() {
        StatefulConnection<String, byte[]> c = null;
        StatefulRedisPubSubConnection<String, String> ps = null;
        try {
            RedisCodec<String, byte[]> codec = RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);
            RedisClusterCommands<String, byte[]> sync;
            if (cluster) {
                StatefulRedisClusterConnection<String, byte[]> cc = ((RedisClusterClient) client).connect(codec);
                c = cc;
                sync = cc.sync();
                ps = ((RedisClusterClient) client).connectPubSub();
            } else {
                StatefulRedisConnection<String, byte[]> sc = ((RedisClient) client).connect(codec);
                c = sc;
                sync = sc.sync();
                ps = ((RedisClient) client).connectPubSub();
            }
            subscribe(ps);
            lastPingHeard = System.nanoTime();
            commands = sync;
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

    private void subscribe(StatefulRedisPubSubConnection<String, String> ps) {
        ps.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(String channel, String message) {
                if (message.startsWith(PING)) {
                    if (message.equals(ping)) {
                        lastPingHeard = System.nanoTime();
                    }
                    return;
                }
                onInvalidation.accept(message);
            }
        });
        ps.sync().subscribe(channel);
    }

    /**
     * True while invalidation messages are known to arrive, so that L1 may be trusted. Always true
     * on a standalone Redis or Sentinel (a lost connection there clears L1 through
     * {@code onConnectionChange}); on a cluster, false from the moment this instance's own pings
     * stop coming back on the channel until they do again.
     */
    public boolean invalidationsHeard() {
        return invalidationsHeard;
    }

    /**
     * Cluster only: publishes a ping on the invalidation channel every {@value #PING_EVERY_MS} ms
     * through the data connection and expects to hear it on the pub/sub connection. The pub/sub
     * connection is to one node; when that node dies, Lettuce keeps reconnecting to it, and every
     * invalidation published meanwhile (through the other nodes) is lost to this instance: a
     * killed primary left an instance reading its L1 stale for good (RedisClusterTest). When no
     * ping comes back for {@value #PING_LOST_MS} ms, L1 is distrusted and cleared and the
     * subscription is made again on a node of the current topology; once a ping is heard again,
     * L1 is cleared once more and trusted.
     */
    private void watchInvalidations() {
        if (closing.get() || commands == null) {
            return;
        }
        publish(ping); // on any node that answers; the silence below decides
        long silentMs = (System.nanoTime() - lastPingHeard) / 1_000_000;
        if (invalidationsHeard && silentMs > PING_LOST_MS) {
            invalidationsHeard = false;
            log.warn("Redis cluster: invalidations not heard for {} ms; L1 bypassed, subscribing again", silentMs);
            onConnectionChange.accept(false);
        }
        if (!invalidationsHeard) {
            if (silentMs <= PING_EVERY_MS * 2L) {
                invalidationsHeard = true;
                log.info("Redis cluster: invalidations heard again; L1 in use");
                onConnectionChange.accept(true);
            } else if (System.nanoTime() - lastResubscribe > PING_LOST_MS * 1_000_000L) {
                resubscribe();
            }
        }
    }

    private synchronized void resubscribe() {
        lastResubscribe = System.nanoTime();
        StatefulRedisPubSubConnection<String, String> old = pubsub;
        try {
            StatefulRedisPubSubConnection<String, String> ps = ((RedisClusterClient) client).connectPubSub();
            subscribe(ps);
            pubsub = ps;
            if (old != null) {
                old.closeAsync();
            }
        } catch (RuntimeException e) {
            log.debug("Redis cluster: subscribing again failed: {}", e.toString());
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

    /**
     * The Redis key of a cache key {@code <prefix><namespace>:<rest>}: the namespace as a hash tag,
     * {@code <prefix>{<namespace>}:<rest>}, so that in a cluster an entry and its namespace's
     * generation key share a slot. Other keys (locks) are used as they are.
     */
    String redisKey(String key) {
        if (!key.startsWith(prefix)) {
            return key;
        }
        String rest = key.substring(prefix.length());
        int colon = rest.indexOf(':');
        return colon < 0
                ? prefix + "{" + rest + "}"
                : prefix + "{" + rest.substring(0, colon) + "}" + rest.substring(colon);
    }

    /** The cache key of a Redis key ({@link #redisKey} undone). */
    String cacheKey(String redisKey) {
        if (!redisKey.startsWith(prefix + "{")) {
            return redisKey;
        }
        int close = redisKey.indexOf('}', prefix.length());
        return close < 0
                ? redisKey
                : prefix + redisKey.substring(prefix.length() + 1, close) + redisKey.substring(close + 1);
    }

    /**
     * A SCAN glob for a cache-key glob ({@code *} and {@code ?} only): exact when the namespace
     * is spelled out ({@code admin:users:*} becomes {@code admin:{users}:*}), else a wider glob whose
     * keys are filtered against the cache-key glob ({@code admin:*} scans {@code admin:{*}).
     */
    String redisGlob(String glob) {
        if (!glob.startsWith(prefix)) {
            return glob;
        }
        String rest = glob.substring(prefix.length());
        int colon = rest.indexOf(':');
        String namespace = colon < 0 ? rest : rest.substring(0, colon);
        if (colon >= 0 && namespace.indexOf('*') < 0 && namespace.indexOf('?') < 0) {
            return prefix + "{" + namespace + "}" + rest.substring(colon);
        }
        return prefix + "{*";
    }

    /** The value, or null on a miss, an error or an open circuit. */
    public byte[] get(String key) {
        return guarded(() -> commands.get(redisKey(key)), null);
    }

    public void set(String key, byte[] value, long ttlMillis) {
        guarded(() -> commands.set(redisKey(key), value, SetArgs.Builder.px(ttlMillis)), null);
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
        return "chrono-perf:gen:" + prefix + "{" + namespace + "}";
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
                        new String[] {redisKey(key), generationKey(namespace)},
                        value,
                        Long.toString(generation).getBytes(StandardCharsets.US_ASCII),
                        Long.toString(ttlMillis).getBytes(StandardCharsets.US_ASCII)),
                null);
        return stored != null && stored == 1L;
    }

    /** True when Redis took it. */
    public boolean unlink(String key) {
        return guarded(() -> commands.unlink(redisKey(key)), null) != null;
    }

    /**
     * Deletes the keys matching the cache-key glob with SCAN + UNLINK (never KEYS; in a cluster,
     * every primary is scanned and the UNLINK split by slot); returns how many, or -1.
     */
    public long unlinkMatching(String glob) {
        return scan(glob, 500, keys -> commands.unlink(keys.toArray(String[]::new)));
    }

    /** Counts keys matching the cache-key glob with SCAN (for statistics; O(keys)), or -1. */
    public long countMatching(String glob) {
        return scan(glob, 1000, keys -> (long) keys.size());
    }

    /** Walks the Redis keys matching the cache-key glob page by page; sums what {@code perPage} returns. */
    private long scan(String glob, int pageSize, java.util.function.ToLongFunction<List<String>> perPage) {
        String redisGlob = redisGlob(glob);
        java.util.regex.Pattern exact = java.util.regex.Pattern.compile(globRegex(glob));
        Long total = guarded(
                () -> {
                    long n = 0;
                    for (RedisClusterCommands<String, byte[]> node : scanned()) {
                        ScanCursor cursor = ScanCursor.INITIAL;
                        do {
                            KeyScanCursor<String> page = node.scan(
                                    cursor, ScanArgs.Builder.matches(redisGlob).limit(pageSize));
                            List<String> keys = page.getKeys().stream()
                                    .filter(k -> exact.matcher(cacheKey(k)).matches())
                                    .toList();
                            if (!keys.isEmpty()) {
                                n += perPage.applyAsLong(keys); // UNLINK by the data connection: routed by slot
                            }
                            cursor = page;
                        } while (!cursor.isFinished());
                    }
                    return n;
                },
                -1L);
        return total == null ? -1 : total;
    }

    /**
     * What a SCAN walks: the one server; in a cluster, each primary that serves slots and is not
     * marked failed (Lettuce's cluster-wide SCAN also asked the dead primary a failover had
     * replaced, failed every time, and its failures opened the breaker).
     */
    private List<RedisClusterCommands<String, byte[]>> scanned() {
        if (!(connection instanceof StatefulRedisClusterConnection<String, byte[]> cc)) {
            return List.of(commands);
        }
        List<RedisClusterCommands<String, byte[]>> out = new java.util.ArrayList<>();
        for (RedisClusterNode node : cc.getPartitions()) {
            if (node.is(RedisClusterNode.NodeFlag.UPSTREAM)
                    && !node.is(RedisClusterNode.NodeFlag.FAIL)
                    && !node.getSlots().isEmpty()) {
                out.add(cc.getConnection(node.getNodeId()).sync());
            }
        }
        return out;
    }

    /** A glob of {@code *} and {@code ?} as a regular expression (everything else literal). */
    static String globRegex(String glob) {
        StringBuilder out = new StringBuilder();
        for (char ch : glob.toCharArray()) {
            switch (ch) {
                case '*' -> out.append(".*");
                case '?' -> out.append('.');
                default -> out.append(java.util.regex.Pattern.quote(String.valueOf(ch)));
            }
        }
        return out.toString();
    }

    /**
     * True when Redis took the message. In a cluster, a PUBLISH on any node reaches the
     * subscribers of every node; when the node the client publishes through does not answer (a
     * killed primary, before the topology says so), each other node is tried in turn, so that
     * other instances hear a write's invalidation while its key cannot be deleted.
     */
    public boolean publish(String message) {
        byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
        if (!(connection instanceof StatefulRedisClusterConnection<String, byte[]>)) {
            return guarded(() -> commands.publish(channel, bytes), null) != null;
        }
        return onAnyNode(node -> node.publish(channel, bytes)) != null;
    }

    /**
     * Cluster: a command that names no key, on the first node of the current topology that
     * answers, not on the client's default connection, which stays bound to the node it first
     * reached even after that node died (its PINGs then opened the breaker and took L2 away from
     * an instance started after a failover). Outside the breaker; null when no node answered.
     */
    private <T> T onAnyNode(java.util.function.Function<RedisClusterCommands<String, byte[]>, T> command) {
        if (closing.get() || !(connection instanceof StatefulRedisClusterConnection<String, byte[]> cc)) {
            return null;
        }
        List<RedisClusterNode> nodes =
                new java.util.ArrayList<>(cc.getPartitions().getPartitions());
        nodes.sort(java.util.Comparator.comparing(
                n -> n.is(RedisClusterNode.NodeFlag.FAIL) || n.is(RedisClusterNode.NodeFlag.EVENTUAL_FAIL)));
        for (RedisClusterNode node : nodes) {
            try {
                return command.apply(cc.getConnection(node.getNodeId()).sync());
            } catch (RuntimeException e) {
                // that node does not answer: the next
            }
        }
        errors.increment();
        return null;
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
        String info = cluster
                ? onAnyNode(RedisClusterCommands::info) // one node's figures
                : guarded(() -> commands.info(), null);
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
        if (!closing.get() && commands != null && !cluster) {
            // a cluster's liveness is watchInvalidations(): its pings go through a node that answers
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
