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
        TaskRegistry r = new TaskRegistry(TaskRegistry.locksIn(db.dataSource()), new SimpleMeterRegistry(), Clock.systemUTC(),
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
        CompletableFuture<Void> holder = CompletableFuture.runAsync(() -> first.run("work", Duration.ofMinutes(1), () -> {
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

        r.run("flaky", Duration.ofMinutes(1), () -> { });
        TaskRegistry.TaskState recovered = r.states().get("flaky");
        assertThat(recovered.runs()).isEqualTo(2);
        assertThat(recovered.failures()).isEqualTo(1);
        assertThat(recovered.lastOutcome()).isEqualTo("ok");
    }
}
