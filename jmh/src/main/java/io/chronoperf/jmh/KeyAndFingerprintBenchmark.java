package io.chronoperf.jmh;

import io.chronoperf.advisor.Fingerprint;
import io.chronoperf.cache.AdminCache;
import io.chronoperf.cache.CacheKey;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The per-request work around a cache read and a captured statement: building a key with typed,
 * canonical parameters (the users list's seven), and fingerprinting a statement, once seen
 * (memoised: prepared statements repeat) and new (a literal inlined, so never seen).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class KeyAndFingerprintBenchmark {
    static final String STATEMENT = "SELECT u.id, u.email, u.full_name FROM users u WHERE u.approval_status = $1"
            + " AND u.is_active = $2 AND (u.created_at, u.id) < ($3, $4) ORDER BY u.created_at DESC, u.id DESC LIMIT "
            + "51";

    private AdminCache cache;
    private long n;

    @Setup(Level.Trial)
    public void setUp() {
        cache = AdminCache.builder()
                .keyPrefix("jmh:")
                .namespaces(List.of(L1HitBenchmark.USERS))
                .build();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        cache.close();
    }

    @Benchmark
    public CacheKey keyBuild() {
        long i = n++;
        return cache.key(L1HitBenchmark.USERS, "list")
                .param("status", "pending")
                .param("active", Boolean.TRUE)
                .param("locked", null)
                .param("q", "smith")
                .param("sort", "created_at")
                .param("limit", 50)
                .param("cursor", i & 1023)
                .build();
    }

    @Benchmark
    public String fingerprintSeen() {
        return Fingerprint.of(STATEMENT);
    }

    @Benchmark
    public String fingerprintNew() {
        return Fingerprint.of("SELECT * FROM users WHERE id = " + (n++) + " AND email = 'a''b@example.com' /* c */");
    }
}
