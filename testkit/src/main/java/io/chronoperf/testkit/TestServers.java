package io.chronoperf.testkit;

import io.chronoperf.runtime.DatabaseEndpoint;
import io.chronoperf.runtime.EmbeddedDatabase;
import io.chronoperf.runtime.EmbeddedRedis;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.sql.Connection;

/**
 * The real servers the tests talk to, one of each per JVM, chosen in this order:
 * <ol>
 *   <li>{@code CHRONO_PERF_TEST_DB_URL} / {@code CHRONO_PERF_TEST_REDIS_URL} when set;</li>
 *   <li>the local servers of the development and CI machines (PostgreSQL on 127.0.0.1:5432 as
 *       user postgres, Redis on 127.0.0.1:6379) when they answer;</li>
 *   <li>otherwise the embedded ones (a fresh machine with only a JDK and Maven).</li>
 * </ol>
 * Never a mock: every test runs against a real PostgreSQL and a real Redis.
 */
public final class TestServers {
    private static DatabaseEndpoint postgres;
    private static String redis;

    private TestServers() {}

    /** An endpoint on the server's maintenance database, from which test databases are created. */
    public static synchronized DatabaseEndpoint postgres() {
        if (postgres == null) {
            postgres = findPostgres();
        }
        return postgres;
    }

    public static synchronized String redisUri() {
        if (redis == null) {
            redis = findRedis();
        }
        return redis;
    }

    private static DatabaseEndpoint findPostgres() {
        String url = System.getenv("CHRONO_PERF_TEST_DB_URL");
        if (url != null && !url.isBlank()) {
            return DatabaseEndpoint.external(
                    url, System.getenv("CHRONO_PERF_TEST_DB_USER"), System.getenv("CHRONO_PERF_TEST_DB_PASSWORD"));
        }
        DatabaseEndpoint local = new DatabaseEndpoint(
                "jdbc:postgresql://127.0.0.1:5432/postgres?connectTimeout=2", "postgres", null, false);
        if (listening(5432)) {
            try (Connection c = local.connect()) {
                if (c.isValid(2)) {
                    return local;
                }
            } catch (Exception notUsable) {
                // fall through to the embedded server
            }
        }
        try {
            EmbeddedDatabase embedded = EmbeddedDatabase.start(Files.createTempDirectory("chrono-perf-test-pg"));
            Runtime.getRuntime().addShutdownHook(new Thread(embedded::close, "test-postgres-stop"));
            return embedded.endpoint().withDatabase("postgres");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static int nextRedisDatabase = 1;

    /**
     * A Redis logical database of its own (1 to 15, emptied first), for a test that must not see
     * another test's keys (two servers over different test databases would otherwise share the
     * same admin:* keys). Pub/sub is server-wide, so invalidation messages still cross over;
     * that only costs extra evictions.
     */
    public static synchronized String isolatedRedisUri() {
        int db = nextRedisDatabase;
        nextRedisDatabase = nextRedisDatabase % 15 + 1;
        String uri = redisUri() + "/" + db;
        io.lettuce.core.RedisClient client = io.lettuce.core.RedisClient.create(uri);
        try (var c = client.connect()) {
            c.sync().flushdb();
        } finally {
            client.shutdown();
        }
        return uri;
    }

    private static String findRedis() {
        String url = System.getenv("CHRONO_PERF_TEST_REDIS_URL");
        if (url != null && !url.isBlank()) {
            return url;
        }
        if (listening(6379)) {
            return "redis://127.0.0.1:6379";
        }
        EmbeddedRedis embedded = EmbeddedRedis.start();
        Runtime.getRuntime().addShutdownHook(new Thread(embedded::close, "test-redis-stop"));
        return embedded.uri();
    }

    private static boolean listening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
