package io.chronoperf.monitor.alert;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.chronoperf.monitor.Metric;
import io.chronoperf.monitor.MonitorSchema;
import io.chronoperf.monitor.Observation;
import io.chronoperf.testkit.TestDatabase;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Alerts stored in PostgreSQL, fired and resolved with hysteresis, sent to a real HTTP receiver. */
class AlertsTest {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    static HttpServer receiver;
    static final LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();
    Instant now = Instant.parse("2026-11-28T10:00:00Z");

    @BeforeAll
    static void start() throws IOException {
        MonitorSchema.migrate(db.dataSource());
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/", exchange -> {
            received.add(exchange.getRequestURI().getPath() + " "
                    + new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        receiver.start();
    }

    @AfterAll
    static void stop() {
        receiver.stop(0);
    }

    @BeforeEach
    void clean() throws SQLException {
        try (Connection c = db.dataSource().getConnection()) {
            c.createStatement().execute("TRUNCATE chrono_perf.alerts");
        }
        received.clear();
    }

    Alerts alerts(String path, WebhookSink.Format format) {
        URI uri = URI.create("http://127.0.0.1:" + receiver.getAddress().getPort() + path);
        return new Alerts(Rule.defaults(), List.of(new LogSink(), new WebhookSink(uri, format)));
    }

    List<Alert> observe(Alerts alerts, Metric m, double value) throws SQLException {
        now = now.plusSeconds(30);
        try (Connection c = db.dataSource().getConnection()) {
            return alerts.evaluate(c, Observation.at(now).put(m, value).build());
        }
    }

    /** The next body sent to {@code path}; bodies sent late by an earlier test to other paths are skipped. */
    static String next(String path, long millis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + millis;
        for (long left = millis; left > 0; left = deadline - System.currentTimeMillis()) {
            String body = received.poll(left, TimeUnit.MILLISECONDS);
            if (body != null && body.startsWith(path + " ")) {
                return body;
            }
        }
        return null;
    }

    List<Alert> stored() throws SQLException {
        try (Connection c = db.dataSource().getConnection()) {
            return alerts("/x", WebhookSink.Format.GENERIC).list(c, now.minus(Duration.ofDays(1)), 100);
        }
    }

    @Test
    void a_low_cache_hit_ratio_fires_once_stays_open_inside_the_hysteresis_band_and_resolves_past_it()
            throws Exception {
        Alerts alerts = alerts("/generic", WebhookSink.Format.GENERIC);

        List<Alert> fired = observe(alerts, Metric.CACHE_HIT_RATIO_PCT, 85);
        assertThat(fired).singleElement().satisfies(a -> {
            assertThat(a.rule()).isEqualTo("cache_hit_ratio_low");
            assertThat(a.state()).isEqualTo("firing");
            assertThat(a.threshold()).isEqualTo(90);
        });
        String body = next("/generic", 5000);
        assertThat(body)
                .startsWith("/generic ")
                .contains("\"source\":\"chrono-perf\"")
                .contains("cache_hit_ratio_low")
                .contains("\"state\":\"firing\"");

        assertThat(observe(alerts, Metric.CACHE_HIT_RATIO_PCT, 80)).isEmpty(); // still firing: no repeat
        assertThat(observe(alerts, Metric.CACHE_HIT_RATIO_PCT, 91)).isEmpty(); // above 90, below the 92 resolve line
        assertThat(stored()).singleElement().satisfies(a -> {
            assertThat(a.state()).isEqualTo("firing");
            assertThat(a.peak()).isEqualTo(80);
            assertThat(a.value()).isEqualTo(91);
        });

        List<Alert> resolved = observe(alerts, Metric.CACHE_HIT_RATIO_PCT, 93);
        assertThat(resolved).singleElement().satisfies(a -> {
            assertThat(a.state()).isEqualTo("resolved");
            assertThat(a.resolvedAt()).isNotNull();
        });
        assertThat(next("/generic", 5000)).contains("\"state\":\"resolved\"");
        assertThat(stored())
                .singleElement()
                .satisfies(a -> assertThat(a.state()).isEqualTo("resolved"));

        observe(alerts, Metric.CACHE_HIT_RATIO_PCT, 70); // a new episode is a new alert
        assertThat(stored())
                .hasSize(2)
                .first()
                .satisfies(a -> assertThat(a.state()).isEqualTo("firing"));
    }

    @Test
    void two_instances_evaluating_the_same_breach_open_one_alert_and_notify_once() throws Exception {
        Alerts first = alerts("/a", WebhookSink.Format.GENERIC);
        Alerts second = alerts("/b", WebhookSink.Format.GENERIC);

        assertThat(observe(first, Metric.MEAN_QUERY_MS, 450)).hasSize(1);
        assertThat(observe(second, Metric.MEAN_QUERY_MS, 460)).isEmpty();

        assertThat(stored()).singleElement().satisfies(a -> assertThat(a.rule()).isEqualTo("mean_query_time_high"));
        assertThat(next("/a", 5000)).contains("mean_query_time_high");
        assertThat(next("/b", 500)).isNull();
    }

    @Test
    void the_slack_payload_is_a_text_message_and_an_absent_metric_changes_nothing() throws Exception {
        Alerts alerts = alerts("/slack", WebhookSink.Format.SLACK);

        observe(alerts, Metric.HEALTH_SCORE, 42);
        assertThat(stored())
                .extracting(Alert::rule)
                .containsExactlyInAnyOrder("health_score_low", "health_score_critical");
        String a = next("/slack", 5000);
        String b = next("/slack", 5000);
        assertThat(List.of(a, b))
                .allSatisfy(
                        body -> assertThat(body).startsWith("/slack {\"text\":").contains("FIRING"));

        observe(alerts, Metric.CONNECTIONS, 3); // no health score in this observation: the alerts stay open
        assertThat(stored()).allSatisfy(x -> assertThat(x.state()).isEqualTo("firing"));
    }

    @Test
    void a_rule_whose_resolve_line_is_on_the_wrong_side_is_refused() {
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> new Rule("bad", Metric.CACHE_HIT_RATIO_PCT, false, 90, 85, "warning", "x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("healthy side");
    }

    @Test
    void a_watched_databases_alerts_name_it_in_what_the_sinks_get() throws Exception {
        Alerts alerts = alerts("/named", WebhookSink.Format.GENERIC).forDatabase("shop");

        assertThat(observe(alerts, Metric.CACHE_HIT_RATIO_PCT, 85))
                .singleElement()
                .satisfies(a -> assertThat(a.message()).doesNotStartWith("[database")); // what is stored stays as it is
        assertThat(next("/named", 5000)).contains("[database shop] ");
    }
}
