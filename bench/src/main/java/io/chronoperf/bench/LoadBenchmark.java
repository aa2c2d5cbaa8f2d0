package io.chronoperf.bench;

import io.chronoperf.admin.seed.Zipf;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The admin API under load over HTTP: {@code clients} concurrent clients, each sending its next
 * request as soon as the last one answered (a closed loop, like wrk), for {@code duration} after a
 * warm-up. The mix is an admin console's: 95% reads (a user by id, Zipf-distributed over the
 * users; the user list; the users dashboard; the top offending IPs; the audit statistics) and 5%
 * writes (lock and unlock of users). Reports errors (no answer, a 5xx, or a 4xx other than the 409
 * a lock of an already locked user gets, which is counted apart), throughput,
 * p50/p99 per kind and overall, the latency distribution drawn, and the pool's state sampled every
 * second from the Prometheus scrape (HikariCP's active, idle and pending connections).
 */
public final class LoadBenchmark {
    /** What to run against. */
    public record Options(
            String baseUrl,
            String adminToken,
            int clients,
            Duration duration,
            Duration warmup,
            int users,
            double writeShare,
            long seed) {}

    /** One kind of request's figures. */
    public record Kind(String name, long requests, double p50Ms, double p99Ms, double maxMs) {}

    /** The report. */
    public record Report(
            int clients,
            double seconds,
            long requests,
            long errors,
            long conflicts,
            Map<Integer, Long> errorsByStatus,
            double throughput,
            double p50Ms,
            double p99Ms,
            double maxMs,
            List<Kind> kinds,
            int poolMax,
            double poolActiveMean,
            double poolActiveMax,
            double poolPendingMax,
            Map<String, Long> histogram) {}

    private static final Pattern METRIC =
            Pattern.compile("^(hikaricp_connections_(?:active|pending|max))\\{[^}]*} ([0-9.eE+-]+)$");

    private LoadBenchmark() {}

    public static Report run(Options o, Consumer<String> progress) throws InterruptedException {
        HttpClient http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
        Zipf userZipf = new Zipf(o.users(), 0.99);
        Map<String, List<long[]>> samples = new ConcurrentHashMap<>();
        Map<Integer, LongAdder> errorsByStatus = new ConcurrentHashMap<>();
        LongAdder done = new LongAdder();
        LongAdder errors = new LongAdder();
        LongAdder conflicts = new LongAdder();
        LongAdder answered = new LongAdder(); // warm-up included: the progress lines' rate
        long warmupEnd = System.nanoTime() + o.warmup().toNanos();
        long end = warmupEnd + o.duration().toNanos();
        CountDownLatch finished = new CountDownLatch(o.clients());
        for (int i = 0; i < o.clients(); i++) {
            SplittableRandom random = new SplittableRandom(o.seed() + i);
            int client = i;
            int[] lockedUser = {0};
            Thread t = new Thread(
                    () -> {
                        Map<String, long[]> mine = new LinkedHashMap<>();
                        Map<String, Integer> counts = new LinkedHashMap<>();
                        try {
                            while (true) {
                                long now = System.nanoTime();
                                if (now >= end) {
                                    break;
                                }
                                HttpRequest.Builder b;
                                String kind;
                                double pick = random.nextDouble();
                                int user = 1 + userZipf.next(random);
                                if (pick < o.writeShare()) {
                                    // each client locks a user of its own, then unlocks it: writes that always apply
                                    // (no 409 from two clients racing on one user), read back by everyone's GETs
                                    kind = "write lock/unlock";
                                    boolean lock = lockedUser[0] == 0;
                                    if (lock) {
                                        lockedUser[0] = ownUser(client, o, random);
                                    }
                                    int target = lockedUser[0];
                                    if (!lock) {
                                        lockedUser[0] = 0;
                                    }
                                    b = HttpRequest.newBuilder(URI.create(o.baseUrl() + "/api/v1/admin/users/" + target
                                                    + (lock ? "/lock" : "/unlock")))
                                            .header("Content-Type", "application/json")
                                            .POST(HttpRequest.BodyPublishers.ofString(
                                                    lock ? "{\"reason\": \"load benchmark\"}" : "{}"));
                                } else {
                                    double r = random.nextDouble();
                                    if (r < 0.50) {
                                        kind = "GET users/{id}";
                                        b = HttpRequest.newBuilder(
                                                URI.create(o.baseUrl() + "/api/v1/admin/users/" + user));
                                    } else if (r < 0.65) {
                                        kind = "GET users?limit=20";
                                        b = HttpRequest.newBuilder(
                                                URI.create(o.baseUrl() + "/api/v1/admin/users?limit=20"));
                                    } else if (r < 0.80) {
                                        kind = "GET users/dashboard";
                                        b = HttpRequest.newBuilder(
                                                URI.create(o.baseUrl() + "/api/v1/admin/users/dashboard"));
                                    } else if (r < 0.90) {
                                        kind = "GET security-events/top-ips";
                                        b = HttpRequest.newBuilder(URI.create(
                                                o.baseUrl() + "/api/v1/admin/security-events/top-ips?hours=24"));
                                    } else {
                                        kind = "GET audit-logs/stats";
                                        b = HttpRequest.newBuilder(
                                                URI.create(o.baseUrl() + "/api/v1/admin/audit-logs/stats"));
                                    }
                                }
                                b.header("Authorization", "Bearer " + o.adminToken())
                                        .timeout(Duration.ofSeconds(30));
                                long start = System.nanoTime();
                                int status;
                                try {
                                    status = http.send(b.build(), HttpResponse.BodyHandlers.discarding())
                                            .statusCode();
                                } catch (IOException e) {
                                    status = 0; // no answer at all
                                }
                                long nanos = System.nanoTime() - start;
                                answered.increment();
                                if (start < warmupEnd) {
                                    continue;
                                }
                                done.increment();
                                if (status == 409) {
                                    conflicts.increment(); // a lock of a user locked before the run: the right answer
                                } else if (status < 200 || status >= 300) {
                                    errors.increment();
                                    errorsByStatus
                                            .computeIfAbsent(status, s -> new LongAdder())
                                            .increment();
                                }
                                long[] arr = mine.computeIfAbsent(kind, k -> new long[1 << 14]);
                                int n = counts.getOrDefault(kind, 0);
                                if (n == arr.length) {
                                    arr = java.util.Arrays.copyOf(arr, arr.length * 2);
                                    mine.put(kind, arr);
                                }
                                arr[n] = nanos;
                                counts.put(kind, n + 1);
                            }
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        } finally {
                            mine.forEach((k, arr) -> samples.computeIfAbsent(
                                            k, x -> java.util.Collections.synchronizedList(new ArrayList<>()))
                                    .add(java.util.Arrays.copyOf(arr, counts.get(k))));
                            finished.countDown();
                        }
                    },
                    "load-client-" + i);
            t.setDaemon(true);
            t.start();
        }
        // the pool, once a second, and a progress line every five
        List<double[]> pool = new ArrayList<>();
        long lastDone = 0;
        long lastAt = System.nanoTime();
        int tick = 0;
        while (!finished.await(1, java.util.concurrent.TimeUnit.SECONDS)) {
            double[] p = scrapePool(http, o);
            long now = System.nanoTime();
            if (now > warmupEnd && p != null) {
                pool.add(p);
            }
            if (++tick % 5 == 0) {
                long d = answered.sum();
                progress.accept(String.format(
                        Locale.ROOT,
                        "  %s %3.0f s: %,.0f requests/s, %,d errors, pool %s",
                        now < warmupEnd ? "warm-up" : "measured",
                        (now - (now < warmupEnd ? warmupEnd - o.warmup().toNanos() : warmupEnd)) / 1e9,
                        (d - lastDone) / ((now - lastAt) / 1e9),
                        errors.sum(),
                        p == null
                                ? "n/a"
                                : String.format(Locale.ROOT, "%.0f active, %.0f pending of %.0f", p[0], p[1], p[2])));
                lastDone = d;
                lastAt = now;
            }
        }
        List<Kind> kinds = new ArrayList<>();
        List<long[]> all = new ArrayList<>();
        for (Map.Entry<String, List<long[]>> e : new TreeMap<>(samples).entrySet()) {
            long[] merged = e.getValue().stream()
                    .flatMapToLong(java.util.Arrays::stream)
                    .toArray();
            all.add(merged);
            Percentiles p = new Percentiles(merged);
            kinds.add(new Kind(e.getKey(), merged.length, p.p(50), p.p(99), p.p(100)));
        }
        long[] every = all.stream().flatMapToLong(java.util.Arrays::stream).toArray();
        Percentiles overall = new Percentiles(every);
        Map<Integer, Long> byStatus = new TreeMap<>();
        errorsByStatus.forEach((k, v) -> byStatus.put(k, v.sum()));
        double seconds = o.duration().toNanos() / 1e9;
        return new Report(
                o.clients(),
                seconds,
                every.length,
                errors.sum(),
                conflicts.sum(),
                byStatus,
                every.length / seconds,
                overall.p(50),
                overall.p(99),
                overall.p(100),
                kinds,
                pool.isEmpty() ? 0 : (int) pool.get(0)[2],
                pool.stream().mapToDouble(p -> p[0]).average().orElse(Double.NaN),
                pool.stream().mapToDouble(p -> p[0]).max().orElse(Double.NaN),
                pool.stream().mapToDouble(p -> p[1]).max().orElse(Double.NaN),
                histogram(every));
    }

    /** A user only this client writes: ids congruent to the client's number modulo the clients. */
    private static int ownUser(int client, Options o, SplittableRandom random) {
        int perClient = Math.max(1, o.users() / o.clients());
        return 1 + client + o.clients() * random.nextInt(perClient);
    }

    /** HikariCP's active, pending and max connections from the Prometheus scrape, or null. */
    private static double[] scrapePool(HttpClient http, Options o) {
        try {
            HttpResponse<String> r = http.send(
                    HttpRequest.newBuilder(URI.create(o.baseUrl() + "/actuator/prometheus"))
                            .header("Authorization", "Bearer " + o.adminToken())
                            .timeout(Duration.ofSeconds(5))
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                return null;
            }
            double[] out = {Double.NaN, Double.NaN, Double.NaN};
            for (String line : r.body().split("\n")) {
                Matcher m = METRIC.matcher(line);
                if (m.matches()) {
                    double v = Double.parseDouble(m.group(2));
                    switch (m.group(1)) {
                        case "hikaricp_connections_active" -> out[0] = v;
                        case "hikaricp_connections_pending" -> out[1] = v;
                        default -> out[2] = v;
                    }
                }
            }
            return out;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** Requests by latency bucket (powers of two from 1 ms), for the drawing. */
    private static Map<String, Long> histogram(long[] nanos) {
        long[] bounds = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048};
        long[] counts = new long[bounds.length + 1];
        for (long n : nanos) {
            double ms = n / 1e6;
            int i = 0;
            while (i < bounds.length && ms >= bounds[i]) {
                i++;
            }
            counts[i]++;
        }
        Map<String, Long> out = new LinkedHashMap<>();
        for (int i = 0; i <= bounds.length; i++) {
            String label = i == 0
                    ? "< 1 ms"
                    : i == bounds.length ? ">= " + bounds[i - 1] + " ms" : bounds[i - 1] + "-" + bounds[i] + " ms";
            out.put(label, counts[i]);
        }
        return out;
    }

    /** The report as text, the distribution drawn with bars. */
    public static String format(Report r) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(
                Locale.ROOT,
                "%d clients for %.0f s: %,d requests, %,.0f requests/s, %,d errors%s"
                        + " (and %,d conflicts: a lock of a user already locked, a 409 by design)%n",
                r.clients(),
                r.seconds(),
                r.requests(),
                r.throughput(),
                r.errors(),
                r.errorsByStatus().isEmpty() ? "" : " " + r.errorsByStatus(),
                r.conflicts()));
        b.append(String.format(
                Locale.ROOT, "latency: p50 %.1f ms, p99 %.1f ms, max %.0f ms%n", r.p50Ms(), r.p99Ms(), r.maxMs()));
        b.append(String.format(
                Locale.ROOT,
                "pool: %d connections, %.1f active on average, %.0f at most, %.0f waiting at most%n%n",
                r.poolMax(),
                r.poolActiveMean(),
                r.poolActiveMax(),
                r.poolPendingMax()));
        b.append(String.format(
                Locale.ROOT, "%-30s %10s %9s %9s %9s%n", "request", "count", "p50 ms", "p99 ms", "max ms"));
        for (Kind k : r.kinds()) {
            b.append(String.format(
                    Locale.ROOT,
                    "%-30s %,10d %9.1f %9.1f %9.0f%n",
                    k.name(),
                    k.requests(),
                    k.p50Ms(),
                    k.p99Ms(),
                    k.maxMs()));
        }
        long most =
                r.histogram().values().stream().mapToLong(Long::longValue).max().orElse(1);
        b.append(String.format(Locale.ROOT, "%nlatency distribution%n"));
        r.histogram()
                .forEach((label, count) -> b.append(String.format(
                        Locale.ROOT,
                        "%12s |%-50s %,d%n",
                        label,
                        "#".repeat((int) Math.round(50.0 * count / Math.max(1, most))),
                        count)));
        return b.toString();
    }
}
