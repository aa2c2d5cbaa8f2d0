package io.chronoperf.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chronoperf.testkit.MutableClock;
import io.chronoperf.testkit.TestServers;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.core.type.TypeReference;

/** The cache against a real Redis: the local one, or the embedded one. */
class AdminCacheTest {
    /** Namespaces of their own, so that runs and tests never share keys on the shared Redis. */
    private final String users =
            "t" + UUID.randomUUID().toString().replace("-", "").substring(0, 8).toLowerCase(Locale.ROOT) + "_users";

    private final String live = users.replace("_users", "_live");
    private final Namespace usersSpace = new Namespace(users, Duration.ofMinutes(5), true, false);
    private final Namespace liveSpace = new Namespace(live, Duration.ofSeconds(30), false, true);
    private final MutableClock clock = new MutableClock();
    private final List<AdminCache> caches = new ArrayList<>();

    record Item(String name, int version, List<String> tags) {}

    private AdminCache cache(String redisUri) {
        return cache(redisUri, Duration.ofSeconds(5));
    }

    private AdminCache cache(String redisUri, Duration commandTimeout) {
        AdminCache c = AdminCache.builder()
                .keyPrefix("admin:")
                .namespaces(List.of(usersSpace, liveSpace))
                .redisUri(redisUri)
                .clock(clock)
                .executor(Runnable::run)
                // generous by default: on a busy machine a 250 ms command timeout fails commands Redis did answer
                .commandTimeout(commandTimeout)
                .build();
        caches.add(c);
        return c;
    }

    @AfterEach
    void close() {
        caches.forEach(AdminCache::close);
    }

    private CacheKey key(String op) {
        return CacheKey.builder("admin:", users, op).param("id", 1).build();
    }

    @Test
    void read_through_fills_l1_then_l2_serves_a_second_instance() {
        AdminCache a = cache(TestServers.redisUri());
        AdminCache b = cache(TestServers.redisUri());
        AtomicInteger loads = new AtomicInteger();

        Item first = a.get(key("get"), Item.class, () -> new Item("x", loads.incrementAndGet(), List.of("a")));
        Item again = a.get(key("get"), Item.class, () -> new Item("x", loads.incrementAndGet(), List.of("a")));
        Item other = b.get(key("get"), Item.class, () -> new Item("x", loads.incrementAndGet(), List.of("a")));

        assertThat(loads).hasValue(1);
        assertThat(again).isSameAs(first);
        assertThat(other).isEqualTo(first);
        CacheStats.Namespace sa = a.stats().namespaces().get(users);
        CacheStats.Namespace sb = b.stats().namespaces().get(users);
        assertThat(sa.misses()).isEqualTo(1);
        assertThat(sa.l1Hits()).isEqualTo(1);
        assertThat(sb.l2Hits()).isEqualTo(1);
    }

    @Test
    void generic_values_round_trip_through_l2() {
        AdminCache a = cache(TestServers.redisUri());
        AdminCache b = cache(TestServers.redisUri());
        TypeReference<List<Item>> type = new TypeReference<>() {};

        a.get(key("list"), type, () -> List.of(new Item("a", 1, List.of()), new Item("b", 2, List.of("t"))));
        List<Item> fromL2 = b.get(key("list"), type, () -> List.of());

        assertThat(fromL2).containsExactly(new Item("a", 1, List.of()), new Item("b", 2, List.of("t")));
    }

