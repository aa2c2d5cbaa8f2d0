package io.chronoperf.server;

import io.chronoperf.server.security.TokenIssuer;
import io.chronoperf.testkit.TestDatabase;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * The real server on a free port over a database of its own with small demo data, and an HTTP
 * client to talk to it (in the manner of JavalinTest). One per test class.
 */
public final class ServerFixture implements BeforeAllCallback, AfterAllCallback {
    public static final String SECRET = "test-secret-that-is-long-enough-for-hs256-0123456789";

    private final TestDatabase db;
    private final java.util.List<String> existing;
    private boolean faulty;
    private String redisUri;
    private java.util.function.Supplier<Map<String, Object>> extra = Map::of;
    private io.chronoperf.testkit.FaultyLink link;
    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();
    private ConfigurableApplicationContext context;
    private String base;
    private TokenIssuer tokens;

    /** The server on a database of its own (it installs the admin platform and small demo data). */
    public ServerFixture() {
        this(java.util.List.of());
    }

    private ServerFixture(java.util.List<String> existing) {
        this(existing, new TestDatabase());
    }

    private ServerFixture(java.util.List<String> existing, TestDatabase db) {
        this.existing = existing;
        this.db = db;
    }

    /** The server on a database of its own on another PostgreSQL server (a private one the test started). */
    public static ServerFixture onServer(java.util.function.Supplier<io.chronoperf.runtime.DatabaseEndpoint> server) {
        return new ServerFixture(java.util.List.of(), new TestDatabase(server));
    }

    /**
     * The server on a database that already holds another application's objects, made by these
     * statements before the server starts (chrono-perf then only watches it).
     */
    public static ServerFixture onDatabaseHolding(String... statements) {
        return new ServerFixture(java.util.List.of(statements));
    }

    /**
     * The server reaches its database through a {@link io.chronoperf.testkit.FaultyLink} that the
     * test can cut ({@link #link()}): a database outage as the server meets it.
     */
    public ServerFixture throughFaultyLink() {
        this.faulty = true;
        return this;
    }

    /** More properties for the server, computed just before it starts (after the test's other fixtures). */
    public ServerFixture withProperties(java.util.function.Supplier<Map<String, Object>> more) {
        this.extra = more;
        return this;
    }

    /** The Redis this server's cache uses (a second server process can share it). */
    public String redisUri() {
        return redisUri;
    }

    /** The link to the database (only with {@link #throughFaultyLink()}). */
    public io.chronoperf.testkit.FaultyLink link() {
        return link;
    }

    @Override
    public void beforeAll(ExtensionContext extension) throws IOException {
        db.create();
        if (!existing.isEmpty()) {
            try (java.sql.Connection c = db.dataSource().getConnection();
                    java.sql.Statement s = c.createStatement()) {
                for (String sql : existing) {
                    s.execute(sql);
                }
            } catch (java.sql.SQLException e) {
                throw new IllegalStateException(e);
            }
        }
        Map<String, Object> props = new HashMap<>();
        String url = db.endpoint().jdbcUrl();
        if (faulty) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("jdbc:postgresql://([^:/]+):(\\d+)/(.*)")
                    .matcher(url);
            if (!m.matches()) {
                throw new IllegalStateException("cannot route " + url + " through a link");
            }
            link = new io.chronoperf.testkit.FaultyLink(m.group(1), Integer.parseInt(m.group(2)));
            url = "jdbc:postgresql://127.0.0.1:" + link.port() + "/" + m.group(3);
        }
        props.put("spring.datasource.url", url);
        props.put("spring.datasource.username", db.endpoint().user());
        if (db.endpoint().password() != null) {
            props.put("spring.datasource.password", db.endpoint().password());
        }
        props.put("server.port", "0");
        props.put("chrono-perf.token-secret", SECRET);
        props.put(
                "chrono-perf.home",
                Files.createTempDirectory("chrono-perf-home").toString());
        if (existing.isEmpty()) {
            props.put("chrono-perf.seed-if-empty", "small");
        }
        // The platform itself must have no N+1: the whole API suite runs in strict fail mode.
        props.put("chrono-perf.n-plus-one.strict", "fail");
        // Background tasks hold their lock 1 s at least in production; tests run them back to back.
        props.put("chrono-perf.tasks.lock-at-least-for", "PT0S");
        redisUri = io.chronoperf.testkit.TestServers.isolatedRedisUri();
        props.put("chrono-perf.redis-url", redisUri);
        props.putAll(extra.get());
        context = ChronoPerfServer.start(props);
        int port = ((WebServerApplicationContext) context).getWebServer().getPort();
        base = "http://127.0.0.1:" + port;
        tokens = new TokenIssuer(SECRET.getBytes(java.nio.charset.StandardCharsets.UTF_8), Clock.systemUTC());
    }

    @Override
    public void afterAll(ExtensionContext extension) {
        if (context != null) {
            context.close();
        }
        if (link != null) {
            try {
                link.close();
            } catch (IOException ignored) {
                // the test is over
            }
        }
        db.drop();
    }

    /** A bean of the running server (to trigger scheduled work at once in a test). */
    public <T> T bean(Class<T> type) {
        return context.getBean(type);
    }

    /** The absolute URL of a path on the running server. */
    public String url(String path) {
        return base + path;
    }

    public TestDatabase database() {
        return db;
    }

    public String token(String role) {
        return tokens.issue(role, Duration.ofMinutes(10), "test-" + role, 1);
    }

    /** A response with its body parsed when it is JSON. */
    public record Response(
            int status, String contentType, String body, JsonNode json, java.net.http.HttpHeaders headers) {}

    public Response get(String path, String token) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).GET(), token);
    }

    public Response post(String path, String body, String token) {
        return send(
                HttpRequest.newBuilder(URI.create(base + path))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body == null ? "" : body)),
                token);
    }

    /** The issuer of the server's tokens (to make expired or odd ones in tests). */
    public TokenIssuer tokens() {
        return tokens;
    }

    /** Sends any request, with the token when one is given. */
    public Response send(HttpRequest.Builder request, String token) {
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        try {
            HttpResponse<String> r = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            String type = r.headers().firstValue("Content-Type").orElse("");
            JsonNode node = null;
            if (type.contains("json") && !r.body().isEmpty()) {
                try {
                    node = json.readTree(r.body());
                } catch (RuntimeException notJson) {
                    node = null; // the test sees the body
                }
            }
            JsonNode node2 = node;
            return new Response(r.statusCode(), type, r.body(), node2, r.headers());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
