package io.chronoperf.jmh;

import com.github.luben.zstd.Zstd;
import io.chronoperf.admin.repository.Bounds;
import io.chronoperf.admin.repository.User;
import io.chronoperf.cache.AdminCache;
import io.chronoperf.cache.CacheKey;
import io.chronoperf.cache.internal.Codec;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import java.nio.ByteBuffer;
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
import tools.jackson.databind.JavaType;

/**
 * A hit in Redis (L2) of a 20 KB users page, L1 emptied before each: ours against a raw Lettuce
 * GET of the same stored bytes, the GET plus zstd decompression (the goal's baseline: within
 * 1.5x of it), and the GET plus the cache's own decoding (decompression and Smile), which
 * leaves the cache's bookkeeping as the difference.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class L2HitBenchmark {
    @Param("redis://127.0.0.1:6379/15")
    public String redis;

    private AdminCache ours;
    private CacheKey key;
    private Bounds.Page<User> page;
    private RedisClient client;
    private RedisCommands<String, byte[]> raw;
    private StatefulRedisConnection<String, byte[]> connection;
    private final Codec codec = new Codec();
    private JavaType type;

    @Setup(Level.Trial)
    public void setUp() {
        ours = AdminCache.builder()
                .keyPrefix("jmh:")
                .namespaces(List.of(L1HitBenchmark.USERS))
                .redisUri(redis)
                .build();
        page = Payloads.usersPage(1);
        key = ours.key(L1HitBenchmark.USERS, "l2").build();
        ours.get(key, L1HitBenchmark.PAGE, () -> page);
        client = RedisClient.create(redis);
        connection = client.connect(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE));
        raw = connection.sync();
        type = codec.type(L1HitBenchmark.PAGE);
        if (raw.get(key.value()) == null) {
            throw new IllegalStateException("the page did not reach Redis at " + redis);
        }
    }

    @Setup(Level.Invocation)
    public void emptyL1() {
        ours.clearLocal();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        ours.invalidatePattern("jmh:*");
        ours.close();
        connection.close();
        client.shutdown();
    }

    @Benchmark
    public Object chronoPerfL2Hit() {
        Supplier<Bounds.Page<User>> loader = () -> page;
        return ours.get(key, L1HitBenchmark.PAGE, loader);
    }

    @Benchmark
    public Object rawGet() {
        return raw.get(key.value());
    }

    @Benchmark
    public Object rawGetAndDecompress() {
        return payload(raw.get(key.value()));
    }

    @Benchmark
    public Object rawGetDecompressAndDecode() {
        return codec.decode(raw.get(key.value()), type);
    }

    /** The stored format: codec byte, expiry (8 bytes), JSON length (4 bytes), zstd frame. */
    private static byte[] payload(byte[] stored) {
        ByteBuffer in = ByteBuffer.wrap(stored);
        in.get();
        in.getLong();
        int jsonLength = in.getInt();
        byte[] json = new byte[jsonLength];
        Zstd.decompressByteArray(json, 0, jsonLength, stored, 13, stored.length - 13);
        return json;
    }
}
