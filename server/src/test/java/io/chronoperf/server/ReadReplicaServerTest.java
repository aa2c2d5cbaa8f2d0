package io.chronoperf.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.chronoperf.server.ServerFixture.Response;
import io.chronoperf.server.replica.ReadReplicas;
import io.chronoperf.server.replica.ReadReplicas.Route;
import io.chronoperf.testkit.ReplicatedPostgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;
import tools.jackson.databind.JsonNode;

/**
 * The server with a read replica ({@code CHRONO_PERF_DB_REPLICA_URLS}): a private primary with a
 * streaming replica made by pg_basebackup. The admin API's reads are served by the replica while
 * it keeps up; a read after a write through the API sees the write while the replica's replay is
 * paused; the dashboard shows the replica's lag and where reads went.
 */
class ReadReplicaServerTest {
    @RegisterExtension
    @Order(1)
    static final ReplicatedPostgres pg = new ReplicatedPostgres();

    @RegisterExtension
    @Order(2)
    static final ServerFixture server = ServerFixture.onServer(pg::primary)
            .withProperties(() -> Map.of(
                    "chrono-perf.db-replica-urls",
                    pg.replica()
                            .withDatabase(ReadReplicaServerTest.server
                                    .database()
                                    .endpoint()
                                    .databaseName())
                            .jdbcUrl(),
                    "chrono-perf.db-replica-max-lag",
                    "PT0.5S"));

    @Test
    void admin_reads_are_served_by_the_replica_and_the_dashboard_says_so() throws Exception {
        ReadReplicas routing = server.bean(ReadReplicas.class);
        pg.awaitCaughtUp(Duration.ofSeconds(30));
        awaitServing(routing);
        long before = routing.count(Route.REPLICA);
        String viewer = server.token("viewer");

        for (String path : new String[] {
            "/api/v1/admin/users?approval_status=pending&limit=5",
            "/api/v1/admin/users/security-status",
            "/api/v1/admin/audit-logs?limit=5",
            "/api/v1/admin/security-events/high-risk?limit=5"
        }) {
            Response r = server.get(path, viewer);
            assertThat(r.status()).as(path + ": " + r.body()).isEqualTo(200);
        }

        assertThat(routing.count(Route.REPLICA)).isGreaterThan(before);
        Response dashboard = server.get("/api/v1/admin/performance/dashboard", viewer);
        assertThat(dashboard.status()).as(dashboard.body()).isEqualTo(200);
        JsonNode replicas = dashboard.json().get("replicas");
        assertThat(replicas.get("configured").asBoolean()).isTrue();
        assertThat(replicas.get("reads").get("replica").asLong()).isGreaterThan(before);
        JsonNode replica = replicas.get("replicas").get(0);
        assertThat(replica.get("state").asString()).isEqualTo("SERVING");
        assertThat(replica.get("lag_seconds").asDouble()).isLessThanOrEqualTo(0.5);
        assertThat(replica.get("reads").asLong()).isPositive();
    }

    @Test
    void a_read_after_a_write_sees_the_write_while_the_replica_has_not_replayed_it() throws Exception {
        ReadReplicas routing = server.bean(ReadReplicas.class);
        pg.awaitCaughtUp(Duration.ofSeconds(30));
        awaitServing(routing);
        long user = firstUnlockedUser();
        String admin = server.token("admin");
        Response seen = server.get("/api/v1/admin/users/" + user, admin); // cached, as a page would
        assertThat(seen.json().get("is_locked").asBoolean()).isFalse();
        long onPrimary = routing.count(Route.PRIMARY_REPLICA_BEHIND) + routing.count(Route.PRIMARY_REPLICA_LAGGING);

        pg.pauseReplay();
        try {
            Response locked =
                    server.post("/api/v1/admin/users/" + user + "/lock", "{\"reason\": \"replica test\"}", admin);
            assertThat(locked.status()).as(locked.body()).isEqualTo(200);

            Response after = server.get("/api/v1/admin/users/" + user, admin);
            assertThat(after.status()).isEqualTo(200);
            assertThat(after.json().get("is_locked").asBoolean()).isTrue();
            Response audit = server.get("/api/v1/admin/audit-logs?category=user_management&limit=5", admin);
            assertThat(audit.status()).as(audit.body()).isEqualTo(200);
            assertThat(audit.body()).contains("replica test");
            assertThat(routing.count(Route.PRIMARY_REPLICA_BEHIND) + routing.count(Route.PRIMARY_REPLICA_LAGGING))
                    .isGreaterThan(onPrimary);
        } finally {
            pg.resumeReplay();
        }
    }

    @Test
    void the_dashboard_page_draws_the_replica_and_where_the_reads_went() throws Exception {
        ReadReplicas routing = server.bean(ReadReplicas.class);
        pg.awaitCaughtUp(Duration.ofSeconds(30));
        awaitServing(routing);
        assertThat(server.get("/api/v1/admin/users?limit=7", server.token("viewer"))
                        .status())
                .isEqualTo(200);
        ChromeOptions options = new ChromeOptions();
        options.setBinary("/usr/bin/chromium");
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new java.io.File("/usr/bin/chromedriver"))
                .usingAnyFreePort()
                .build();
        WebDriver browser = new ChromeDriver(service, options);
        try {
            browser.manage().window().setSize(new Dimension(1400, 3000));
            browser.get(server.url("/admin/performance"));
            browser.findElement(By.id("token")).sendKeys(server.token("admin"));
            browser.findElement(By.cssSelector("#sign-in-form button")).click();
            WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(20));
            wait.until(d -> d.findElement(By.id("replicas")).getText().contains("serving"));
            String card = browser.findElement(By.id("replicas-card")).getText();
            assertThat(card)
                    .contains("lag bound 0.5s")
                    .contains(pg.replica().jdbcUrl().replace("/postgres", "/"))
                    .contains("serving");
            assertThat(browser.findElement(By.id("routing")).getText()).contains("replica");
            java.nio.file.Path shots = java.nio.file.Path.of("target", "screenshots");
            java.nio.file.Files.createDirectories(shots);
            java.nio.file.Files.write(
                    shots.resolve("read-replicas.png"),
                    browser.findElement(By.id("replicas-card")).getScreenshotAs(OutputType.BYTES));
        } finally {
            browser.quit();
        }
    }

    @Test
    void the_openapi_description_shows_the_routing_in_the_dashboard_document() {
        Response docs = server.get("/v3/api-docs", null);
        assertThat(docs.status()).isEqualTo(200);
        JsonNode content = docs.json()
                .get("paths")
                .get("/api/v1/admin/performance/dashboard")
                .get("get")
                .get("responses")
                .get("200")
                .get("content");
        String ref = content.iterator().next().get("schema").get("$ref").asString();
        JsonNode dashboard = docs.json().get("components").get("schemas").get(ref.substring(ref.lastIndexOf('/') + 1));
        assertThat(dashboard.get("properties").has("replicas"))
                .as(dashboard.toString())
                .isTrue();
        assertThat(dashboard.get("properties").has("n_plus_one"))
                .as(dashboard.get("properties").propertyNames().toString())
                .isTrue();
    }

    private static long firstUnlockedUser() throws Exception {
        try (Connection c = server.database().dataSource().getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT min(id) FROM users WHERE NOT is_locked AND role = 'user'")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void awaitServing(ReadReplicas routing) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            if (routing.status().replicas().get(0).state() == ReadReplicas.State.SERVING) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the replica does not serve: " + routing.status());
    }
}
