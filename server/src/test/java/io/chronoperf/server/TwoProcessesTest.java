package io.chronoperf.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.ObjectMapper;

/**
 * Issue 13: two server processes (two JVMs) on one PostgreSQL and one Redis, readers hammering one
 * user on both while writes alternate between them. Every acknowledged write is read back at once
 * by the next read on the process that made it, and by the other process within the documented
 * bound (1 s: the pub/sub invalidation, in practice a few ms); no read fails. Before issue 13's
 * fix a read that loaded the old row finished after the write's invalidation and stored it in L1
 * for minutes.
 */
class TwoProcessesTest {
    @RegisterExtension
    static final ServerFixture server = new ServerFixture();

    private static final long BOUND_MILLIS = 1_000;

    @Test
    void an_acknowledged_write_on_either_process_is_read_back_on_both() throws Exception {
        String admin = server.token("admin");
        HttpClient http = HttpClient.newHttpClient();
        ObjectMapper json = new ObjectMapper();
        int user = 7;
        String path = "/api/v1/admin/users/" + user;
        try (SecondServer second = SecondServer.start(server)) {
            AtomicBoolean running = new AtomicBoolean(true);
            ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
            AtomicLong reads = new AtomicLong();
            List<Thread> readers = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                boolean onSecond = i % 2 == 1;
                Thread t = new Thread(() -> {
                    while (running.get()) {
                        try {
                            int status = onSecond
                                    ? second.get(http, path, admin).statusCode()
                                    : server.get(path, admin).status();
                            if (status != 200) {
                                failures.add((onSecond ? "second" : "first") + " answered " + status);
                            }
                            reads.incrementAndGet();
                        } catch (Exception e) {
                            failures.add(e.toString());
                        }
                    }
                });
                t.start();
                readers.add(t);
            }
            long worstOther = 0;
            for (int i = 0; i < 20; i++) {
                boolean lock = i % 2 == 0;
                boolean writeOnSecond = i % 4 >= 2;
                String action = path + (lock ? "/lock" : "/unlock");
                String body = lock ? "{\"reason\": \"two processes\"}" : "{}";
                int status = writeOnSecond
                        ? http.send(
                                        java.net.http.HttpRequest.newBuilder(java.net.URI.create(second.url(action)))
                                                .header("Authorization", "Bearer " + admin)
                                                .header("Content-Type", "application/json")
                                                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body))
                                                .build(),
                                        HttpResponse.BodyHandlers.ofString())
                                .statusCode()
                        : server.post(action, body, admin).status();
                assertThat(status).as("write " + i).isEqualTo(200);

