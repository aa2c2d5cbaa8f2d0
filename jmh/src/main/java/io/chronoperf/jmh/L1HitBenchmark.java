package io.chronoperf.jmh;

import com.alicp.jetcache.MultiLevelCacheBuilder;
import com.alicp.jetcache.embedded.CaffeineCacheBuilder;
import com.alicp.jetcache.redis.lettuce.RedisLettuceCacheBuilder;
import com.alicp.jetcache.support.JavaValueDecoder;
import com.alicp.jetcache.support.JavaValueEncoder;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.chronoperf.admin.repository.Bounds;
import io.chronoperf.admin.repository.User;
import io.chronoperf.cache.AdminCache;
import io.chronoperf.cache.CacheKey;
import io.chronoperf.cache.Namespace;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.redisson.Redisson;
import org.redisson.api.RLocalCachedMap;
import org.redisson.api.RedissonClient;
import org.redisson.api.options.LocalCachedMapOptions;
import org.redisson.config.Config;
import tools.jackson.core.type.TypeReference;

/**
 * An in-process hit of a two-level cache, over 1,000 keys drawn from Zipf(0.99), every key
 * present: ours ({@link AdminCache}, L1 Caffeine with per-entry expiry, counters), a plain Caffeine
 * get (the floor), Redisson's local cached map and JetCache's two-level cache (Caffeine local,
 * Lettuce remote), each backed by the same Redis. The peers hold the page's JSON as a string (their
 * remote codecs need serializable values); a hit returns a reference either way.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class L1HitBenchmark {
    static final Namespace USERS = new Namespace("users", Duration.ofMinutes(5), true, false);
    static final TypeReference<Bounds.Page<User>> PAGE = new TypeReference<>() {};

    @Param("redis://127.0.0.1:6379/15")
    public String redis;

    private AdminCache ours;
    private CacheKey[] keys;
    /**
     * The callers' loaders, made once: a hit never calls them, and their allocation is the caller's, not the cache's.
     */
    private Supplier<Bounds.Page<User>>[] loaders;

    private String[] names;
    private Cache<String, Object> caffeine;
    private Cache<String, Object> caffeineExpiring;
    private RedissonClient redisson;
    private RLocalCachedMap<String, String> redissonMap;
    private io.lettuce.core.RedisClient jetcacheClient;
    private com.alicp.jetcache.Cache<String, String> jetcache;
    private int[] order;
    private int next;

    @Setup(Level.Trial)
    @SuppressWarnings("unchecked")
    public void setUp() {
        order = Payloads.zipfIndexes();
        ours = AdminCache.builder()
                .keyPrefix("jmh:")
                .namespaces(List.of(USERS))
                .redisUri(redis)
                .build();
        caffeine = Caffeine.newBuilder().maximumSize(2_000).build();
        caffeineExpiring = Caffeine.newBuilder()
                .maximumSize(2_000)
                .expireAfter(com.github.benmanes.caffeine.cache.Expiry.<String, Object>creating(
                        (k, v) -> Duration.ofMinutes(5)))
                .build();
        redisson = Redisson.create(redissonConfig(redis));
        redissonMap = redisson.getLocalCachedMap(
                LocalCachedMapOptions.<String, String>name("jmh:redisson").cacheSize(2_000));
        jetcacheClient = io.lettuce.core.RedisClient.create(redis);
        com.alicp.jetcache.Cache<String, String> local = CaffeineCacheBuilder.createCaffeineCacheBuilder()
                .limit(2_000)
                .expireAfterWrite(5, TimeUnit.MINUTES)
                .buildCache();
        com.alicp.jetcache.Cache<String, String> remote = RedisLettuceCacheBuilder.createRedisLettuceCacheBuilder()
                .redisClient(jetcacheClient)
                .keyPrefix("jmh:jetcache:")
                .valueEncoder(JavaValueEncoder.INSTANCE)
                .valueDecoder(JavaValueDecoder.INSTANCE)
                .expireAfterWrite(5, TimeUnit.MINUTES)
                .buildCache();
        jetcache = MultiLevelCacheBuilder.createMultiLevelCacheBuilder()
                .addCache(local, remote)
                .expireAfterWrite(5, TimeUnit.MINUTES)
                .buildCache();

        keys = new CacheKey[Payloads.KEYS];
        loaders = new Supplier[Payloads.KEYS];
        names = new String[Payloads.KEYS];
        for (int i = 0; i < Payloads.KEYS; i++) {
            Bounds.Page<User> page = Payloads.usersPage(i);
            keys[i] = ours.key(USERS, "list").param("page", i).build();
            names[i] = keys[i].value();
            loaders[i] = () -> page;
            ours.get(keys[i], PAGE, loaders[i]);
            caffeine.put(names[i], page);
            caffeineExpiring.put(names[i], page);
            String json = page.toString();
            redissonMap.fastPut(names[i], json);
            jetcache.put(names[i], json);
        }
        for (int i = 0; i < Payloads.KEYS; i++) { // fill the peers' local levels
            redissonMap.get(names[i]);
            jetcache.get(names[i]);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        ours.invalidatePattern("jmh:*");
        ours.close();
        redissonMap.delete();
        redisson.shutdown();
        for (String name : names) {
            jetcache.remove(name);
        }
        jetcacheClient.shutdown();
    }

    private int nextIndex() {
        return order[next++ & (Payloads.SAMPLES - 1)];
    }

    @Benchmark
    public Object chronoPerfL1Hit() {
        int i = nextIndex();
        return ours.get(keys[i], PAGE, loaders[i]);
    }

    @Benchmark
    public Object caffeineGet() {
        return caffeine.getIfPresent(names[nextIndex()]);
    }

    /** A plain Caffeine get and a wall-clock read: the floor of a cache that checks each entry's expiry itself. */
    @Benchmark
    public boolean caffeineGetAndClock() {
        Object v = caffeine.getIfPresent(names[nextIndex()]);
        return v != null && System.currentTimeMillis() > 0;
    }

    /** Caffeine with a size bound and per-entry expiry, as our L1 is configured: the floor for an expiring cache. */
    @Benchmark
    public Object caffeineWithExpiryGet() {
        return caffeineExpiring.getIfPresent(names[nextIndex()]);
    }

    @Benchmark
    public Object redissonLocalCachedMapHit() {
        return redissonMap.get(names[nextIndex()]);
    }

    @Benchmark
    public Object jetcacheTwoLevelHit() {
        return jetcache.get(names[nextIndex()]);
    }

    static Config redissonConfig(String uri) {
        io.lettuce.core.RedisURI u = io.lettuce.core.RedisURI.create(uri);
        Config config = new Config();
        config.useSingleServer()
                .setAddress("redis://" + u.getHost() + ":" + u.getPort())
                .setDatabase(u.getDatabase());
        return config;
    }
}
