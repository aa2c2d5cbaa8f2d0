package io.chronoperf.server.monitor;

import io.chronoperf.monitor.DatabaseCollector;
import io.chronoperf.monitor.History;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.Scheduled;

/**
 * Snapshots of the application's database into the perf schema every
 * {@code chrono-perf.monitor.sample-interval} (30 s), and the retention clean-up every
 * {@code chrono-perf.monitor.cleanup-interval} (6 h, the seed's) keeping
 * {@code chrono-perf.monitor.retention} (14 days). A failed run is logged and the next one runs.
 * Each instance samples: one-instance-at-a-time scheduling (ShedLock) comes with the integration issue.
 */
@Configuration(proxyBeanMethods = false)
public class MonitorConfig {
    private static final Logger log = LoggerFactory.getLogger(MonitorConfig.class);

    @Bean
    History history(Clock clock) {
        return new History(clock);
    }

    @Bean
    Sampler sampler(DataSource dataSource, History history, @Value("${chrono-perf.monitor.retention:P14D}") Duration retention) {
        return new Sampler(dataSource, history, retention);
    }

    /** The scheduled work. */
    public static final class Sampler {
        private final DataSource dataSource;
        private final History history;
        private final Duration retention;
        private final DatabaseCollector collector = new DatabaseCollector(DatabaseCollector.Options.DEFAULT);

        Sampler(DataSource dataSource, History history, Duration retention) {
            this.dataSource = dataSource;
            this.history = history;
            this.retention = retention;
        }

        public Duration retention() {
            return retention;
        }

        @Scheduled(fixedDelayString = "${chrono-perf.monitor.sample-interval:PT30S}",
                initialDelayString = "${chrono-perf.monitor.sample-interval:PT30S}")
        public void sample() {
            try (Connection c = dataSource.getConnection()) {
                history.sample(c, c, collector);
            } catch (Exception e) {
                log.warn("Monitoring sample failed: {}", e.toString());
            }
        }

        @Scheduled(fixedDelayString = "${chrono-perf.monitor.cleanup-interval:PT6H}",
                initialDelayString = "${chrono-perf.monitor.cleanup-interval:PT6H}")
        public void cleanUp() {
            try (Connection c = dataSource.getConnection()) {
                long removed = history.cleanUp(c, retention);
                log.info("Monitoring history clean-up removed {} rows older than {}", removed, retention);
            } catch (Exception e) {
                log.warn("Monitoring clean-up failed: {}", e.toString());
            }
        }
    }
}