                // the process that made the write: the very next read
                boolean mine = writeOnSecond
                        ? locked(json, second.get(http, path, admin).body())
                        : server.get(path, admin).json().get("is_locked").asBoolean();
                assertThat(mine)
                        .as("write %d read back on the process that made it", i)
                        .isEqualTo(lock);
                // the other process: within the bound
                long start = System.nanoTime();
                while (true) {
                    boolean other = writeOnSecond
                            ? server.get(path, admin).json().get("is_locked").asBoolean()
                            : locked(json, second.get(http, path, admin).body());
                    if (other == lock) {
                        break;
                    }
                    assertThat((System.nanoTime() - start) / 1_000_000)
                            .as("write %d seen by the other process", i)
                            .isLessThan(BOUND_MILLIS);
                    Thread.sleep(5);
                }
                worstOther = Math.max(worstOther, (System.nanoTime() - start) / 1_000_000);
            }
            running.set(false);
            for (Thread t : readers) {
                t.join(10_000);
            }
            assertThat(failures).as("failed reads").isEmpty();
            assertThat(reads.get()).isGreaterThan(100);
            System.out.printf(
                    "two processes: %d reads beside 20 writes, the other process saw each write within %d ms%n",
                    reads.get(), worstOther);
        }
    }

    /**
     * Issue 18: N+1 findings were kept in each process's memory, so the dashboard of one process
     * never showed what the other found. A finding recorded by this process (its filter's own
     * path) is listed by the other, over HTTP, within a few seconds.
     */
    @Test
    void an_n_plus_one_finding_of_one_process_is_listed_by_the_other() throws Exception {
        String marker = "two processes " + System.nanoTime();
        String sql = "SELECT * FROM pages WHERE project_id = ? /* " + marker + " */";
        server.bean(io.chronoperf.server.nplusone.NPlusOneLog.class)
                .record(
                        "GET /api/v1/admin/projects/{id}/report",
                        List.of(new io.chronoperf.advisor.nplusone.Finding(
                                "GET /api/v1/admin/projects/{id}/report",
                                io.chronoperf.advisor.nplusone.Finding.N_PLUS_ONE,
                                sql,
                                "fp-" + marker,
                                "ProjectReport.java:42",
                                4,
                                2.5,
                                "load the pages of all projects in one query",
                                null,
                                3,
                                1.9)));
        HttpClient http = HttpClient.newHttpClient();
        ObjectMapper json = new ObjectMapper();
        String viewer = server.token("viewer");
        try (SecondServer second = SecondServer.start(server)) {
            long deadline = System.nanoTime() + java.time.Duration.ofSeconds(10).toNanos();
            String body;
            do {
                HttpResponse<String> r = second.get(http, "/api/v1/admin/performance/query/n-plus-one?hours=1", viewer);
                assertThat(r.statusCode()).isEqualTo(200);
                body = r.body();
                if (body.contains(marker)) {
                    break;
                }
                Thread.sleep(100);
            } while (System.nanoTime() < deadline);
            assertThat(body).as("the other process's findings").contains(marker);
            var finding = java.util.stream.StreamSupport.stream(
                            json.readTree(body).get("findings").spliterator(), false)
                    .filter(f -> f.get("sql").asString().contains(marker))
                    .findFirst()
                    .orElseThrow();
            assertThat(finding.get("site").asString()).isEqualTo("ProjectReport.java:42");
            assertThat(finding.get("occurrences").asLong()).isEqualTo(1);
            assertThat(finding.get("endpoints").get(0).asString()).isEqualTo("GET /api/v1/admin/projects/{id}/report");
        }
    }

    /**
     * Issue 18: each background task runs on one process at a time, across JVMs. This process holds
     * the clean-up task's lock (a run that waits); the other, whose clean-up is due every second,
     * skips it while the lock is held and runs it once it is free.
     */
    @Test
    void a_background_task_runs_on_one_process_at_a_time() throws Exception {
        var registry = server.bean(io.chronoperf.server.tasks.TaskRegistry.class);
        java.util.concurrent.CountDownLatch holding = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        Thread holder = new Thread(() -> registry.run(
                io.chronoperf.server.schedule.TasksConfig.BackgroundTasks.CLEANUP,
                java.time.Duration.ofMinutes(1),
                () -> {
                    holding.countDown();
                    release.await(60, java.util.concurrent.TimeUnit.SECONDS);
                }));
        holder.start();
        assertThat(holding.await(10, java.util.concurrent.TimeUnit.SECONDS))
                .as("this process holds the clean-up's lock")
                .isTrue();
        HttpClient http = HttpClient.newHttpClient();
        ObjectMapper json = new ObjectMapper();
        String viewer = server.token("viewer");
        try (SecondServer second = SecondServer.start(server, "chrono-perf.tasks.cleanup-interval=PT1S")) {
            tools.jackson.databind.JsonNode cleanup = awaitCleanup(
                    second, http, json, viewer, t -> t.get("skipped").asLong() >= 2);
            assertThat(cleanup.get("runs_here").asLong())
                    .as("the other process never ran it while the lock was held")
                    .isZero();
            long before = cleanup.get("runs").asLong();
            release.countDown();
            holder.join(10_000);
            // The other process runs it now, and counts this process's run too: the task's state is
            // shared (runs of every process = the runs before + this process's held run + its own).
            cleanup = awaitCleanup(
                    second,
                    http,
                    json,
                    viewer,
                    t -> t.get("runs_here").asLong() >= 1
                            && t.get("runs").asLong()
                                    >= before + 1 + t.get("runs_here").asLong());
            assertThat(cleanup.get("last_outcome").asString()).isEqualTo("ok");
            assertThat(cleanup.get("last_by").asString()).isNotBlank();
        } finally {
            release.countDown();
        }
    }

    private static tools.jackson.databind.JsonNode awaitCleanup(
            SecondServer second,
            HttpClient http,
            ObjectMapper json,
            String token,
            java.util.function.Predicate<tools.jackson.databind.JsonNode> done)
            throws Exception {
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(20).toNanos();
        tools.jackson.databind.JsonNode task;
        do {
            HttpResponse<String> r = second.get(http, "/api/v1/admin/performance/system/health", token);
            assertThat(r.statusCode()).isEqualTo(200);
            task = json.readTree(r.body())
                    .get("tasks")
                    .get(io.chronoperf.server.schedule.TasksConfig.BackgroundTasks.CLEANUP);
            if (task != null && done.test(task)) {
                return task;
            }
            Thread.sleep(200);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("the other process's clean-up task: " + task);
    }

    private static boolean locked(ObjectMapper json, String body) {
        return json.readTree(body).get("is_locked").asBoolean();
    }
}
