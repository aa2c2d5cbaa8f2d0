package io.chronoperf.server.tasks;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;
import net.javacrumbs.shedlock.core.DefaultLockingTaskExecutor;
import net.javacrumbs.shedlock.core.LockConfiguration;
import net.javacrumbs.shedlock.core.LockingTaskExecutor;
import net.javacrumbs.shedlock.provider.jdbctemplate.JdbcTemplateLockProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Runs the background tasks one instance at a time through ShedLock (a row per task in the
 * {@code chrono_perf.shedlock} table), and keeps what health shows of each: runs, failures, skips (another
 * instance held the lock), the last run's time, duration and outcome. A failing task is logged
 * and counted and never stops the others. Meters: {@code chrono_perf_task_runs_total{task,outcome}}
 * and {@code chrono_perf_task_duration_seconds{task}}.
 */
public final class TaskRegistry {
    private static final Logger log = LoggerFactory.getLogger(TaskRegistry.class);

    /** What health shows of a task. */
    public record TaskState(String name, Duration interval, long runs, long failures, long skipped, Instant lastRunAt,
                            Long lastMillis, String lastOutcome) {
    }

    /** A task's body. */
    public interface Body {
        void run() throws Exception;
    }

    private final LockingTaskExecutor executor;
    private final MeterRegistry meters;
    private final Clock clock;
    private final Map<String, TaskState> states = new ConcurrentHashMap<>();
    private final Map<String, Duration> intervals = new LinkedHashMap<>();

    private final Duration lockAtLeastFor;

    public TaskRegistry(LockingTaskExecutor executor, MeterRegistry meters, Clock clock) {
        this(executor, meters, clock, Duration.ofSeconds(1));
    }

    /**
     * @param lockAtLeastFor how long a run holds its lock at least (1 s in production: instances
     *                       whose clocks differ slightly do not both run it; tests inject zero
     *                       rather than sleep it out)
     */
    public TaskRegistry(LockingTaskExecutor executor, MeterRegistry meters, Clock clock, Duration lockAtLeastFor) {
        this.executor = executor;
        this.meters = meters;
        this.clock = clock;
        this.lockAtLeastFor = lockAtLeastFor;
    }

    /** Locks in chrono-perf's own {@code chrono_perf.shedlock} table, on the database's clock. */
    public static LockingTaskExecutor locksIn(DataSource dataSource) {
        return new DefaultLockingTaskExecutor(new JdbcTemplateLockProvider(JdbcTemplateLockProvider.Configuration.builder()
                .withJdbcTemplate(new JdbcTemplate(dataSource)).withTableName("chrono_perf.shedlock").usingDbTime().build()));
    }

    /** Declares a task so that health lists it before its first run. */
    public synchronized void declare(String name, Duration interval) {
        intervals.put(name, interval);
        states.putIfAbsent(name, new TaskState(name, interval, 0, 0, 0, null, null, "not run yet"));
    }

    /**
     * Runs the task under its lock, held at most {@code lockAtMostFor} (a crashed instance frees it
     * then) and at least {@code lockAtLeastFor} (so that instances whose clocks differ slightly do not both run it).
     */
    public void run(String name, Duration lockAtMostFor, Body body) {
        long start = System.nanoTime();
        boolean[] ran = {false};
        try {
            executor.executeWithLock((Runnable) () -> {
                ran[0] = true;
                try {
                    body.run();
                } catch (RuntimeException e) {
                    throw e;
                } catch (Exception e) {
                    throw new IllegalStateException(e.getMessage(), e);
                }
            }, new LockConfiguration(clock.instant(), name, lockAtMostFor, lockAtLeastFor));
            if (ran[0]) {
                finish(name, start, "ok", false);
            } else {
                skipped(name);
            }
        } catch (RuntimeException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            log.warn("Background task {} failed: {}", name, cause.toString());
            finish(name, start, "failed: " + firstLine(cause.getMessage()), true);
        }
    }

    private void finish(String name, long start, String outcome, boolean failed) {
        long millis = (System.nanoTime() - start) / 1_000_000;
        states.compute(name, (k, s) -> {
            TaskState old = s == null ? new TaskState(name, intervals.get(name), 0, 0, 0, null, null, null) : s;
            return new TaskState(name, old.interval(), old.runs() + 1, old.failures() + (failed ? 1 : 0), old.skipped(),
                    clock.instant(), millis, outcome);
        });
        Counter.builder("chrono_perf.task.runs").tag("task", name).tag("outcome", failed ? "failed" : "ok")
                .register(meters).increment();
        Timer.builder("chrono_perf.task.duration").tag("task", name).register(meters).record(Duration.ofMillis(millis));
    }

    private void skipped(String name) {
        states.compute(name, (k, s) -> {
            TaskState old = s == null ? new TaskState(name, intervals.get(name), 0, 0, 0, null, null, "not run yet") : s;
            return new TaskState(name, old.interval(), old.runs(), old.failures(), old.skipped() + 1, old.lastRunAt(),
                    old.lastMillis(), old.lastOutcome());
        });
        Counter.builder("chrono_perf.task.runs").tag("task", name).tag("outcome", "skipped").register(meters).increment();
    }

    public Map<String, TaskState> states() {
        Map<String, TaskState> out = new LinkedHashMap<>();
        intervals.keySet().forEach(n -> out.put(n, states.get(n)));
        return out;
    }

    private static String firstLine(String s) {
        return s == null ? "unknown error" : s.lines().findFirst().orElse(s);
    }
}
