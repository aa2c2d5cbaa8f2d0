package io.chronoperf.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import io.chronoperf.cache.internal.Codec;
import io.chronoperf.cache.internal.Counters;
import io.chronoperf.cache.internal.RedisLayer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.JavaType;

/**
 * The two-level admin cache: L1 in-process (Caffeine, bounded, W-TinyLFU, per-entry expiry from
 * the namespace), L2 Redis (shared by every instance), then the loader.
 *
 * <ul>
 *   <li><b>No stampede.</b> Concurrent misses of one key in an instance share one load; across
 *       instances a Redis lock (SET NX PX, released only by its owner) lets one instance load while
 *       the others wait briefly for its result in L2. Auto-refresh namespaces serve the current
 *       value while one background refresh runs, and keep it if the refresh fails.</li>
 *   <li><b>Invalidation</b> by key, namespace or pattern (SCAN + UNLINK, never KEYS), broadcast to
 *       every instance's L1 over pub/sub. On any Redis disconnect or reconnect the L1 is cleared:
 *       invalidations published meanwhile are lost, so nothing cached before is trusted.</li>
 *   <li><b>Degradation.</b> Redis slow or down costs at most one short timeout, then the circuit
 *       opens: requests are served from L1 or the loader, and {@link #stats()} says "degraded".</li>
 * </ul>
 *
 * <p>Values must be immutable (records with immutable lists): an L1 hit returns the same instance
 * to every caller. Time comes from the injected {@link Clock} (tests move it instead of sleeping).
 * Thread-safe.
 */
