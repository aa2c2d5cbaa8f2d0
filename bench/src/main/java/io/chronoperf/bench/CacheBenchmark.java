package io.chronoperf.bench;

import io.chronoperf.admin.repository.AuditLogRepository;
import io.chronoperf.admin.repository.BackupRepository;
import io.chronoperf.admin.repository.ProjectRepository;
import io.chronoperf.admin.repository.SecurityEventRepository;
import io.chronoperf.admin.repository.UserRepository;
import io.chronoperf.admin.seed.Zipf;
import io.chronoperf.cache.AdminCache;
import io.chronoperf.cache.CacheStats;
import io.chronoperf.server.cache.AdminNamespaces;
import io.chronoperf.server.cache.CachedAdmin;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import javax.sql.DataSource;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * The cache's workload benchmark over the demo data: what L2 stores for real admin payloads, a
 * Zipf(0.99) replay of admin requests (hit ratio, per namespace), and the distribution of the
 * dashboard read from the cache. The cost of one hit against the peers is measured by JMH (the
 * {@code jmh} module), not by timed loops here.
 */
public final class CacheBenchmark {
    private final DataSource dataSource;
    private final String redisUri;
    private final Consumer<String> log;

    public CacheBenchmark(DataSource dataSource, String redisUri, Consumer<String> log) {
        this.dataSource = dataSource;
        this.redisUri = redisUri;
        this.log = log;
    }

    public String run(int replayRequests) {
        StringBuilder r = new StringBuilder();
        Clock clock = Clock.systemUTC();
        UserRepository users = new UserRepository(dataSource);
        UserRepository.Dashboard dashboard = users.dashboard();

        // The costs of a hit (L1, L2) against the peers are JMH's: java -jar jmh/target/benchmarks.jar.
        // 1. What L2 stores for real admin payloads: the encoded value (Smile), zstd-compressed, against their JSON.
        ObjectMapper mapper = JsonMapper.builder().findAndAddModules().build();
        io.chronoperf.cache.internal.Codec codec = new io.chronoperf.cache.internal.Codec();
        for (var payload : List.of(
                new Object[] {"dashboard", dashboard},
                new Object[] {
                    "users page (50)", users.list(new UserRepository.Filter(null, null, null, null, null), 50, null)
                },
                new Object[] {"audit stats (24 h)", new AuditLogRepository(dataSource, clock).stats(null, null, "hour")
                })) {
            int json = mapper.writeValueAsBytes(payload[1]).length;
            io.chronoperf.cache.internal.Codec.Encoded stored = codec.encode(payload[1], 0, true);
            r.append(String.format(
                    Locale.ROOT,
                    "stored %-20s JSON %,7d bytes -> Smile %,7d -> stored %,6d bytes: %.1f%% smaller than JSON%n",
                    payload[0],
                    json,
                    stored.encodedBytes(),
                    stored.bytes().length,
                    100.0 * (1 - (double) stored.bytes().length / json)));
        }

        // 2. Zipf(0.99) replay of admin requests, and 3. the dashboard from the cache.
        try (AdminCache cache = AdminCache.builder()
                .keyPrefix(AdminNamespaces.KEY_PREFIX)
                .namespaces(AdminNamespaces.ALL)
                .redisUri(redisUri)
                .build()) {
            cache.invalidatePattern("admin:*");
            CachedAdmin admin = new CachedAdmin(
                    cache,
                    users,
                    new AuditLogRepository(dataSource, clock),
                    new SecurityEventRepository(dataSource, clock),
                    new BackupRepository(dataSource),
                    new ProjectRepository(dataSource));
            long userCount = dashboard.total();
            long staff = Math.max(10, userCount / 200);
            List<String> ips = new SecurityEventRepository(dataSource, clock)
                    .topOffenders(24, 100).stream()
                            .map(SecurityEventRepository.Offender::ipAddress)
                            .toList();
            Zipf userZipf = new Zipf((int) userCount, 0.99);
            Zipf staffZipf = new Zipf((int) staff, 0.99);
            Zipf ipZipf = new Zipf(Math.max(1, ips.size()), 0.99);
            String[] statuses = {"approved", "pending", "rejected"};
            SplittableRandom random = new SplittableRandom(7);
            long[] before = new long[3];
            long start = System.nanoTime();
            for (int i = 0; i < 2 * replayRequests; i++) {
                if (i == replayRequests) { // the first half warms the cache; the second is measured
                    before = totals(cache.stats());
                    start = System.nanoTime();
                }
                int kind = random.nextInt(100);
                if (kind < 35) {
                    admin.byId(1 + userZipf.next(random));
                } else if (kind < 50) {
                    admin.dashboard();
                } else if (kind < 60) {
                    admin.list(
                            new UserRepository.Filter(
                                    statuses[Math.min(2, staffZipf.next(random) % 3)], true, null, null, null),
                            50,
                            null);
                } else if (kind < 68) {
                    admin.approvalQueue(50, null);
                } else if (kind < 78 && !ips.isEmpty()) {
                    admin.recentByIp(ips.get(ipZipf.next(random)), 24, 50);
                } else if (kind < 88) {
                    admin.projects(1 + userZipf.next(random), 20, 10);
                } else if (kind < 94) {
                    admin.auditStats(null, null, "hour");
                } else {
                    admin.backupHealth(null);
                }
                if ((i + 1) % 100_000 == 0) {
                    log.accept(String.format(Locale.ROOT, "  replay: %,d requests", i + 1));
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            CacheStats stats = cache.stats();
            long[] after = totals(stats);
            long l1 = after[0] - before[0];
            long hits = l1 + after[1] - before[1];
            long total = hits + after[2] - before[2];
            r.append(String.format(
                    Locale.ROOT,
                    "Zipf(0.99) replay, %,d requests measured after %,d of warm-up, in %.1f s (%,.0f/s):"
                            + " hit ratio %.2f%% (L1 %.2f%%, L2 %.2f%%) (goal >= 95%%)%n",
                    total,
                    replayRequests,
                    seconds,
                    total / seconds,
                    100.0 * hits / total,
                    100.0 * l1 / total,
                    100.0 * (hits - l1) / total));
            r.append("  per namespace, warm-up included:\n");
            for (var e : stats.namespaces().entrySet()) {
                CacheStats.Namespace ns = e.getValue();
                if (ns.l1Hits() + ns.l2Hits() + ns.misses() > 0) {
                    r.append(String.format(
                            Locale.ROOT,
                            "  %-10s hit ratio %6.2f%%, %,d loads averaging %.2f ms, compression %.0f%%%n",
                            e.getKey(),
                            100 * ns.hitRatio(),
                            ns.loads(),
                            ns.loadMillisAverage(),
                            100 * ns.compressionRatio()));
                }
            }
            long[] nanos = new long[200_000];
            for (int i = 0; i < nanos.length; i++) {
                long t = System.nanoTime();
                admin.dashboard();
                nanos[i] = System.nanoTime() - t;
            }
            Percentiles p = new Percentiles(nanos);
            r.append(String.format(
                    Locale.ROOT,
                    "dashboard from the cache (in-process): p50 %.4f ms, p99 %.4f ms, p99.9 %.4f ms (goal p99 <= 5 "
                            + "ms)%n",
                    p.p(50),
                    p.p(99),
                    p.p(99.9)));
        }
        return r.toString();
    }

    private static long[] totals(CacheStats stats) {
        long[] t = new long[3];
        for (CacheStats.Namespace ns : stats.namespaces().values()) {
            t[0] += ns.l1Hits();
            t[1] += ns.l2Hits();
            t[2] += ns.misses();
        }
        return t;
    }
}
