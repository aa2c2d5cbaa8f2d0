package io.chronoperf.server.tasks;

import static org.assertj.core.api.Assertions.assertThat;

import io.chronoperf.runtime.StateSchema;
import io.chronoperf.testkit.TestDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Background tasks over ShedLock on a real PostgreSQL: one instance at a time, failures counted, none fatal. */
class TaskRegistryTest {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    @BeforeAll
    static void schema() {
        StateSchema.migrate(db.dataSource(), "server");
    }

    static TaskRegistry instance() {
        TaskRegistry r = new TaskRegistry(
                TaskRegistry.locksIn(db.dataSource()),
                new SimpleMeterRegistry(),
                Clock.systemUTC(),
                Duration.ZERO); // no minimum hold: nothing to sleep out
        r.declare("work", Duration.ofSeconds(30));
        r.declare("flaky", Duration.ofSeconds(30));
        return r;
    }

    @Test
    void a_task_held_by_one_instance_is_skipped_by_the_other() throws Exception {
        TaskRegistry first = instance();
        TaskRegistry second = instance();
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger ran = new AtomicInteger();
        CompletableFuture<Void> holder =
                CompletableFuture.runAsync(() -> first.run("work", Duration.ofMinutes(1), () -> {
                    ran.incrementAndGet();
                    started.countDown();
                    release.await(10, TimeUnit.SECONDS);
                }));
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();

        second.run("work", Duration.ofMinutes(1), ran::incrementAndGet);
        release.countDown();
        holder.get(10, TimeUnit.SECONDS);

        assertThat(ran.get()).isEqualTo(1);
        assertThat(second.states().get("work").skipped()).isEqualTo(1);
        assertThat(second.states().get("work").runs()).isZero();
        assertThat(first.states().get("work").runs()).isEqualTo(1);
        assertThat(first.states().get("work").lastOutcome()).isEqualTo("ok");
    }

    @Test
    void a_failing_task_is_counted_shown_and_does_not_stop_the_next_run() throws Exception {
        TaskRegistry r = instance();
        r.run("flaky", Duration.ofMinutes(1), () -> {
            throw new IllegalStateException("the database went away");
        });
        TaskRegistry.TaskState failed = r.states().get("flaky");
        assertThat(failed.failures()).isEqualTo(1);
        assertThat(failed.lastOutcome()).isEqualTo("failed: the database went away");

        r.run("flaky", Duration.ofMinutes(1), () -> {});
        TaskRegistry.TaskState recovered = r.states().get("flaky");
        assertThat(recovered.runs()).isEqualTo(2);
        assertThat(recovered.failures()).isEqualTo(1);
        assertThat(recovered.lastOutcome()).isEqualTo("ok");
    }

    @Test
    void a_run_over_its_limit_is_interrupted_and_shown_while_another_task_goes_on() throws Exception {
        TaskRegistry r = instance();
        r.declare("slow", Duration.ofMinutes(30));
        CountDownLatch entered = new CountDownLatch(1);
        CompletableFuture<Void> slow = CompletableFuture.runAsync(() -> r.run("slow", Duration.ofMillis(800), () -> {
            entered.countDown();
            Thread.sleep(60_000); // an analysis that would take a minute
        }));
        assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(r.states().get("slow").runningSince()).as("shown running").isNotNull();

        r.run("work", Duration.ofMinutes(1), () -> {}); // sampling is not held up by it
        assertThat(r.states().get("work").lastOutcome()).isEqualTo("ok");

        slow.get(10, TimeUnit.SECONDS);
        TaskRegistry.TaskState state = r.states().get("slow");
        assertThat(state.lastOutcome()).startsWith("failed: timed out");
        assertThat(state.failures()).isEqualTo(1);
        assertThat(state.runningSince()).as("interrupted: no longer running").isNull();
    }

    @Test
    void a_body_that_ignores_the_interrupt_shows_as_overrunning_and_its_next_runs_are_skipped() throws Exception {
        TaskRegistry r = instance();
        r.declare("stuck", Duration.ofMinutes(30));
        CountDownLatch release = new CountDownLatch(1);
        r.run("stuck", Duration.ofMillis(300), () -> {
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (release.getCount() > 0 && System.nanoTime() < until) {
                try {
                    release.await(50, TimeUnit.MILLISECONDS);
                } catch (InterruptedException ignored) {
                    // a body that does not stop when told
                }
            }
        });
        try {
            assertThat(r.states().get("stuck").overrunning()).isTrue();
            r.run("stuck", Duration.ofMillis(300), () -> {});
            assertThat(r.states().get("stuck").skipped()).isEqualTo(1);
        } finally {
            release.countDown();
        }
    }

    @Test
    void a_first_run_while_the_database_is_away_does_not_break_the_runs_after_it_comes_back() throws Exception {
        var endpoint = db.endpoint();
        var m = java.util.regex.Pattern.compile("jdbc:postgresql://([^:/]+):(\\d+)/(.*)")
                .matcher(endpoint.jdbcUrl());
        assertThat(m.matches()).isTrue();
        try (io.chronoperf.testkit.FaultyLink link =
                new io.chronoperf.testkit.FaultyLink(m.group(1), Integer.parseInt(m.group(2)))) {
            com.zaxxer.hikari.HikariConfig config = new com.zaxxer.hikari.HikariConfig();
            config.setJdbcUrl("jdbc:postgresql://127.0.0.1:" + link.port() + "/" + m.group(3));
            config.setUsername(endpoint.user());
            config.setPassword(endpoint.password());
            config.setConnectionTimeout(500);
            config.setInitializationFailTimeout(-1);
            link.cut();
            try (com.zaxxer.hikari.HikariDataSource pool = new com.zaxxer.hikari.HikariDataSource(config)) {
                TaskRegistry r = new TaskRegistry(
                        TaskRegistry.locksIn(pool), new SimpleMeterRegistry(), Clock.systemUTC(), Duration.ZERO);
                r.declare("work", Duration.ofSeconds(30));
                r.run("work", Duration.ofMinutes(1), () -> {});
                assertThat(r.states().get("work").lastOutcome())
                        .startsWith("failed")
                        .as("says the database did not answer, not that PostgreSQL is an unknown product")
                        .doesNotContain("UNKNOWN");

                link.restore();
                AtomicInteger ran = new AtomicInteger();
                r.run("work", Duration.ofMinutes(1), ran::incrementAndGet);

                assertThat(r.states().get("work").lastOutcome()).isEqualTo("ok");
                assertThat(ran).hasValue(1);
            }
        }
    }
}
