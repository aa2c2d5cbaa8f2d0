package io.chronoperf.server.schedule;

import io.chronoperf.runtime.OwnStatements;
import io.chronoperf.runtime.Setting;
import io.chronoperf.runtime.Settings;
import io.chronoperf.server.cache.CacheConfig;
import io.chronoperf.server.config.StateConfig;
import io.chronoperf.server.monitor.MonitorService;
import io.chronoperf.server.performance.PerformanceService;
import io.chronoperf.server.tasks.TaskRegistry;
import io.chronoperf.server.watch.Databases;
import io.chronoperf.server.watch.SampleRounds;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import javax.sql.DataSource;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.SchedulingConfigurer;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;
import org.springframework.scheduling.config.FixedDelayTask;
import org.springframework.scheduling.config.ScheduledTaskRegistrar;

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
    TaskRegistry taskRegistry(
            DataSource dataSource,
            StateConfig.OwnState ownState,
            MeterRegistry meters,
            Clock clock,
            Settings settings) {
        return new TaskRegistry(
                        TaskRegistry.locksIn(OwnStatements.marked(dataSource)),
                        meters,
                        clock,
                        settings.duration(Setting.TASKS_LOCK_AT_LEAST_FOR))
                .sharedIn(OwnStatements.marked(dataSource));
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
    BackgroundTasks backgroundTasks(
            TaskRegistry registry,
            MonitorService monitor,
            CacheConfig.Warming warming,
            PerformanceService performance,
            Databases databases,
            Settings settings) {
        return new BackgroundTasks(registry, monitor, warming, performance, databases, settings);
    }

    /**
     * The tasks, their intervals read from the settings ({@link Setting}) and registered with the
     * scheduler; each run delegates to the registry, which locks, times and counts.
     */
    public static final class BackgroundTasks implements SchedulingConfigurer {
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
        private final Settings settings;
        /** The watched databases' round, spread over the sample interval. */
        private final SampleRounds rounds;
        /** The slice of this process's previous spread tick (-1: none yet). */
        private final java.util.concurrent.atomic.AtomicLong lastTick = new java.util.concurrent.atomic.AtomicLong(-1);

        BackgroundTasks(
                TaskRegistry registry,
                MonitorService monitor,
                CacheConfig.Warming warming,
                PerformanceService performance,
                Databases databases,
                Settings settings) {
            this.databases = databases;
            this.registry = registry;
            this.monitor = monitor;
            this.warming = warming;
            this.performance = performance;
            this.settings = settings;
            this.rounds =
                    new SampleRounds(databases.watchedInOrder().size(), settings.duration(Setting.SAMPLE_INTERVAL));
        }

        @Override
        public void configureTasks(ScheduledTaskRegistrar tasks) {
            Duration sample = settings.duration(Setting.SAMPLE_INTERVAL);
            Duration firstSample = settings.duration(Setting.FIRST_SAMPLE_DELAY);
            schedule(tasks, SAMPLE, sample, firstSample, this::sample);
            if (databases.all().size() > 1) {
                // A round of the watched databases is spread over the interval: a tick each slice.
                registry.declare(SAMPLE_WATCHED, sample);
                tasks.addFixedDelayTask(new FixedDelayTask(
                        () -> sampleWatchedDue(java.time.Instant.now()), rounds.tick(), firstSample));
            }
            schedule(tasks, HEALTH, settings.duration(Setting.HEALTH_INTERVAL), Duration.ofMinutes(1), this::health);
            Duration warm = settings.duration(Setting.WARM_INTERVAL);
            schedule(tasks, WARM, warm, warm, this::warm);
            schedule(
                    tasks,
                    ANALYSIS,
                    settings.duration(Setting.ANALYSIS_INTERVAL),
                    Duration.ofMinutes(2),
                    this::analysis);
            Duration cleanup = settings.duration(Setting.CLEANUP_INTERVAL);
            schedule(tasks, CLEANUP, cleanup, cleanup, this::cleanUp);
        }

        public void sample() {
            registry.run(SAMPLE, Duration.ofMinutes(1), monitor::sample);
        }

        /** Every database of CHRONO_PERF_WATCH now, each on its own: one down never stops the others. */
        public void sampleWatched() {
            registry.run(SAMPLE_WATCHED, Duration.ofMinutes(1), databases::sampleWatched);
        }

        /**
         * One tick of the spread round ({@link SampleRounds}): the watched databases whose slices
         * began since this process's previous tick, under the task's lock (one process at a time).
         * Returns the names sampled (none when another process holds the lock).
         */
        public List<String> sampleWatchedDue(java.time.Instant now) {
            List<String> sampled = new java.util.concurrent.CopyOnWriteArrayList<>();
            registry.run(SAMPLE_WATCHED, Duration.ofMinutes(1), () -> {
                long tick = rounds.tickAt(now);
                sampled.addAll(databases.sampleWatched(rounds.due(lastTick.getAndSet(tick), tick)));
            });
            return sampled;
        }

        public void health() {
            registry.run(HEALTH, Duration.ofMinutes(2), monitor::evaluateAlerts);
        }

        public void warm() {
            registry.run(WARM, Duration.ofMinutes(5), () -> warming.warmAll(true));
        }

        public void analysis() {
            registry.run(ANALYSIS, Duration.ofMinutes(15), performance::analyze);
        }

        public void cleanUp() {
            registry.run(CLEANUP, Duration.ofMinutes(30), monitor::cleanUp);
        }

        /** Declares the task (its interval shows in health) and runs it every interval after the first delay. */
        private void schedule(
                ScheduledTaskRegistrar tasks, String name, Duration interval, Duration first, Runnable run) {
            registry.declare(name, interval);
            tasks.addFixedDelayTask(new FixedDelayTask(run, interval, first));
        }
    }
}
