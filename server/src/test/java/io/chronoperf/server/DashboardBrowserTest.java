package io.chronoperf.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.chronoperf.server.schedule.TasksConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard page in a real headless Chromium (Debian's chromium and chromium-driver, which
 * .ci/services installs): sign-in with a token, the score, the tables and every chart drawn with
 * data from the stored history, the live stream; screenshots in server/target/screenshots.
 */
class DashboardBrowserTest {
    @RegisterExtension
    @org.junit.jupiter.api.Order(1)
    static final io.chronoperf.testkit.TestDatabase other = new io.chronoperf.testkit.TestDatabase();

    @RegisterExtension
    @org.junit.jupiter.api.Order(2)
    static final ServerFixture server = new ServerFixture().withProperties(() -> {
        var e = other.endpoint();
        return java.util.Map.of(
                "chrono-perf.watch",
                "other=" + e.jdbcUrl() + (e.jdbcUrl().contains("?") ? "&" : "?") + "user=" + e.user()
                        + (e.password() == null ? "" : "&password=" + e.password()));
    });

    static WebDriver browser;
    static final Path SHOTS = Path.of("target", "screenshots");

    @BeforeAll
    static void start() throws Exception {
        // history for the charts: a few samples with traffic and slow statements in between
        TasksConfig.BackgroundTasks tasks = server.bean(TasksConfig.BackgroundTasks.class);
        try (Connection c = server.database().dataSource().getConnection();
                Statement s = c.createStatement()) {
            s.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
            for (int i = 0; i < 4; i++) {
                tasks.sample();
                for (int k = 0; k < 3; k++) {
                    server.get("/api/v1/admin/users/dashboard", server.token("viewer"));
                    server.get("/api/v1/admin/security-events/top-ips?hours=24", server.token("viewer"));
                }
                s.execute("SELECT pg_sleep(0.25), 'slow dashboard probe'");
                Thread.sleep(
                        300); // spaces the samples on the charts' time axis (no lock to wait out: the fixture injects
                // PT0S)
            }
            tasks.sample();
            tasks.health();
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary("/usr/bin/chromium");
        options.addArguments(
                "--headless=new",
                "--no-sandbox",
                "--disable-dev-shm-usage",
                "--disable-gpu",
                "--window-size=1400,2200");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new java.io.File("/usr/bin/chromedriver"))
                .usingAnyFreePort()
                .build();
        browser = new ChromeDriver(service, options);
        browser.manage().window().setSize(new Dimension(1400, 2200));
        Files.createDirectories(SHOTS);
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.quit();
        }
    }

    @Test
    void a_person_signs_in_and_sees_the_score_the_tables_and_every_chart_with_data() throws Exception {
        browser.get(server.url("/admin/performance"));
        shot("1-sign-in");
        browser.findElement(By.id("token")).sendKeys(server.token("admin"));
        browser.findElement(By.cssSelector("#sign-in-form button")).click();

        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(20));
        wait.until(d -> d.findElement(By.id("app")).isDisplayed()
                && !d.findElement(By.id("score")).getText().equals("–"));
        double score = Double.parseDouble(browser.findElement(By.id("score")).getText());
        assertThat(score).isBetween(0.0, 100.0);
        assertThat(browser.findElement(By.id("status")).getText()).isIn("HEALTHY", "WARNING", "CRITICAL");
        // HypoPG is not created in the test database: named, with the command that adds it
        assertThat(browser.findElement(By.id("blind-spots")).getText())
                .contains("hypopg")
                .contains("CREATE EXTENSION hypopg;");
        // the tile says which window its ratio covers: the last interval, or (no block touched in it) since the reset
        assertThat(browser.findElement(By.id("t-cache-k")).getText())
                .containsAnyOf("over the last", "since the statistics");
        assertThat(browser.findElement(By.id("services")).getText())
                .contains("database: up")
                .contains("redis: up");
        assertThat(browser.findElement(By.id("replicas-summary")).getText()).contains("none configured");
        assertThat(browser.findElement(By.id("tasks")).getText())
                .contains("monitor-sampling")
                .contains("cache-warming");

        JavascriptExecutor js = (JavascriptExecutor) browser;
        for (String chart :
                new String[] {"chart-connections", "chart-tps", "chart-cache", "chart-p95", "chart-namespaces"}) {
            wait.until(d -> Boolean.TRUE.equals(js.executeScript(
                    "const c = window.chronoPerf.charts[arguments[0]]; return !!c && c.data.datasets.length > 0"
                            + " && c.data.datasets.some(s => s.data.filter(v => v !== null && v !== undefined).length "
                            + "> 0);",
                    chart)));
            // drawn: the canvas holds non-transparent pixels
            Object painted = js.executeScript(
                    "const cv = document.getElementById(arguments[0]); const ctx = cv.getContext('2d');"
                            + " const px = ctx.getImageData(0, 0, cv.width, cv.height).data; let n = 0;"
                            + " for (let i = 3; i < px.length; i += 4) { if (px[i] > 0) n++; } return n;",
                    chart);
            assertThat(((Number) painted).longValue())
                    .as(chart + " painted pixels")
                    .isGreaterThan(500);
        }
        assertThat(browser.findElement(By.id("slow")).getText()).contains("pg_sleep");
        assertThat(browser.findElement(By.id("namespaces")).getText()).contains("dashboard");

        wait.until(d -> d.findElement(By.id("live-text")).getText().equals("live"));
        wait.until(d -> js.executeScript("return window.chronoPerf.state.lastEvent") != null);
        shot("2-dashboard");

        wait.until(
                d -> { // the table is re-rendered every 15 s: retry a click that met the old one
                    try {
                        d.findElement(By.cssSelector("#slow tbody tr.clickable"))
                                .click();
                        return true;
                    } catch (org.openqa.selenium.StaleElementReferenceException again) {
                        return false;
                    }
                });
        wait.until(d -> d.findElement(By.id("analysis")).getText().contains("Plan summary"));
        wait.until(d -> d.findElement(By.id("analysis")).getText().contains("(cost=")); // the plan tree
        wait.until(d -> d.findElement(By.id("analysis")).getText().contains("Its last 24 hours")); // and its history
        shot("3-slow-query-analysis");

        // the database switcher: a watched database's own health (its history kept in its own schema)
        assertThat(browser.findElement(By.id("database")).isDisplayed()).isTrue();
        new org.openqa.selenium.support.ui.Select(browser.findElement(By.id("database"))).selectByValue("other");
        wait.until(d -> d.findElement(By.id("services")).getText().contains("history:"));
        assertThat(browser.findElement(By.id("services")).getText()).contains("database: up");
        assertThat(browser.findElement(By.id("score")).getText()).matches("\\d+(\\.\\d)?");
        shot("4-watched-database");
        new org.openqa.selenium.support.ui.Select(browser.findElement(By.id("database"))).selectByValue("main");
        wait.until(d -> d.findElement(By.id("services")).getText().contains("redis:"));

        // the pgHero-style pages
        wait.until(d -> d.findElement(By.id("page-table")).getText().contains("public.users")); // Space, shown first
        browser.findElement(By.cssSelector("#page-tabs button[data-page='maintenance']"))
                .click();
        wait.until(d -> d.findElement(By.id("page-note")).getText().contains("transaction-ID age"));
        browser.findElement(By.cssSelector("#page-tabs button[data-page='settings']"))
                .click();
        wait.until(d -> d.findElement(By.id("page-table")).getText().contains("shared_buffers"));
        browser.findElement(By.cssSelector("#page-tabs button[data-page='connections']"))
                .click();
        wait.until(d -> d.findElement(By.id("page-table")).getText().contains("chrono-perf-server"));
        ((org.openqa.selenium.JavascriptExecutor) browser)
                .executeScript("document.getElementById('pages').scrollIntoView()");
        shot("5-database-pages");
    }

    @Test
    void a_wrong_token_is_refused_with_a_sentence() {
        browser.get(server.url("/admin/performance"));
        js("sessionStorage.clear()");
        browser.navigate().refresh();
        browser.findElement(By.id("token")).sendKeys("not-a-token");
        browser.findElement(By.cssSelector("#sign-in-form button")).click();
        new WebDriverWait(browser, Duration.ofSeconds(10))
                .until(d -> !d.findElement(By.id("sign-in-error")).getText().isEmpty());
        assertThat(browser.findElement(By.id("sign-in-error")).getText()).contains("sign in again");
        assertThat(browser.findElement(By.id("app")).isDisplayed()).isFalse();
    }

    private static Object js(String script) {
        return ((JavascriptExecutor) browser).executeScript(script);
    }

    private static void shot(String name) throws Exception {
        Files.write(SHOTS.resolve(name + ".png"), ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
    }
}
