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

    private static boolean locked(ObjectMapper json, String body) {
        return json.readTree(body).get("is_locked").asBoolean();
    }
}