    @Test
    void hundred_concurrent_misses_cause_one_load_across_two_instances() throws Exception {
        AdminCache a = cache(TestServers.redisUri());
        AdminCache b = cache(TestServers.redisUri());
        AtomicInteger loads = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(100);
        try {
            List<Future<Item>> results = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                AdminCache c = i % 2 == 0 ? a : b;
                results.add(pool.submit(() -> {
                    start.await();
                    return c.get(key("hot"), Item.class, () -> {
                        loads.incrementAndGet();
                        sleep(200); // a slow query: every other caller arrives while it runs
                        return new Item("hot", 1, List.of());
                    });
                }));
            }
            start.countDown();
            for (Future<Item> f : results) {
                assertThat(f.get().name()).isEqualTo("hot");
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(loads).hasValue(1);
    }

    @Test
    void entries_expire_after_their_namespace_ttl_in_both_levels() {
        AdminCache a = cache(TestServers.redisUri());
        AtomicInteger loads = new AtomicInteger();

        a.get(key("ttl"), Item.class, () -> new Item("v", loads.incrementAndGet(), List.of()));
        clock.advance(Duration.ofMinutes(4));
        assertThat(a.get(key("ttl"), Item.class, () -> new Item("v", loads.incrementAndGet(), List.of()))
                        .version())
                .isEqualTo(1);
        clock.advance(Duration.ofMinutes(2)); // past 5 minutes: L1 expired, and the L2 copy says so too

        assertThat(a.get(key("ttl"), Item.class, () -> new Item("v", loads.incrementAndGet(), List.of()))
                        .version())
                .isEqualTo(2);
        assertThat(loads).hasValue(2);
    }

    @Test
    void invalidation_reaches_the_other_instance_through_pub_sub() {
        AdminCache a = cache(TestServers.redisUri());
        AdminCache b = cache(TestServers.redisUri());
        b.get(key("shared"), Item.class, () -> new Item("old", 1, List.of()));
        assertThat(b.stats().namespaces().get(users).l1Size()).isEqualTo(1);

        a.invalidate(key("shared"));

        await(() -> b.stats().namespaces().get(users).l1Size() == 0);
        assertThat(b.get(key("shared"), Item.class, () -> new Item("new", 2, List.of()))
                        .name())
                .isEqualTo("new");
    }

    @Test
    void pattern_clear_touches_only_its_pattern() {
        AdminCache a = cache(TestServers.redisUri());
        CacheKey queue = CacheKey.builder("admin:", users, "approval_queue")
                .param("limit", 50)
                .build();
        CacheKey list =
                CacheKey.builder("admin:", users, "list").param("limit", 50).build();
        CacheKey other = CacheKey.builder("admin:", live, "recent").build();
        a.get(queue, Item.class, () -> new Item("q", 1, List.of()));
        a.get(list, Item.class, () -> new Item("l", 1, List.of()));
        a.get(other, Item.class, () -> new Item("o", 1, List.of()));

        long removed = a.invalidatePattern("admin:" + users + ":approval_queue:*");

        assertThat(removed).isEqualTo(1);
        AtomicInteger loads = new AtomicInteger();
        a.get(queue, Item.class, () -> new Item("q", loads.incrementAndGet(), List.of()));
        a.get(list, Item.class, () -> new Item("l", loads.incrementAndGet(), List.of()));
        a.get(other, Item.class, () -> new Item("o", loads.incrementAndGet(), List.of()));
        assertThat(loads).hasValue(1);
        assertThat(a.invalidateNamespace(usersSpace)).isEqualTo(2);
    }

    @Test
    void a_reconnect_clears_l1_so_missed_invalidations_cannot_leave_stale_entries() {
        AdminCache b = cache(TestServers.redisUri());
        b.get(key("stale"), Item.class, () -> new Item("cached", 1, List.of()));
        long before = b.stats().reconnects();

        // Cut b off: kill its connections, as a network blip would. Whatever was published
        // meanwhile is lost to it, so it must not trust its L1 afterwards.
        RedisClient admin = RedisClient.create(TestServers.redisUri());
        try (StatefulRedisConnection<String, String> c = admin.connect()) {
            for (String line : c.sync().clientList().split("\n")) {
                if (line.contains(" name=" + b.clientName() + " ")) {
                    long id = Long.parseLong(
                            line.replaceAll(".*\\bid=(\\d+).*", "$1").trim());
                    c.sync().clientKill(io.lettuce.core.KillArgs.Builder.id(id));
                }
            }
        } finally {
            admin.shutdown();
        }

        await(() -> b.stats().reconnects() > before);
        assertThat(b.stats().namespaces().get(users).l1Size()).isZero();
    }

    @Test
    void redis_stopped_in_the_middle_of_a_run_fails_no_request_and_recovery_is_automatic() {
        int port = io.chronoperf.runtime.EmbeddedRedis.freePort();
        io.chronoperf.runtime.EmbeddedRedis redis = io.chronoperf.runtime.EmbeddedRedis.start(port);
        AdminCache a = cache("redis://127.0.0.1:" + port);
        AtomicInteger loads = new AtomicInteger();
        int failures = 0;
        try {
            for (int i = 0; i < 300; i++) {
                if (i == 100) {
                    redis.close();
                }
                if (i == 200) {
                    redis = io.chronoperf.runtime.EmbeddedRedis.start(port);
                }
                if (i == 150) {
                    assertThat(a.stats().redis()).isEqualTo(CacheStats.RedisState.DEGRADED);
                }
                try {
                    CacheKey k = CacheKey.builder("admin:", users, "flaky")
                            .param("n", i % 20)
                            .build();
                    assertThat(a.get(k, Item.class, () -> new Item("v", loads.incrementAndGet(), List.of()))
                                    .name())
                            .isEqualTo("v");
                } catch (RuntimeException e) {
                    failures++;
                }
            }
            await(() -> a.stats().redis() == CacheStats.RedisState.UP);
        } finally {
            redis.close();
        }
        assertThat(failures).isZero();
    }

    @Test
    void auto_refresh_serves_the_current_value_and_refreshes_it_once_in_the_background() {
        AdminCache a = cache(TestServers.redisUri());
        CacheKey k = CacheKey.builder("admin:", live, "recent").build();
        AtomicInteger loads = new AtomicInteger();

        a.get(k, Item.class, () -> new Item("v", loads.incrementAndGet(), List.of()));
        clock.advance(Duration.ofSeconds(25)); // past 80% of 30 s
        Item served = a.get(k, Item.class, () -> new Item("v", loads.incrementAndGet(), List.of()));
        Item after = a.get(k, Item.class, () -> new Item("v", loads.incrementAndGet(), List.of()));

        assertThat(served.version()).isEqualTo(1); // served at once, refreshed behind it
        assertThat(after.version()).isEqualTo(2);
        assertThat(loads).hasValue(2);
    }

    @Test
    void a_failed_refresh_keeps_the_current_value() {
        AdminCache a = cache(TestServers.redisUri());
        CacheKey k = CacheKey.builder("admin:", live, "fragile").build();
        a.get(k, Item.class, () -> new Item("good", 1, List.of()));
        clock.advance(Duration.ofSeconds(25));

        Item served = a.get(k, Item.class, () -> {
            throw new IllegalStateException("database down");
        });

        assertThat(served.name()).isEqualTo("good");
        assertThat(a.get(k, Item.class, () -> new Item("other", 9, List.of())).name())
                .isEqualTo("good");
    }

    @Test
    void a_failing_load_is_reported_to_every_waiting_caller_and_not_cached() {
        AdminCache a = cache(null);
        assertThatThrownBy(() -> a.get(key("broken"), Item.class, () -> {
                    throw new IllegalStateException("boom");
                }))
                .hasMessage("boom");
        assertThat(a.get(key("broken"), Item.class, () -> new Item("ok", 1, List.of()))
                        .name())
                .isEqualTo("ok");
        assertThat(a.stats().redis()).isEqualTo(CacheStats.RedisState.NONE);
    }

    @Test
    void unknown_namespace_is_refused_with_the_known_ones() {
        AdminCache a = cache(null);
        assertThatThrownBy(() -> a.invalidateNamespace(new Namespace("nope", Duration.ofMinutes(1), false, false)))
                .hasMessageContaining(users);
    }

    @Test
    void warming_loads_the_registered_keys_and_force_reloads_them() {
        AdminCache a = cache(TestServers.redisUri());
        AtomicInteger loads = new AtomicInteger();
        a.registerWarmer(
                usersSpace,
                () -> List.of(
                        new Warmer.Task<>(
                                key("w1"),
                                new TypeReference<Item>() {},
                                () -> new Item("w1", loads.incrementAndGet(), List.of())),
                        new Warmer.Task<>(
                                key("w2"),
                                new TypeReference<Item>() {},
                                () -> new Item("w2", loads.incrementAndGet(), List.of()))));

        WarmReport first = a.warm(users, false);
        WarmReport second = a.warm(users, false);
        WarmReport forced = a.warm(users, true);

        assertThat(first.loaded()).isEqualTo(2);
        assertThat(second.loaded()).isZero();
        assertThat(second.alreadyCached()).isEqualTo(2);
        assertThat(forced.loaded()).isEqualTo(2);
        assertThat(loads).hasValue(4);
    }

    @Test
    void compression_shrinks_repetitive_admin_payloads() {
        AdminCache a = cache(TestServers.redisUri());
        List<Item> page = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            page.add(new Item("user." + i + "@example.com", i, List.of("approved", "active", "verified")));
        }
        a.get(key("page"), new TypeReference<List<Item>>() {}, () -> page);

        assertThat(a.stats().namespaces().get(users).compressionRatio()).isGreaterThan(0.5);
    }