public final class AdminCache implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AdminCache.class);
    /**
     * What a caller may clear after the key prefix: no character class, no escape, nothing outside the keys' alphabet.
     */
    private static final Pattern PATTERN_REST = Pattern.compile("[a-z0-9_:*?.=,@%-]{1,200}");
    /**
     * One L1 hit in this many is timed for the latency percentiles: a timed hit costs about 2 us
     * (two clock reads and a histogram update), so one in 64 added some 30 ns to the average hit
     * (JMH L1HitBenchmark); one in 1,024 adds 2 ns and still gives hundreds of samples a second.
     */
    private static final int SAMPLE = 1_024;

    /** A namespace with its counters: one map look-up per get. */
    private record Space(AdminCache cache, Namespace namespace, Counters counters) {}

    /** An L1 entry: the value and its lifetime on the clock's millisecond scale. */
    private record Entry(Object value, String namespace, long loadedAtMillis, long expiresAtMillis) {}

    private final Map<String, Namespace> namespaces;
    private final String prefix;
    private final Map<String, Counters> counters = new LinkedHashMap<>();
    private final Map<String, Space> spaces = new java.util.HashMap<>();
    private final Map<String, Warmer> warmers = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<Entry>> inFlight = new ConcurrentHashMap<>();
    private final long staleGraceMillis;
    private final java.util.function.Predicate<Throwable> staleOn;
    /**
     * Per namespace, bumped by every invalidation (this instance's writes and the messages of
     * others): a load stores its value in L1 only if the generation it started under is still
     * current, so a load that a write overtook never stores the old value.
     */
    private final Map<String, java.util.concurrent.atomic.AtomicLong> generations = new ConcurrentHashMap<>();
    /**
     * Invalidations Redis did not take (a stall, an outage): replayed, in order, as soon as Redis
     * answers again; until then L2 is neither read nor written for their namespaces.
     */
    private final java.util.concurrent.ConcurrentLinkedQueue<String> pending =
            new java.util.concurrent.ConcurrentLinkedQueue<>();

    private final Set<String> pendingNamespaces = ConcurrentHashMap.newKeySet();
    /**
     * Namespaces another instance holds invalidations of that Redis did not take (its "pending:"
     * message), until its "replayed:" message or the namespace's TTL, after which no entry stored
     * before could be served anyway: L2 is neither read nor written for them. In a cluster, one
     * instance's connection may still route a slot to a dead primary while another's already
     * reaches the promoted replica, which holds entries the first could not delete.
     */
    private final Map<String, Long> othersPending = new ConcurrentHashMap<>();

    private final Set<String> refreshing = ConcurrentHashMap.newKeySet();
    private final Cache<String, Entry> l1;
    private final long maximumSize;
    private final RedisLayer l2;
    private final Codec codec;
    private final Clock clock;
    private final Executor executor;
    private final String instance = UUID.randomUUID().toString();
    private final Duration lockTtl;
    private final Duration lockWait;

    private AdminCache(Builder b) {
        this.namespaces = new LinkedHashMap<>();
        this.prefix = b.keyPrefix;
        b.namespaces.forEach(ns -> namespaces.put(ns.name(), ns));
        this.clock = b.clock;
        this.executor = b.executor;
        this.codec = new Codec();
        this.maximumSize = b.maximumSize;
        this.lockTtl = b.lockTtl;
        this.lockWait = b.lockWait;
        this.staleGraceMillis = b.staleIfError.toMillis();
        this.staleOn = b.staleOn;
        for (Namespace ns : namespaces.values()) {
            counters.put(ns.name(), new Counters(ns.name(), b.registry));
            generations.put(ns.name(), new java.util.concurrent.atomic.AtomicLong());
            spaces.put(ns.name(), new Space(this, ns, counters.get(ns.name())));
        }
        // A size bound only, no Caffeine expiry: each entry carries its expiry and a hit compares it
        // with one clock read, which costs less than Caffeine's per-entry expiry (JMH L1HitBenchmark).
        // An entry past its expiry stays until it is reloaded, invalidated or evicted by size: it is
        // the key's last value, served only by stale-if-error within the grace.
        this.l1 = Caffeine.newBuilder()
                .maximumSize(b.maximumSize)
                // Maintenance (read-buffer drains, evictions) off the read path, on the executor: done on the
                // calling thread it made an L1 hit 130 ns instead of 85 (JMH L1HitBenchmark; tests pass
                // Runnable::run for determinism).
                .executor(b.executor)
                .removalListener((String key, Entry e, RemovalCause cause) -> {
                    if (cause == RemovalCause.SIZE && e != null) {
                        counters.get(e.namespace()).evictions.increment();
                    }
                })
                .build();
        this.l2 = b.redisUri == null
                ? null
                : new RedisLayer(
                        b.redisUri,
                        prefix,
                        b.commandTimeout,
                        b.connectTimeout,
                        clientName(),
                        this::onInvalidation,
                        connected -> {
                            if (connected) {
                                replayPending();
                            }
                            clearL1(connected ? "Redis answers again" : "Redis disconnected");
                        });
        Gauge.builder("chrono_perf.cache.l1.size", l1, Cache::estimatedSize).register(b.registry);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Reads through L1, L2 and the loader. */
    @SuppressWarnings("unchecked")
    public <T> T get(CacheKey key, Class<T> type, Supplier<T> loader) {
        return (T) get(key, (Object) type, loader);
    }

    /** Reads through L1, L2 and the loader, for generic types such as {@code Page<User>}. */
    @SuppressWarnings("unchecked")
    public <T> T get(CacheKey key, TypeReference<T> type, Supplier<T> loader) {
        return (T) get(key, (Object) type, loader);
    }

    /** @param type a Class or a TypeReference, resolved to a JavaType only when L2 must decode */
    private Object get(CacheKey key, Object type, Supplier<?> loader) {
        // the key's own reference when this cache built it: no map look-up on the hot path
        Space space = key.owner instanceof Space own && own.cache() == this ? own : space(key.namespace());
        Counters c = space.counters();
        Entry hit = l1.getIfPresent(key.value());
        if (hit != null && hit.expiresAtMillis() > clock.millis() && (l2 == null || l2.invalidationsHeard())) {
            c.l1Hits.increment();
            if (space.namespace().autoRefresh()) {
                maybeRefresh(key, space.namespace(), hit, loader);
            }
            // An L1 hit costs tens of nanoseconds; timing every one would cost more than the hit.
            // One in SAMPLE is timed (the clock reads are the expensive part), enough for p50/p99.
            if ((ThreadLocalRandom.current().nextInt() & (SAMPLE - 1)) == 0) {
                long start = System.nanoTime();
                Entry unused = l1.getIfPresent(key.value()); // the timed sample: the same look-up again
                c.gets.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
            }
            return hit.value();
        }
        long start = System.nanoTime();
        try {
            return loadOnce(key, space.namespace(), type, loader).value();
        } catch (RuntimeException e) {
            // stale-if-error: the load found the database away, and the last value is within its grace
            Entry old = staleOn.test(e) ? lastValue(key) : null;
            if (old == null) {
                throw e;
            }
            c.staleServed.increment();
            StaleReads.record(clock.millis() - old.loadedAtMillis());
            return old.value();
        } finally {
            c.gets.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        }
    }

    /** One load per key per instance: concurrent callers wait for the first one's result. */
    private Entry loadOnce(CacheKey key, Namespace ns, Object type, Supplier<?> loader) {
        CompletableFuture<Entry> mine = new CompletableFuture<>();
        CompletableFuture<Entry> running = inFlight.putIfAbsent(key.value(), mine);
        if (running != null) {
            try {
                return running.join();
            } catch (CompletionException e) {
                throw unwrap(e);
            }
        }
        try {
            long generation = generation(ns.name());
            Entry present = l1.getIfPresent(key.value()); // a load may have finished just before we registered
            Entry entry = present != null
                            && present.expiresAtMillis() > clock.millis()
                            && (l2 == null || l2.invalidationsHeard())
                    ? present
                    : loadThroughL2(key, ns, type, loader);
            putIfCurrent(key, entry, generation);
            mine.complete(entry);
            return entry;
        } catch (RuntimeException e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            inFlight.remove(key.value(), mine);
        }
    }

    private Entry loadThroughL2(CacheKey key, Namespace ns, Object type, Supplier<?> loader) {
        Counters c = counters.get(ns.name());
        Entry fromL2 = readL2(key, ns, type);
        if (fromL2 != null) {
            c.l2Hits.increment();
            return fromL2;
        }
        c.misses.increment();
        String lockKey = "lock:" + key.value();
        String owner = instance + ":" + Thread.currentThread().getId();
        RedisLayer.Lock lock =
                l2 == null ? RedisLayer.Lock.UNAVAILABLE : l2.tryLock(lockKey, owner, lockTtl.toMillis());
        boolean locked = lock == RedisLayer.Lock.ACQUIRED;
        try {
            if (lock == RedisLayer.Lock.HELD_ELSEWHERE) {
                // Another instance is loading this key: wait a little for its result in L2.
                long deadline = System.nanoTime() + lockWait.toNanos();
                while (System.nanoTime() < deadline) {
                    sleepQuietly(20);
                    Entry loadedElsewhere = readL2(key, ns, type);
                    if (loadedElsewhere != null) {
                        return loadedElsewhere;
                    }
                }
            }
            return load(key, ns, loader);
        } finally {
            if (locked && l2 != null) {
                l2.unlock(lockKey, owner);
            }
        }
    }

    private Entry load(CacheKey key, Namespace ns, Supplier<?> loader) {
        Counters c = counters.get(ns.name());
        long l2Generation = l2 == null ? -1 : l2.generation(ns.name()); // before the read of the database
        long t = System.nanoTime();
        Object value;
        try {
            value = loader.get();
        } catch (RuntimeException e) {
            c.loadErrors.increment();
            throw e;
        }
        c.loads.increment();
        c.loadNanos.add(System.nanoTime() - t);
        long now = clock.millis();
        Entry entry = new Entry(value, ns.name(), now, now + ns.ttl().toMillis());
        if (l2 != null) {
            Codec.Encoded encoded = codec.encode(value, entry.expiresAtMillis(), ns.compressed());
            c.encodedBytes.add(encoded.encodedBytes());
            c.storedBytes.add(encoded.bytes().length);
            if (l2Generation >= 0
                    && !bypassL2(ns.name())) { // unknown generation or pending invalidation: nothing stored in L2
                l2.setIfGeneration(key.value(), encoded.bytes(), ns.ttl().toMillis(), ns.name(), l2Generation);
            }
        }
        return entry;
    }

    private Entry readL2(CacheKey key, Namespace ns, Object type) {
        if (l2 == null || bypassL2(ns.name())) {
            return null;
        }
        byte[] bytes = l2.get(key.value());
        if (bytes == null) {
            return null;
        }
        try {
            JavaType javaType = codec.type(type);
            Codec.Decoded d = codec.decode(bytes, javaType);
            long now = clock.millis();
            if (d == null || d.expiresAtMillis() <= now) {
                return null;
            }
            return new Entry(d.value(), ns.name(), now, d.expiresAtMillis());
        } catch (RuntimeException e) {
            log.warn("Unreadable L2 entry {} treated as a miss: {}", key, e.toString());
            return null;
        }
    }

    /** Refresh-ahead: past 80% of its TTL, one background reload; the current value is served meanwhile. */
    private void maybeRefresh(CacheKey key, Namespace ns, Entry hit, Supplier<?> loader) {
        if (!ns.autoRefresh()) {
            return;
        }
        long age = clock.millis() - hit.loadedAtMillis();
        if (age < ns.ttl().toMillis() * Namespace.REFRESH_AT || !refreshing.add(key.value())) {
            return;
        }
        executor.execute(() -> {
            String lockKey = "lock:" + key.value();
            String owner = instance + ":refresh";
            RedisLayer.Lock lock =
                    l2 == null ? RedisLayer.Lock.UNAVAILABLE : l2.tryLock(lockKey, owner, lockTtl.toMillis());
            boolean locked = lock == RedisLayer.Lock.ACQUIRED;
            try {
                if (lock != RedisLayer.Lock.HELD_ELSEWHERE) { // held elsewhere: that instance refreshes L2
                    long generation = generation(ns.name());
                    putIfCurrent(key, load(key, ns, loader), generation);
                }
            } catch (RuntimeException e) {
                log.warn("Refresh of {} failed; the current value is kept until it expires: {}", key, e.toString());
            } finally {
                if (locked && l2 != null) {
                    l2.unlock(lockKey, owner);
                }
                refreshing.remove(key.value());
            }
        });
    }

    /** Removes one key from every instance's L1 and from L2. */
    public void invalidate(CacheKey key) {
        // L2 first, then L1: a load that starts after the L1 step must find L2 already clean.
        boolean taken = l2 == null || (l2.bumpGeneration(key.namespace()) & l2.unlink(key.value()));
        overtake(List.of(key.namespace()));
        dropLocal(key.value());
        if (l2 != null && !(taken & l2.publish("key:" + key.value()))) {
            keepPending("key:" + key.value(), List.of(key.namespace()));
        }
    }

    /**
     * The start of a key in one of this cache's namespaces; the key's Redis name is
     * {@code <prefix><namespace>:<operation>[:<parameters>]}.
     */
    public CacheKey.Builder key(Namespace namespace, String operation) {
        Space space = space(namespace.name());
        return CacheKey.builder(prefix, space.namespace().name(), operation, space);
    }

    /**
     * Fails with one line naming the namespaces the caller uses but this cache was not configured
     * with: called by each user of the cache when it is built, so that a wrong name stops the start.
     */
    public void require(Namespace... used) {
        List<String> missing = new ArrayList<>();
        for (Namespace ns : used) {
            if (!namespaces.containsKey(ns.name())) {
                missing.add(ns.name());
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalStateException("cache namespace(s) " + String.join(", ", missing)
                    + " used but not configured;" + " configured: " + String.join(", ", namespaces.keySet()));
        }
    }

    /**
     * The namespace as configured (its TTL may differ from the caller's constant); IllegalArgumentException for an
     * unknown name.
     */
    public Namespace namespace(String name) {
        return space(name).namespace();
    }

    /** Removes every key of a namespace; returns the L2 keys removed (-1 without Redis). */
    public long invalidateNamespace(Namespace namespace) {
        space(namespace.name());
        return invalidatePattern(prefix + namespace.name() + ":*");
    }

    /**
     * Removes the keys matching a Redis glob that stays under {@code admin:} (e.g.
     * {@code admin:users:*}); returns the L2 keys removed (-1 without Redis).
     */
    public long invalidatePattern(String pattern) {
        checkPattern(pattern);
        List<String> affected = namespacesOf(pattern);
        long removed = -1;
        boolean taken = true;
        if (l2 != null) { // L2 first, then L1: a load that starts after the L1 step must find L2 already clean
            for (String ns : affected) {
                taken &= l2.bumpGeneration(ns);
            }
            removed = l2.unlinkMatching(pattern);
            taken &= removed >= 0;
        }
        overtake(affected);
        long local = clearMatching(pattern);
        if (l2 == null) {
            return local == 0 ? 0 : -1;
        }
        if (!(taken & l2.publish("pattern:" + pattern))) {
            keepPending("pattern:" + pattern, affected);
        }
        return removed;
    }

    /** Throws IllegalArgumentException with the reason when the pattern may not be cleared. */
    public void checkPattern(String pattern) {
        if (pattern == null
                || !pattern.startsWith(prefix)
                || !PATTERN_REST.matcher(pattern.substring(prefix.length())).matches()) {
            String example = prefix + namespaces.keySet().iterator().next() + ":*";
            throw new IllegalArgumentException(
                    "pattern must start with '" + prefix + "' and use only lower-case letters, digits"
                            + " and _ : * ? . = , @ % - (at most 200 characters after it), e.g. " + example);
        }
    }

    /** The prefix of every key of this cache (the caller's, e.g. {@code admin:}). */
    public String keyPrefix() {
        return prefix;
    }

    public void registerWarmer(Namespace namespace, Warmer warmer) {
        space(namespace.name());
        warmers.put(namespace.name(), warmer);
    }

    /** Fills the namespace's popular keys; {@code force} reloads keys already present. */
    public WarmReport warm(String namespace, boolean force) {
        namespace(namespace);
        long start = System.nanoTime();
        Warmer warmer = warmers.get(namespace);
        List<Warmer.Task<?>> tasks = warmer == null ? List.of() : warmer.tasks();
        int loaded = 0;
        int cached = 0;
        int errors = 0;
        for (Warmer.Task<?> task : tasks) {
            try {
                Entry current = l1.getIfPresent(task.key().value());
                boolean present = current != null && current.expiresAtMillis() > clock.millis();
                if (force || !present) {
                    Namespace ns = namespace(task.key().namespace());
                    long generation = generation(ns.name());
                    putIfCurrent(task.key(), load(task.key(), ns, task.loader()), generation);
                    loaded++;
                } else {
                    cached++;
                }
            } catch (RuntimeException e) {
                errors++;
                log.warn("Warming {} failed: {}", task.key(), e.toString());
            }
        }
        return new WarmReport(
                namespace, force, tasks.size(), loaded, cached, errors, (System.nanoTime() - start) / 1_000_000);
    }

    /** The name this instance's Redis connections carry (CLIENT LIST shows it). */
    public String clientName() {
        return "chrono-perf-" + instance;
    }

    public Set<String> namespaces() {
        return namespaces.keySet();
    }

    public Set<String> warmedNamespaces() {
        return warmers.keySet();
    }

    public CacheStats stats() {
        Map<String, Long> l1BySpace = new LinkedHashMap<>();
        long now = clock.millis();
        l1.asMap()
                .values()
                .forEach(e -> l1BySpace.merge(e.namespace(), e.expiresAtMillis() > now ? 1L : 0L, Long::sum));
        Map<String, CacheStats.Namespace> out = new LinkedHashMap<>();
        for (Map.Entry<String, Counters> e : counters.entrySet()) {
            Counters c = e.getValue();
            long hits = c.l1Hits.sum() + c.l2Hits.sum();
            long total = hits + c.misses.sum();
            long encoded = c.encodedBytes.sum();
            long stored = c.storedBytes.sum();
            out.put(
                    e.getKey(),
                    new CacheStats.Namespace(
                            c.l1Hits.sum(),
                            c.l2Hits.sum(),
                            c.misses.sum(),
                            c.staleServed.sum(),
                            total == 0 ? 0 : (double) hits / total,
                            c.loads.sum(),
                            c.loadErrors.sum(),
                            c.loads.sum() == 0 ? 0 : c.loadNanos.sum() / 1e6 / c.loads.sum(),
                            c.evictions.sum(),
                            l1BySpace.getOrDefault(e.getKey(), 0L),
                            l2 == null ? 0 : l2.countMatching(prefix + e.getKey() + ":*"),
                            encoded,
                            stored,
                            encoded == 0 ? 0 : 1 - (double) stored / encoded,
                            c.percentileMillis(0.5),
                            c.percentileMillis(0.99)));
        }
        RedisLayer.ServerInfo info = l2 == null ? null : l2.serverInfo();
        return new CacheStats(
                l2 == null ? CacheStats.RedisState.NONE : l2.state(),
                l1.estimatedSize(),
                maximumSize,
                info == null ? -1 : info.usedMemory(),
                info == null ? null : info.keyspaceHitRatioPct(),
                info == null ? -1 : info.connectedClients(),
                l2 == null ? 0 : l2.reconnects(),
                l2 == null ? 0 : l2.errors(),
                out);
    }

    @Override
    public void close() {
        if (l2 != null) {
            l2.close();
        }
    }

    /** True while an invalidation of the namespace, this instance's or another's, has not reached Redis. */
    private boolean bypassL2(String namespace) {
        if (pendingNamespaces.contains(namespace)) {
            return true;
        }
        Long until = othersPending.get(namespace);
        if (until == null) {
            return false;
        }
        if (until > clock.millis()) {
            return true;
        }
        othersPending.remove(namespace, until);
        return false;
    }

    private void onInvalidation(String message) {
        if (message.startsWith("pending:")) {
            String ns = message.substring(8);
            Space space = spaces.get(ns);
            if (space != null) {
                othersPending.put(ns, clock.millis() + space.namespace().ttl().toMillis());
                clearMatching(prefix + ns + ":*");
            }
        } else if (message.startsWith("replayed:")) {
            othersPending.remove(message.substring(9));
        } else if (message.startsWith("key:")) {
            overtake(namespacesOf(message.substring(4)));
            dropLocal(message.substring(4));
        } else if (message.startsWith("pattern:")) {
            overtake(namespacesOf(message.substring(8)));
            clearMatching(message.substring(8));
        }
    }

    private void keepPending(String invalidation, List<String> namespaces) {
        pendingNamespaces.addAll(namespaces);
        pending.add(invalidation);
        for (String ns : namespaces) {
            l2.publish("pending:" + ns); // best effort: in a cluster, another node may carry it
        }
        log.warn(
                "Redis did not take the invalidation {}: kept, replayed when Redis answers; L2 bypassed for {} until "
                        + "then",
                invalidation,
                namespaces);
    }

    /** Replays the invalidations Redis did not take, in order; stops at the first it does not take either. */
    private synchronized void replayPending() {
        String next;
        while ((next = pending.peek()) != null) {
            String target = next.substring(next.indexOf(':') + 1);
            List<String> affected = namespacesOf(target);
            boolean taken = true;
            for (String ns : affected) {
                taken &= l2.bumpGeneration(ns);
            }
            taken &= next.startsWith("key:") ? l2.unlink(target) : l2.unlinkMatching(target) >= 0;
            taken &= l2.publish(next);
            if (!taken) {
                return;
            }
            overtake(affected);
            pending.poll();
        }
        Set<String> still = new java.util.HashSet<>();
        for (String left : pending) { // added meanwhile
            still.addAll(namespacesOf(left.substring(left.indexOf(':') + 1)));
        }
        for (String ns : pendingNamespaces) {
            if (!still.contains(ns)) {
                l2.publish("replayed:" + ns); // the others may read and write L2 for it again
            }
        }
        pendingNamespaces.retainAll(still);
        pendingNamespaces.addAll(still);
    }

    private long generation(String namespace) {
        return generations.get(namespace).get();
    }

    /** Stores in L1 only while no invalidation of the namespace happened since {@code generation} was read. */
    private void putIfCurrent(CacheKey key, Entry entry, long generation) {
        l1.asMap().compute(key.value(), (k, old) -> generation(key.namespace()) == generation ? entry : old);
    }

    /** The key's last value while within the stale-if-error grace past its expiry, or null. */
    private Entry lastValue(CacheKey key) {
        Entry e = l1.getIfPresent(key.value());
        return e != null && clock.millis() < e.expiresAtMillis() + staleGraceMillis ? e : null;
    }

    /** One key out of L1: an invalidated value is never served, not even stale. */
    private void dropLocal(String key) {
        l1.invalidate(key);
    }

    /**
     * An invalidation overtakes the loads in flight: the namespaces' generations move on (their
     * results are not stored) and later readers no longer join them but load afresh.
     */
    private void overtake(List<String> affected) {
        for (String ns : affected) {
            generations.get(ns).incrementAndGet();
            String start = prefix + ns + ":";
            inFlight.keySet().removeIf(k -> k.startsWith(start));
        }
    }

    /** The namespaces a key or a pattern ({@code admin:<namespace>:...}) may touch: all when it names none. */
    private List<String> namespacesOf(String keyOrPattern) {
        if (keyOrPattern.startsWith(prefix)) {
            String rest = keyOrPattern.substring(prefix.length());
            int colon = rest.indexOf(':');
            String ns = colon < 0 ? rest : rest.substring(0, colon);
            if (generations.containsKey(ns)) {
                return List.of(ns);
            }
        }
        return List.copyOf(generations.keySet());
    }

    /** Drops this instance's L1 (L2 and the other instances are untouched). */
    public void clearLocal() {
        l1.invalidateAll();
    }

    private void clearL1(String reason) {
        overtake(List.copyOf(generations.keySet()));
        long n = l1.estimatedSize();
        l1.invalidateAll(); // the last values too: they may have missed invalidations
        if (n > 0) {
            log.info("{}: cleared {} L1 entries that may have missed invalidations", reason, n);
        }
    }

    private long clearMatching(String glob) {
        Pattern regex = globToRegex(glob);
        List<String> keys = new ArrayList<>();
        for (String k : l1.asMap().keySet()) {
            if (regex.matcher(k).matches()) {
                keys.add(k);
            }
        }
        l1.invalidateAll(keys);
        return keys.size();
    }

    private Space space(String name) {
        Space space = spaces.get(name);
        if (space == null) {
            throw new IllegalArgumentException(
                    "unknown namespace '" + name + "'; known: " + String.join(", ", namespaces.keySet()));
        }
        return space;
    }

    static Pattern globToRegex(String glob) {
        StringBuilder re = new StringBuilder();
        for (char ch : glob.toCharArray()) {
            switch (ch) {
                case '*' -> re.append(".*");
                case '?' -> re.append('.');
                default -> re.append(Pattern.quote(String.valueOf(ch)));
            }
        }
        return Pattern.compile(re.toString());
    }

    private static RuntimeException unwrap(CompletionException e) {
        return e.getCause() instanceof RuntimeException re ? re : e;
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Configuration, each option set once; {@link #build()} checks it. */
    public static final class Builder {
        private static final Pattern KEY_PREFIX = Pattern.compile("[a-z][a-z0-9_-]{0,31}:");

        private List<Namespace> namespaces = List.of();
        private String keyPrefix;
        private long maximumSize = 2_000; // the seed's in-memory bound
        private String redisUri;
        private Clock clock = Clock.systemUTC();
        private Executor executor = ForkJoinPool.commonPool();
        private MeterRegistry registry = new SimpleMeterRegistry();
        private Duration commandTimeout = Duration.ofMillis(250);
        private Duration connectTimeout = Duration.ofSeconds(3);
        private Duration lockTtl = Duration.ofSeconds(10);
        private Duration lockWait = Duration.ofSeconds(2);
        private Duration staleIfError = Duration.ofHours(1);
        private java.util.function.Predicate<Throwable> staleOn = io.chronoperf.runtime.DatabaseErrors::isUnavailable;

        /**
         * How long past its TTL an L1 entry may still be served when a reload finds the database
         * away (1 h; zero: never). Invalidation removes entries at once, so a stale copy is never
         * one that a write replaced.
         */
        public Builder staleIfError(Duration value) {
            if (value.isNegative()) {
                throw new IllegalArgumentException("staleIfError must not be negative");
            }
            this.staleIfError = value;
            return this;
        }

        /** Which load failures allow a stale answer (default: the database is away). */
        public Builder staleOn(java.util.function.Predicate<Throwable> value) {
            this.staleOn = value;
            return this;
        }

        public Builder namespaces(List<Namespace> value) {
            namespaces = List.copyOf(value);
            return this;
        }

        /**
         * The prefix of every key, the caller's ({@code admin:}): lower-case letters, digits, _ and -,
         * ending in a colon. Invalidation messages go on the channel {@code <prefix>cache:invalidate}.
         */
        public Builder keyPrefix(String value) {
            if (value == null || !KEY_PREFIX.matcher(value).matches()) {
                throw new IllegalArgumentException(
                        "key prefix must be lower-case letters, digits, _ or - ending in ':', such as"
                                + " 'admin:', not '" + value + "'");
            }
            keyPrefix = value;
            return this;
        }

        public Builder maximumSize(long value) {
            if (value < 1) {
                throw new IllegalArgumentException("maximum size must be at least 1, not " + value);
            }
            maximumSize = value;
            return this;
        }

        /** The Redis URI (standalone, or redis-sentinel://); null for an L1-only cache. */
        public Builder redisUri(String value) {
            redisUri = value;
            return this;
        }

        public Builder clock(Clock value) {
            clock = value;
            return this;
        }

        /** Where background refreshes run. */
        public Builder executor(Executor value) {
            executor = value;
            return this;
        }

        public Builder meterRegistry(MeterRegistry value) {
            registry = value;
            return this;
        }

        /** 250 ms by default: a cache that waits longer than the database would take is no cache. */
        public Builder commandTimeout(Duration value) {
            commandTimeout = value;
            return this;
        }

        /**
         * 3 s by default: bounds each attempt to connect to Redis (TCP and handshake), apart from
         * the command timeout; a Redis that does not connect in time leaves the cache on L1 while
         * it keeps trying in the background.
         */
        public Builder connectTimeout(Duration value) {
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException("connect timeout must be positive, not " + value);
            }
            connectTimeout = value;
            return this;
        }

        public Builder lockWait(Duration value) {
            lockWait = value;
            return this;
        }

        public AdminCache build() {
            if (namespaces.isEmpty()) {
                throw new IllegalArgumentException("at least one namespace is needed: namespaces(...)");
            }
            if (keyPrefix == null) {
                throw new IllegalArgumentException("a key prefix is needed: keyPrefix(\"admin:\")");
            }
            if (namespaces.stream().map(Namespace::name).distinct().count() != namespaces.size()) {
                throw new IllegalArgumentException("namespace names must be unique: " + namespaces);
            }
            return new AdminCache(this);
        }
    }
}
