package io.chronoperf.server.tasks;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.lang.management.ManagementFactory;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;
import net.javacrumbs.shedlock.core.DefaultLockingTaskExecutor;
import net.javacrumbs.shedlock.core.LockConfiguration;
import net.javacrumbs.shedlock.core.LockingTaskExecutor;
import net.javacrumbs.shedlock.provider.jdbctemplate.JdbcTemplateLockProvider;
import net.javacrumbs.shedlock.provider.sql.DatabaseProduct;
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

    /**
     * What health shows of a task.
     *
     * @param runningSince when the run in progress started, or null when none is
     * @param limit        how long a run may take (its lock's {@code lockAtMostFor}); past it the run
     *                     is interrupted and counted as failed
     * @param overrunning  a run is still going past its limit (a body that ignored the interrupt)
     */
    public record TaskState(
            String name,
            Duration interval,
            long runs,
            long failures,
            long skipped,
            Instant lastRunAt,
            Long lastMillis,
            String lastOutcome,
            Instant runningSince,
            Duration limit,
            boolean overrunning,
            long runsHere,
            String lastBy) {
        TaskState withRun(Instant since, Duration limitOfRun, boolean over) {
            return new TaskState(
                    name,
                    interval,
                    runs,
                    failures,
                    skipped,
                    lastRunAt,
                    lastMillis,
                    lastOutcome,
                    since,
                    limitOfRun,
                    over,
                    runsHere,
                    lastBy);
        }

        /** This process's state with the totals and last run of every process (the shared row). */
        TaskState withShared(Shared shared) {
            return new TaskState(
                    name,
                    interval,
                    shared.runs(),
                    shared.failures(),
                    skipped,
                    shared.lastRunAt(),
                    shared.lastMillis(),
                    shared.lastOutcome(),
                    runningSince,
                    limit,
                    overrunning,
                    runsHere,
                    shared.lastBy());
        }
    }

    /** A task's row of {@code chrono_perf.task_runs}: what every process has done with it. */
    record Shared(long runs, long failures, Instant lastRunAt, long lastMillis, String lastOutcome, String lastBy) {}

    /** A run in progress: its start, its limit, and whether its body is still executing. */
    private record Running(Instant startedAt, Duration limit, java.util.concurrent.atomic.AtomicBoolean active) {}

    /** A task's body. */
    public interface Body {
        void run() throws Exception;
    }

    private final LockingTaskExecutor executor;
    private final MeterRegistry meters;
    private final Clock clock;
    private final Map<String, TaskState> states = new ConcurrentHashMap<>();
    private final Map<String, Duration> intervals = new LinkedHashMap<>();
    private final Map<String, Running> running = new ConcurrentHashMap<>();
    /** Each run on a thread of its own, so that the limit can be enforced and a long run delays no other task. */
    private final java.util.concurrent.ExecutorService workers =
            java.util.concurrent.Executors.newCachedThreadPool(r -> {
                Thread t = new Thread(r, "chrono-perf-task");
                t.setDaemon(true);
                return t;
            });

    private final Duration lockAtLeastFor;
    /** chrono-perf's own tables, where runs are shared with the other processes; null: this process only. */
    private volatile DataSource shared;

    /** This process, as {@code last_by} names it. */
    static final String PROCESS = ManagementFactory.getRuntimeMXBean().getName();

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

    /**
     * Locks in chrono-perf's own {@code chrono_perf.shedlock} table, on the database's clock. The
     * product is named rather than detected: detection needs a connection, and a run while the
     * database was away failed with "DB time is not supported for database product: UNKNOWN"
     * instead of saying that the database did not answer.
     */
    public static LockingTaskExecutor locksIn(DataSource dataSource) {
        return new DefaultLockingTaskExecutor(
                new JdbcTemplateLockProvider(JdbcTemplateLockProvider.Configuration.builder()
                        .withJdbcTemplate(new JdbcTemplate(dataSource))
                        .withTableName("chrono_perf.shedlock")
                        .withDatabaseProduct(DatabaseProduct.POSTGRES_SQL)
                        .usingDbTime()
                        .build()));
    }

    /**
     * Shares each run's outcome with the other processes through {@code chrono_perf.task_runs} (one
     * upsert after each run; when the database does not answer the run is kept here only).
     */
    public TaskRegistry sharedIn(DataSource dataSource) {
        this.shared = dataSource;
        return this;
    }

    private void share(String name, long millis, String outcome, boolean failed) {
        DataSource ds = shared;
        if (ds == null) {
            return;
        }
        try (Connection c = ds.getConnection();
                PreparedStatement ps = c.prepareStatement("INSERT INTO chrono_perf.task_runs AS t (name, runs,"
                        + " failures, last_run_at, last_millis, last_outcome, last_by) VALUES (?, 1, ?, now(), ?, ?, ?)"
                        + " ON CONFLICT (name) DO UPDATE SET runs = t.runs + 1, failures = t.failures +"
                        + " excluded.failures, last_run_at = excluded.last_run_at, last_millis = excluded.last_millis,"
                        + " last_outcome = excluded.last_outcome, last_by = excluded.last_by")) {
            ps.setString(1, name);
            ps.setInt(2, failed ? 1 : 0);
            ps.setLong(3, millis);
            ps.setString(4, outcome);
            ps.setString(5, PROCESS);
            ps.executeUpdate();
        } catch (SQLException | RuntimeException e) {
            log.debug("The run of {} is kept in this process only: {}", name, e.getMessage());
        }
    }

    private Map<String, Shared> readShared() {
        DataSource ds = shared;
        Map<String, Shared> out = new HashMap<>();
        if (ds == null) {
            return out;
        }
        try (Connection c = ds.getConnection();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT name, runs, failures, last_run_at, last_millis, last_outcome,"
                        + " last_by FROM chrono_perf.task_runs")) {
            while (rs.next()) {
                out.put(
                        rs.getString(1),
                        new Shared(
                                rs.getLong(2),
                                rs.getLong(3),
                                rs.getTimestamp(4).toInstant(),
                                rs.getLong(5),
                                rs.getString(6),
                                rs.getString(7)));
            }
        } catch (SQLException | RuntimeException e) {
            return Map.of(); // this process's own figures meanwhile
        }
        return out;
    }

    /** Declares a task so that health lists it before its first run. */
    public synchronized void declare(String name, Duration interval) {
        intervals.put(name, interval);
        states.putIfAbsent(
                name, new TaskState(name, interval, 0, 0, 0, null, null, "not run yet", null, null, false, 0, null));
    }

    /**
     * Runs the task under its lock, held at most {@code lockAtMostFor} (a crashed instance frees it
     * then) and at least {@code lockAtLeastFor} (so that instances whose clocks differ slightly do
     * not both run it). {@code lockAtMostFor} is also the run's time limit: the body runs on a
     * thread of its own and is interrupted past it (the run counts as failed, "timed out"); while a
     * body that ignored the interrupt is still going, the next runs are skipped and health shows
     * the task overrunning.
     */
    public void run(String name, Duration lockAtMostFor, Body body) {
        long start = System.nanoTime();
        boolean[] ran = {false};
        Running previous = running.get(name);
        if (previous != null && previous.active().get()) {
            log.warn(
                    "Background task {} skipped: its run from {} is still going, past its limit of {}",
                    name,
                    previous.startedAt(),
                    previous.limit());
            skipped(name);
            return;
        }
        try {
            executor.executeWithLock(
                    (Runnable) () -> {
                        ran[0] = true;
                        java.util.concurrent.atomic.AtomicBoolean active =
                                new java.util.concurrent.atomic.AtomicBoolean(true);
                        running.put(name, new Running(clock.instant(), lockAtMostFor, active));
                        java.util.concurrent.Future<?> f = workers.submit(() -> {
                            try {
                                body.run();
                                return null;
                            } finally {
                                active.set(false);
                            }
                        });
                        try {
                            f.get(lockAtMostFor.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
                        } catch (java.util.concurrent.TimeoutException e) {
                            f.cancel(true);
                            throw new IllegalStateException(
                                    "timed out after " + lockAtMostFor.toMillis() + " ms (its limit); interrupted");
                        } catch (java.util.concurrent.ExecutionException e) {
                            Throwable cause = e.getCause();
                            throw cause instanceof RuntimeException re
                                    ? re
                                    : new IllegalStateException(cause.getMessage(), cause);
                        } catch (InterruptedException e) {
                            f.cancel(true);
                            Thread.currentThread().interrupt();
                            throw new IllegalStateException("interrupted (the server is stopping)");
                        } finally {
                            if (!active.get()) {
                                running.remove(name);
                            }
                        }
                    },
                    new LockConfiguration(clock.instant(), name, lockAtMostFor, lockAtLeastFor));
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
            TaskState old = s == null
                    ? new TaskState(name, intervals.get(name), 0, 0, 0, null, null, null, null, null, false, 0, null)
                    : s;
            return new TaskState(
                    name,
                    old.interval(),
                    old.runs() + 1,
                    old.failures() + (failed ? 1 : 0),
                    old.skipped(),
                    clock.instant(),
                    millis,
                    outcome,
                    null,
                    null,
                    false,
                    old.runsHere() + 1,
                    PROCESS);
        });
        share(name, millis, outcome, failed);
        Counter.builder("chrono_perf.task.runs")
                .tag("task", name)
                .tag("outcome", failed ? "failed" : "ok")
                .register(meters)
                .increment();
        Timer.builder("chrono_perf.task.duration")
                .tag("task", name)
                .register(meters)
                .record(Duration.ofMillis(millis));
    }

    private void skipped(String name) {
        states.compute(name, (k, s) -> {
            TaskState old = s == null
                    ? new TaskState(
                            name, intervals.get(name), 0, 0, 0, null, null, "not run yet", null, null, false, 0, null)
                    : s;
            return new TaskState(
                    name,
                    old.interval(),
                    old.runs(),
                    old.failures(),
                    old.skipped() + 1,
                    old.lastRunAt(),
                    old.lastMillis(),
                    old.lastOutcome(),
                    null,
                    null,
                    false,
                    old.runsHere(),
                    old.lastBy());
        });
        Counter.builder("chrono_perf.task.runs")
                .tag("task", name)
                .tag("outcome", "skipped")
                .register(meters)
                .increment();
    }

    /**
     * Every declared task's state, with the run in progress if any: runs, failures and the last run
     * of every process when the shared table answers ({@link #sharedIn}), this process's otherwise;
     * skips, runs here and the run in progress are this process's.
     */
    public Map<String, TaskState> states() {
        Map<String, TaskState> out = new LinkedHashMap<>();
        Instant now = clock.instant();
        Map<String, Shared> everyProcess = readShared();
        intervals.keySet().forEach(n -> {
            TaskState s = states.get(n);
            Shared sh = everyProcess.get(n);
            if (s != null && sh != null) {
                s = s.withShared(sh);
            }
            Running r = running.get(n);
            if (s != null && r != null && r.active().get()) {
                s = s.withRun(
                        r.startedAt(),
                        r.limit(),
                        Duration.between(r.startedAt(), now).compareTo(r.limit()) > 0);
            }
            out.put(n, s);
        });
        return out;
    }

    /** Stops the task threads (the server is stopping). */
    public void close() {
        workers.shutdownNow();
    }

    private static String firstLine(String s) {
        return s == null ? "unknown error" : s.lines().findFirst().orElse(s);
    }
}
