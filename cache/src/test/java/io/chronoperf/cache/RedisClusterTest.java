package io.chronoperf.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.chronoperf.testkit.RedisClusterProcesses;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 18: L2 on a real Redis Cluster the test starts (three primaries and a replica of each,
 * the machine's redis-server), two cache instances on it, namespaces spread over the slots, and a
 * primary killed mid-run.
 */
class RedisClusterTest {
    /** How soon an acknowledged write must be seen by every instance (the pub/sub bound). */
    private static final long BOUND_MILLIS = 1_000;
    /** Writes in the failover run; the primary is killed after the twentieth. */
    private static final int WRITES = 80;

    private static RedisClusterProcesses cluster;
    private final List<AdminCache> caches = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        cluster = RedisClusterProcesses.start();
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @AfterEach
    void close() {
        caches.forEach(AdminCache::close);
    }

    private AdminCache cache(List<Namespace> namespaces) {
        AdminCache c = AdminCache.builder()
                .keyPrefix("admin:")
                .namespaces(namespaces)
                .redisUri(cluster.uri())
                .executor(Runnable::run)
                .commandTimeout(Duration.ofSeconds(2))
                .build();
        caches.add(c);
        return c;
    }

    private static Namespace namespace(String name) {
        return new Namespace(name, Duration.ofMinutes(5), true, false);
    }

    @Test
    void every_namespace_reads_writes_and_clears_across_the_slots_and_both_instances_hear_it() throws Exception {
        List<Namespace> spaces = new ArrayList<>();
        for (String n : List.of("users", "pages", "audit", "backups", "projects", "security")) {
            spaces.add(namespace("c" + Long.toString(System.nanoTime() % 100_000, 36) + "_" + n));
        }
        AdminCache a = cache(spaces);
        AdminCache b = cache(spaces);
        awaitUp(a, b);
        for (Namespace ns : spaces) {
            AtomicInteger version = new AtomicInteger(1);
            AtomicInteger loads = new AtomicInteger();
            CacheKey key = a.key(ns, "get").param("id", 7).build();
            assertThat(a.get(key, Integer.class, () -> load(version, loads))).isEqualTo(1);
            assertThat(b.get(key, Integer.class, () -> load(version, loads)))
                    .as("b reads a's entry from the cluster")
                    .isEqualTo(1);
            assertThat(loads.get()).as(ns.name() + ": loaded once").isEqualTo(1);

            version.set(2);
            a.invalidate(key); // the write's acknowledgement
            awaitValue(b, key, version, loads, 2);

            assertThat(a.invalidateNamespace(ns))
                    .as("the namespace's keys, found on its primary")
                    .isPositive();
            version.set(3);
            awaitValue(b, key, version, loads, 3);
        }
        // a pattern over every namespace: SCAN of every primary
        for (Namespace ns : spaces) {
            a.get(a.key(ns, "list").build(), Integer.class, () -> 1);
        }
        assertThat(a.invalidatePattern("admin:*")).isGreaterThanOrEqualTo(spaces.size());
        for (Namespace ns : spaces) {
            AtomicInteger loads = new AtomicInteger();
            b.get(a.key(ns, "list").build(), Integer.class, () -> load(new AtomicInteger(9), loads));
            assertThat(loads.get()).as(ns.name() + ": cleared on its primary").isEqualTo(1);
        }
    }

    @Test
    void a_primary_killed_mid_run_leaves_no_read_stale_after_the_bound() throws Exception {
        Namespace ns = namespace("k" + Long.toString(System.nanoTime() % 100_000, 36) + "_users");
        AdminCache a = cache(List.of(ns));
        AdminCache b = cache(List.of(ns));
        awaitUp(a, b);
        CacheKey key = a.key(ns, "get").param("id", 1).build();
        AtomicInteger version = new AtomicInteger(0); // the application's data: what a load reads
        ConcurrentSkipListMap<Long, Integer> acked = new ConcurrentSkipListMap<>(); // ack time -> version
        acked.put(System.nanoTime(), 0);
        AtomicBoolean running = new AtomicBoolean(true);
        ConcurrentLinkedQueue<String> stale = new ConcurrentLinkedQueue<>();
        AtomicLong reads = new AtomicLong();
        List<Thread> readers = new ArrayList<>();
        List<AdminCache> readerCaches = List.of(a, b, b);
        // reads each reader made that started a bound after the last write: the ones the test is for
        java.util.concurrent.atomic.AtomicIntegerArray afterLast =
                new java.util.concurrent.atomic.AtomicIntegerArray(readerCaches.size());
        for (int n = 0; n < readerCaches.size(); n++) {
            AdminCache reader = readerCaches.get(n);
            int index = n;
            Thread t = new Thread(() -> {
                while (running.get()) {
                    long start = System.nanoTime();
                    Integer v = reader.get(key, Integer.class, version::get);
                    Map.Entry<Long, Integer> due = acked.floorEntry(start - BOUND_MILLIS * 1_000_000);
                    if (due != null && v != null && v < due.getValue()) {
                        stale.add((reader == a ? "a" : "b") + " read " + v + " after " + due.getValue()
                                + " was acknowledged more than " + BOUND_MILLIS + " ms before (at "
                                + java.time.LocalTime.now() + ")");
                    }
                    if (due != null && due.getValue() == WRITES) {
                        afterLast.incrementAndGet(index);
                    }
                    reads.incrementAndGet();
                }
            });
            t.start();
            readers.add(t);
        }
        int killedPort = -1;
        for (int i = 1; i <= WRITES; i++) {
            version.set(i);
            (i % 2 == 0 ? a : b).invalidate(key); // the write path: data changed, then the invalidation
            acked.put(System.nanoTime(), i);
            if (i == 20) {
                killedPort = cluster.killPrimaryOf("{" + ns.name() + "}");
            }
            Thread.sleep(50);
        }
        cluster.awaitOk(Duration.ofSeconds(30));
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!everyOneAtLeast(afterLast, 10) && System.nanoTime() < deadline) {
            Thread.sleep(20); // a poll of the condition, not a bet on time
        }
        running.set(false);
        for (Thread t : readers) {
            t.join(10_000);
        }
        assertThat(everyOneAtLeast(afterLast, 10))
                .as("every reader read after the last write's bound")
                .isTrue();
        assertThat(killedPort).isPositive();
        assertThat(stale).as("stale reads after the failover").isEmpty();
        assertThat(reads.get()).isGreaterThan(100);
        assertThat(a.get(key, Integer.class, version::get)).isEqualTo(WRITES);
        assertThat(b.get(key, Integer.class, version::get)).isEqualTo(WRITES);
        System.out.printf(
                "cluster failover: primary on port %d killed after write 20 of 80; %d reads, none stale%n",
                killedPort, reads.get());
    }

    private static boolean everyOneAtLeast(java.util.concurrent.atomic.AtomicIntegerArray counts, int n) {
        for (int i = 0; i < counts.length(); i++) {
            if (counts.get(i) < n) {
                return false;
            }
        }
        return true;
    }

    private static Integer load(AtomicInteger version, AtomicInteger loads) {
        loads.incrementAndGet();
        return version.get();
    }

    private static void awaitValue(AdminCache c, CacheKey key, AtomicInteger version, AtomicInteger loads, int want)
            throws InterruptedException {
        long deadline = System.nanoTime() + BOUND_MILLIS * 1_000_000;
        Integer got;
        do {
            got = c.get(key, Integer.class, () -> load(version, loads));
            if (got == want) {
                return;
            }
            Thread.sleep(5);
        } while (System.nanoTime() < deadline);
        assertThat(got).as("the other instance within " + BOUND_MILLIS + " ms").isEqualTo(want);
    }

    private static void awaitUp(AdminCache... caches) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        for (AdminCache c : caches) {
            while (c.stats().redis() != CacheStats.RedisState.UP) {
                assertThat(System.nanoTime()).as("connected to the cluster").isLessThan(deadline);
                Thread.sleep(20);
            }
        }
    }
}
