package io.chronoperf.server.schedule;

import io.chronoperf.runtime.OwnStatements;
import io.chronoperf.server.cache.CacheConfig;
import io.chronoperf.server.config.StateConfig;
import io.chronoperf.server.monitor.MonitorService;
import io.chronoperf.server.performance.PerformanceService;
import io.chronoperf.server.tasks.TaskRegistry;
import io.chronoperf.server.watch.Databases;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import javax.sql.DataSource;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;

/**
 * The background tasks with the seed's intervals, each configurable
 * ({@code chrono-perf.tasks.<task>-interval}): monitor sampling every 30 s (history and gauges),
 * health monitoring every 5 min (alert rules), cache warming every 15 min, performance analysis
 * every 30 min (slow statements analysed, index advice refreshed and stored), clean-up every 6 h
 * (history, resolved alerts, old findings). Each runs on one instance at a time through ShedLock
 * on PostgreSQL ({@code chrono_perf.shedlock} table, database time).
 */
@Configuration(proxyBeanMethods = false)
@EnableScheduling
public class TasksConfig {
    @Bean
    TaskRegistry taskRegistry(DataSource dataSource, StateConfig.OwnState ownState, MeterRegistry meters, Clock clock,
                              @Value("${chrono-perf.tasks.lock-at-least-for:PT1S}") Duration lockAtLeastFor) {
        return new TaskRegistry(TaskRegistry.locksIn(OwnStatements.marked(dataSource)), meters, clock, lockAtLeastFor);
    }

    /**
     * One scheduler thread per task (six), so that a long run of one (an analysis) never delays another
     * (sampling); each run's body goes on a thread of its own under its limit ({@link TaskRegistry}).
     */
    @Bean
    ThreadPoolTaskScheduler taskScheduler() {
        ThreadPoolTaskScheduler scheduler = new ThreadPoolTaskScheduler();
        scheduler.setPoolSize(6);
        scheduler.setThreadNamePrefix("chrono-perf-scheduler-");
        scheduler.setWaitForTasksToCompleteOnShutdown(false);
        return scheduler;
    }

    @Bean
    BackgroundTasks backgroundTasks(TaskRegistry registry, MonitorService monitor, CacheConfig.Warming warming,
                                    PerformanceService performance, Databases databases,
                                    @Value("${chrono-perf.tasks.sample-interval:PT30S}") Duration sample,
                                    @Value("${chrono-perf.tasks.health-interval:PT5M}") Duration health,
                                    @Value("${chrono-perf.tasks.warm-interval:PT15M}") Duration warm,
                                    @Value("${chrono-perf.tasks.analysis-interval:PT30M}") Duration analysis,
                                    @Value("${chrono-perf.tasks.cleanup-interval:PT6H}") Duration cleanup) {
        registry.declare(BackgroundTasks.SAMPLE, sample);
        if (databases.all().size() > 1) {
            registry.declare(BackgroundTasks.SAMPLE_WATCHED, sample);
        }
        registry.declare(BackgroundTasks.HEALTH, health);
        registry.declare(BackgroundTasks.WARM, warm);
        registry.declare(BackgroundTasks.ANALYSIS, analysis);
        registry.declare(BackgroundTasks.CLEANUP, cleanup);
        return new BackgroundTasks(registry, monitor, warming, performance, databases);
    }

    /** The scheduled methods; each delegates to the registry, which locks, times and counts. */
    public static final class BackgroundTasks {
        public static final String SAMPLE = "monitor-sampling";
        public static final String SAMPLE_WATCHED = "watched-sampling";
        public static final String HEALTH = "health-monitoring";
        public static final String WARM = "cache-warming";
        public static final String ANALYSIS = "performance-analysis";
        public static final String CLEANUP = "cleanup";

        private final TaskRegistry registry;
        private final MonitorService monitor;
        private final CacheConfig.Warming warming;
        private final PerformanceService performance;

        private final Databases databases;

        BackgroundTasks(TaskRegistry registry, MonitorService monitor, CacheConfig.Warming warming, PerformanceService performance,
                        Databases databases) {
            this.databases = databases;
            this.registry = registry;
            this.monitor = monitor;
            this.warming = warming;
            this.performance = performance;
        }

        @Scheduled(fixedDelayString = "${chrono-perf.tasks.sample-interval:PT30S}",
                initialDelayString = "${chrono-perf.monitor.first-sample-delay:PT5S}")
        public void sample() {
            registry.run(SAMPLE, Duration.ofMinutes(1), monitor::sample);
        }

        /** The databases of CHRONO_PERF_WATCH, each on its own: one down never stops the others. */
        @Scheduled(fixedDelayString = "${chrono-perf.tasks.sample-interval:PT30S}",
                initialDelayString = "${chrono-perf.monitor.first-sample-delay:PT5S}")
        public void sampleWatched() {
            if (databases.all().size() > 1) {
                registry.run(SAMPLE_WATCHED, Duration.ofMinutes(1), databases::sampleWatched);
            }
        }

        @Scheduled(fixedDelayString = "${chrono-perf.tasks.health-interval:PT5M}", initialDelayString = "PT1M")
        public void health() {
            registry.run(HEALTH, Duration.ofMinutes(2), monitor::evaluateAlerts);
        }

        @Scheduled(fixedDelayString = "${chrono-perf.tasks.warm-interval:PT15M}",
                initialDelayString = "${chrono-perf.tasks.warm-interval:PT15M}")
        public void warm() {
            registry.run(WARM, Duration.ofMinutes(5), () -> warming.warmAll(true));
        }

        @Scheduled(fixedDelayString = "${chrono-perf.tasks.analysis-interval:PT30M}", initialDelayString = "PT2M")
        public void analysis() {
            registry.run(ANALYSIS, Duration.ofMinutes(15), performance::analyze);
        }

        @Scheduled(fixedDelayString = "${chrono-perf.tasks.cleanup-interval:PT6H}",
                initialDelayString = "${chrono-perf.tasks.cleanup-interval:PT6H}")
        public void cleanUp() {
            registry.run(CLEANUP, Duration.ofMinutes(30), monitor::cleanUp);
        }
    }
}
