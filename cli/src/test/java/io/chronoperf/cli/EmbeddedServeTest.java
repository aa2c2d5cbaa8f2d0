package io.chronoperf.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.chronoperf.runtime.Setting;
import io.chronoperf.runtime.Settings;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's first command, as a user meets it: serve with nothing set but a fresh home (as
 * root in CI: the embedded PostgreSQL then runs as the system account chrono-perf), migrations,
 * demo data, an authenticated read, a write; then a restart on the same home that keeps the data.
 * Also: a second serve on the same home is refused in one line, and Redis where nothing listens
 * leaves the server up on L1 with the cache said to be degraded.
 */
class EmbeddedServeTest {
    @TempDir
    Path home;

    private final HttpClient http = HttpClient.newHttpClient();

    /** As root the data lives outside the home, under /var/lib/chrono-perf: removed with the test's home. */
    @org.junit.jupiter.api.AfterEach
    void removeData() throws java.io.IOException {
        Path base = io.chronoperf.runtime.EmbeddedDatabase.dataDirectory(home).getParent();
        if (!base.startsWith(home) && java.nio.file.Files.exists(base)) {
            try (var walk = java.nio.file.Files.walk(base)) {
                for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    java.nio.file.Files.deleteIfExists(p);
                }
            }
        }
    }

    @Test
    void serve_with_nothing_set_starts_reads_and_keeps_its_data_across_a_restart() throws Exception {
        Settings settings = settings(Map.of());
        String lockedUser;
        try (ServeCommand.Running first = ServeCommand.start(settings, Map.of(), "small")) {
            assertThat(first.services().database().embedded()).isTrue();
            HttpResponse<String> dashboard = get(first, "/api/v1/admin/users/dashboard");
            assertThat(dashboard.statusCode()).as(dashboard.body()).isEqualTo(200);
            assertThat(dashboard.body()).contains("total");
            HttpResponse<String> lock = http.send(
                    HttpRequest.newBuilder(URI.create(url(first, "/api/v1/admin/users/5/lock")))
                            .header("Authorization", "Bearer " + first.adminToken())
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString("{\"reason\": \"kept across a restart\"}"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(lock.statusCode()).as(lock.body()).isIn(200, 409);
            lockedUser = get(first, "/api/v1/admin/users/5").body();

            // a second serve on the same home: one line, exit status 4
            Failures.Described second = describe(
                    () -> ServeCommand.start(settings, Map.of(), "small").close());
            assertThat(second.line())
                    .contains("in use by another chrono-perf process")
                    .doesNotContain("\n");
            assertThat(second.code().exitStatus()).isEqualTo(4);
        }
        try (ServeCommand.Running again = ServeCommand.start(settings, Map.of(), "small")) {
            HttpResponse<String> user = get(again, "/api/v1/admin/users/5");
            assertThat(user.statusCode()).isEqualTo(200);
            assertThat(user.body()).contains("\"is_locked\":true").contains("kept across a restart");
            assertThat(user.body()).isEqualTo(lockedUser);
        }
    }

    @Test
    void redis_where_nothing_listens_leaves_the_server_up_and_the_cache_degraded() throws Exception {
        Settings settings = settings(Map.of(Setting.REDIS_URL, "redis://127.0.0.1:1"));
        try (ServeCommand.Running running = ServeCommand.start(settings, Map.of(), "small")) {
            assertThat(get(running, "/api/v1/admin/users/dashboard").statusCode())
                    .isEqualTo(200);
            assertThat(get(running, "/api/v1/admin/performance/cache/stats").body())
                    .contains("\"redis\":\"degraded\"");
            HttpResponse<String> health = http.send(
                    HttpRequest.newBuilder(URI.create(url(running, "/actuator/health")))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(health.body()).contains("DEGRADED");
        }
    }

    private Settings settings(Map<Setting, String> more) {
        Map<Setting, String> flags = new EnumMap<>(Setting.class);
        flags.put(Setting.HOME, home.toString());
        flags.put(Setting.PORT, "0");
        flags.putAll(more);
        return Settings.from(Map.of(), flags); // nothing from the environment: the defaults
    }

    private String url(ServeCommand.Running r, String path) {
        return "http://127.0.0.1:" + r.port() + path;
    }

    private HttpResponse<String> get(ServeCommand.Running r, String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(url(r, path)))
                        .header("Authorization", "Bearer " + r.adminToken())
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static Failures.Described describe(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            return Failures.describe(e);
        }
        throw new AssertionError("the second start succeeded");
    }
}