    /**
     * Issue 13: many readers, alternating writes; a load that started before a write's
     * invalidation finishes after it (the loader is slow on purpose). Every acknowledged write is
     * visible to the next read on the same instance, and on another instance within the bound of
     * a pub/sub message (asserted at 2 s), never stale after that.
     */
    @Test
    void a_read_never_stores_what_a_write_has_already_replaced() throws Exception {
        String redis = TestServers.isolatedRedisUri();
        AdminCache a = cache(redis);
        AdminCache b = cache(redis);
        java.util.concurrent.atomic.AtomicInteger database = new java.util.concurrent.atomic.AtomicInteger();
        CacheKey k = key("raced");
        java.util.function.Supplier<Item> slowLoader = () -> {
            int seen = database.get();
            sleep(3); // widens the race window (the write lands here); no assertion waits on it
            return new Item("v", seen, List.of());
        };
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        ExecutorService readers = Executors.newFixedThreadPool(8);
        List<Future<?>> running = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            AdminCache on = t % 2 == 0 ? a : b;
            running.add(readers.submit(() -> {
                while (!stop.get()) {
                    on.get(k, Item.class, slowLoader);
                }
            }));
        }
        List<String> stale = new ArrayList<>();
        try {
            for (int write = 1; write <= 60; write++) {
                database.set(write); // the write, committed
                a.invalidate(k); // its invalidation: the write is acknowledged after this
                int sameInstance = a.get(k, Item.class, slowLoader).version();
                if (sameInstance < write) {
                    stale.add("write " + write + ": same instance read " + sameInstance);
                }
                int finalWrite = write;
                long deadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
                while (b.get(k, Item.class, slowLoader).version() < finalWrite) {
                    if (System.nanoTime() > deadline) {
                        stale.add("write " + write + ": the other instance still stale after 2 s");
                        break;
                    }
                    sleep(5);
                }
            }
        } finally {
            stop.set(true);
            for (Future<?> f : running) {
                f.get(30, java.util.concurrent.TimeUnit.SECONDS);
            }
            readers.shutdown();
        }
        assertThat(stale)
                .as("redis " + a.stats().redis() + " errors " + a.stats().redisErrors() + "/"
                        + b.stats().redisErrors())
                .isEmpty();
        assertThat(a.get(k, Item.class, slowLoader).version()).isEqualTo(60);
        assertThat(b.get(k, Item.class, slowLoader).version()).isEqualTo(60);
    }

    /**
     * Issue 13: Redis frozen (SIGSTOP: connections stay open, nothing answers) while a write is
     * made. The write's instance reads the new value at once (L2 bypassed while the invalidation is
     * pending); the other instance, which missed the message, drops its L1 when Redis answers
     * again, and the kept invalidation is replayed; both then read the new value.
     */
    @Test
    void an_invalidation_made_while_redis_is_frozen_is_kept_replayed_and_no_l1_stays_stale() throws Exception {
        int port = io.chronoperf.runtime.EmbeddedRedis.freePort();
        java.util.Set<Long> before = redisChildren();
        io.chronoperf.runtime.EmbeddedRedis redis = io.chronoperf.runtime.EmbeddedRedis.start(port);
        java.util.Set<Long> started = redisChildren();
        started.removeAll(before);
        assertThat(started).as("the test's own redis-server").hasSize(1);
        long pid = started.iterator().next();
        try {
            AdminCache a = cache("redis://127.0.0.1:" + port, Duration.ofMillis(300));
            AdminCache b = cache("redis://127.0.0.1:" + port, Duration.ofMillis(300));
            AtomicInteger database = new AtomicInteger(1);
            CacheKey k = key("frozen");
            java.util.function.Supplier<Item> loader = () -> new Item("v", database.get(), List.of());
            assertThat(a.get(k, Item.class, loader).version()).isEqualTo(1);
            assertThat(b.get(k, Item.class, loader).version()).isEqualTo(1);

            signal(pid, "STOP");
            for (int i = 0; i < 8; i++) { // traffic during the stall: timeouts open the circuit breaker
                a.get(
                        CacheKey.builder("admin:", users, "during")
                                .param("n", i)
                                .build(),
                        Item.class,
                        () -> new Item("x", 0, List.of()));
            }
            database.set(2);
            a.invalidate(k); // Redis takes nothing: timed out or refused by the open breaker
            assertThat(a.get(k, Item.class, loader).version())
                    .as("the writing instance")
                    .isEqualTo(2);
            signal(pid, "CONT");

            await(() -> b.get(k, Item.class, loader).version() == 2, Duration.ofSeconds(20));
            await(() -> a.get(k, Item.class, loader).version() == 2, Duration.ofSeconds(20));
            assertThat(b.get(k, Item.class, loader).version()).isEqualTo(2);
            assertThat(a.get(k, Item.class, loader).version()).isEqualTo(2);
        } finally {
            signal(pid, "CONT");
            redis.close();
        }
    }

    private static java.util.Set<Long> redisChildren() {
        java.util.Set<Long> pids = new java.util.HashSet<>();
        ProcessHandle.current()
                .descendants()
                .filter(p ->
                        p.info().command().map(c -> c.contains("redis-server")).orElse(false))
                .forEach(p -> pids.add(p.pid()));
        return pids;
    }

    private static void signal(long pid, String signal) throws Exception {
        Process p = new ProcessBuilder("kill", "-" + signal, Long.toString(pid))
                .redirectErrorStream(true)
                .start();
        p.getInputStream().readAllBytes();
        p.waitFor();
    }

    /** Issue 12: a Redis that refuses at start never stops the cache from being built and used. */
    @Test
    void a_cache_built_while_redis_refuses_serves_from_l1_and_uses_l2_once_redis_answers() {
        int port = io.chronoperf.runtime.EmbeddedRedis.freePort();
        AdminCache c = cache("redis://127.0.0.1:" + port);
        assertThat(c.stats().redis()).isEqualTo(CacheStats.RedisState.DEGRADED);
        AtomicInteger loads = new AtomicInteger();
        CacheKey k = key("late");
        assertThat(c.get(k, Item.class, () -> new Item("a", loads.incrementAndGet(), List.of()))
                        .version())
                .isEqualTo(1);
        io.chronoperf.runtime.EmbeddedRedis redis = io.chronoperf.runtime.EmbeddedRedis.start(port);
        try {
            await(
                    () -> c.stats().redis() == CacheStats.RedisState.UP,
                    Duration.ofSeconds(60)); // retries back off to 30 s
            c.get(
                    CacheKey.builder("admin:", users, "after").param("id", 2).build(),
                    Item.class,
                    () -> new Item("b", 1, List.of()));
            assertThat(c.stats().namespaces().get(users).l2Keys()).isPositive();
        } finally {
            redis.close();
        }
    }

    private static void await(BooleanSupplier condition) {
        await(condition, Duration.ofSeconds(30));
    }

    private static void await(BooleanSupplier condition, Duration bound) {
        long deadline = System.nanoTime() + bound.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within " + bound.toSeconds() + " s");
            }
            sleep(20);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void an_expired_entry_is_served_with_its_age_only_while_the_database_is_away() {
        AdminCache a = cache(null);
        AtomicInteger loads = new AtomicInteger();
        a.get(key("stale"), Item.class, () -> new Item("x", loads.incrementAndGet(), List.of()));
        clock.advance(Duration.ofMinutes(6)); // past the 5-minute TTL, within the one-hour grace
        StaleReads.begin();
        try {
            Item stale = a.get(key("stale"), Item.class, () -> {
                throw new RuntimeException(new java.sql.SQLTransientConnectionException("pool timeout", "08001"));
            });

            assertThat(stale.version()).isEqualTo(1);
            assertThat(StaleReads.maxAgeMillis())
                    .isEqualTo(Duration.ofMinutes(6).toMillis());
            assertThat(a.stats().namespaces().get(users).staleServed()).isEqualTo(1);
            // a fault that is not an outage is never hidden
            assertThatThrownBy(() -> a.get(key("stale"), Item.class, () -> {
                        throw new IllegalStateException("a bug");
                    }))
                    .isInstanceOf(IllegalStateException.class);
            // the database answers again: the reload wins
            assertThat(a.get(key("stale"), Item.class, () -> new Item("x", loads.incrementAndGet(), List.of()))
                            .version())
                    .isEqualTo(2);
            // an invalidated entry is gone: never served stale, whatever happens to the database
            a.invalidate(key("stale"));
            clock.advance(Duration.ofMinutes(6));
            assertThatThrownBy(() -> a.get(key("stale"), Item.class, () -> {
                        throw new RuntimeException(
                                new java.sql.SQLTransientConnectionException("pool timeout", "08001"));
                    }))
                    .hasRootCauseInstanceOf(java.sql.SQLTransientConnectionException.class);
        } finally {
            StaleReads.end();
        }
        assertThat(StaleReads.maxAgeMillis()).isEqualTo(-1);
    }
}
