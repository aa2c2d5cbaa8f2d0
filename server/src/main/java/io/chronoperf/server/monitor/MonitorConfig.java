package io.chronoperf.server.monitor;

import io.chronoperf.cache.AdminCache;
import io.chronoperf.monitor.DatabaseCollector;
import io.chronoperf.monitor.History;
import io.chronoperf.monitor.Metric;
import io.chronoperf.monitor.Observation;
import io.chronoperf.monitor.SystemCollector;
import io.chronoperf.monitor.Trends;
import io.chronoperf.monitor.alert.AlertSink;
import io.chronoperf.monitor.alert.Alerts;
import io.chronoperf.monitor.alert.LogSink;
import io.chronoperf.monitor.alert.Rule;
import io.chronoperf.monitor.alert.WebhookSink;
import io.chronoperf.runtime.OwnStatements;
import io.chronoperf.runtime.Setting;
import io.chronoperf.runtime.Settings;
import io.chronoperf.server.config.StateConfig;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.sql.DataSource;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The monitor in the server ({@link MonitorService}); its schedule is in the background tasks
 * (the schedule package). Retention {@code chrono-perf.monitor.retention} (14 days). Alerts go to the log, and to
 * {@code chrono-perf.alerts.webhook-url} when set ({@code chrono-perf.alerts.webhook-format}
 * generic or slack). Every {@link Metric} is a gauge {@code chrono_perf_monitor_<key>}.
 */
@Configuration(proxyBeanMethods = false)
public class MonitorConfig {

    @Bean
    History history(Clock clock) {
        return new History(clock);
    }

    @Bean
    Trends trends(History history, Clock clock) {
        return new Trends(history, clock, Trends.Options.DEFAULT);
    }

    @Bean
    Alerts alerts(Settings settings) {
        String webhook = settings.get(Setting.ALERT_WEBHOOK_URL).orElse("");
        String format = settings.text(Setting.ALERT_WEBHOOK_FORMAT);
        List<AlertSink> sinks = new ArrayList<>(List.of(new LogSink()));
        if (!webhook.isBlank()) {
            sinks.add(
                    new WebhookSink(URI.create(webhook), WebhookSink.Format.valueOf(format.toUpperCase(Locale.ROOT))));
        }
        return new Alerts(Rule.defaults(), sinks);
    }

    @Bean
    MonitorService monitorService(
            DataSource dataSource,
            StateConfig.OwnState ownState,
            AdminCache cache,
            History history,
            Alerts alerts,
            Clock clock,
            MeterRegistry registry,
            Settings settings) {
        Duration retention = settings.duration(Setting.RETENTION);
        Duration longRunning = settings.duration(Setting.LONG_RUNNING);
        DatabaseCollector.Options options = new DatabaseCollector.Options(
                longRunning,
                DatabaseCollector.Options.DEFAULT.unusedIndexMin(),
                DatabaseCollector.Options.DEFAULT.bloatMin(),
                settings.duration(Setting.HYGIENE_UNUSED_AFTER));
        MonitorService service = new MonitorService(
                OwnStatements.marked(dataSource),
                cache,
                history,
                alerts,
                new SystemCollector(),
                clock,
                options,
                retention);
        for (Metric m : Metric.values()) {
            Gauge.builder("chrono_perf.monitor." + m.key(), service, s -> value(s.latest(), m))
                    .description(m.description())
                    .register(registry);
        }
        return service;
    }

    private static double value(Observation o, Metric m) {
        Double v = o == null ? null : o.get(m);
        return v == null ? Double.NaN : v;
    }
}
