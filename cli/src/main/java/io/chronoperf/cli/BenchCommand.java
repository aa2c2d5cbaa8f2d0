package io.chronoperf.cli;

import com.zaxxer.hikari.HikariDataSource;
import io.chronoperf.admin.AdminSchema;
import io.chronoperf.admin.seed.DemoData;
import io.chronoperf.admin.seed.Scale;
import io.chronoperf.bench.CacheBenchmark;
import io.chronoperf.bench.WorkloadBenchmark;
import io.chronoperf.bench.WorkloadReport;
import io.chronoperf.runtime.Services;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = "Benchmarks with their reports.",
        subcommands = {
            BenchCommand.Workload.class,
            BenchCommand.CacheBench.class,
            BenchCommand.CaptureBench.class,
            BenchCommand.AnalyzeBench.class,
            BenchCommand.SnapshotBench.class,
            BenchCommand.TpchBench.class,
            BenchCommand.AdvisorBench.class,
            BenchCommand.DashboardBench.class,
            BenchCommand.LoadBench.class,
            BenchCommand.FleetBench.class,
            BenchCommand.ReplicaBench.class
        })
final class BenchCommand implements Runnable {
    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    @Command(
            name = "workload",
            mixinStandardHelpOptions = true,
            description = "Every admin query family with and without the strategic indexes: p50/p95/p99 and speedup.")
    static final class Workload implements Callable<Integer> {
        @Mixin
        ServiceOptions services;

        @Option(
                names = "--scale",
                defaultValue = "demo",
                description = "small, demo or large. Default: ${DEFAULT-VALUE}.")
        String scale;

        @Option(names = "--seed", defaultValue = "42", description = "Data seed. Default: ${DEFAULT-VALUE}.")
        long seed;

        @Option(
                names = "--iterations",
                defaultValue = "100",
                description = "Runs per query with the indexes. Default: ${DEFAULT-VALUE}.")
        int iterations;

        @Option(
                names = "--iterations-without",
                defaultValue = "10",
                description = "Runs per query without them (they are slow). Default: ${DEFAULT-VALUE}.")
        int iterationsWithout;

        @Option(
                names = "--warmup",
                defaultValue = "10",
                description = "Warm-up runs per query. Default: ${DEFAULT-VALUE}.")
        int warmup;

        @Option(names = "--reseed", description = "Load the data again even if the database already holds this scale.")
        boolean reseed;

        @Option(names = "--report", paramLabel = "FILE", description = "Also write the report as Markdown to FILE.")
        Path report;

        @Override
        public Integer call() throws IOException {
            Scale s = Scale.parse(scale);
            try (Services svc = Services.start(services.settings(), false);
                    HikariDataSource ds = Pools.open(svc.database(), "bench")) {
                svc.describe().stream().filter(l -> l.startsWith("database")).forEach(System.out::println);
                WorkloadBenchmark.Report r;
                try (Progress progress = new Progress(System.out)) {
                    r = new WorkloadBenchmark(ds, System.out::println)
                            .run(
                                    new WorkloadBenchmark.Options(
                                            s, seed, iterations, iterationsWithout, warmup, reseed),
                                    progress);
                }
                String text = WorkloadReport.text(r, WorkloadReport.environment(ds));
                System.out.println();
                System.out.println(text);
                if (report != null) {
                    Files.writeString(report, WorkloadReport.markdown(r, WorkloadReport.environment(ds)));
                    System.out.println("report written to " + report);
                }
            }
            return 0;
        }
    }

    @Command(
            name = "cache",
            mixinStandardHelpOptions = true,
            description =
                    "The two-level cache on the demo data: what L2 stores (Smile + zstd against JSON), a Zipf(0.99) "
                            + "replay's hit ratio, the cached dashboard's latency. The cost of one hit is JMH's: java "
                            + "-jar jmh/target/benchmarks.jar.")
    static final class CacheBench implements Callable<Integer> {
        @Mixin
        ServiceOptions services;

        @Option(
                names = "--requests",
                defaultValue = "1000000",
                description = "Requests in the Zipf replay. Default: ${DEFAULT-VALUE}.")
        int requests;

        @Override
        public Integer call() {
            try (Services svc = Services.start(services.settings(), true);
                    HikariDataSource ds = Pools.open(svc.database(), "bench")) {
                svc.describe().forEach(System.out::println);
                String redis = svc.redisUri()
                        .orElseThrow(() -> new io.chronoperf.runtime.ChronoPerfException(
                                io.chronoperf.runtime.ErrorCode.CONFIGURATION,
                                "bench cache needs Redis: drop --no-redis"));
                AdminSchema.of(ds).migrate();
                if (DemoData.isEmpty(ds)) {
                    System.out.println("loading demo data first");
                    try (Progress progress = new Progress(System.out)) {
                        DemoData.load(ds, Scale.DEMO, 42, false, progress);
                    }
                }
                System.out.println();
                System.out.println(new CacheBenchmark(ds, redis, System.out::println).run(requests));
            }
            return 0;
        }
    }

    @Command(
            name = "capture",
            mixinStandardHelpOptions = true,
            description =
                    "The per-statement cost of N+1 capture (datasource-proxy + units + call sites) on a trivial query.")
    static final class CaptureBench implements Callable<Integer> {
        @Mixin
        ServiceOptions services;

        @Option(
                names = "--statements",
                defaultValue = "20000",
                description = "Statements per round. Default: ${DEFAULT-VALUE}.")
        int statements;

        @Option(names = "--rounds", defaultValue = "7", description = "Rounds per side. Default: ${DEFAULT-VALUE}.")
        int rounds;

        @Override
        public Integer call() throws java.sql.SQLException {
            try (Services svc = Services.start(services.settings(), false);
                    HikariDataSource ds = Pools.open(svc.database(), "bench")) {
                System.out.print(new io.chronoperf.bench.CaptureBenchmark(ds).run(statements, rounds));
            }
            return 0;
        }
    }

    @Command(
            name = "analyze",
            mixinStandardHelpOptions = true,
            description = "The query analysis's own cost (connection, safety check, rules, what-ifs) on admin queries.")
    static final class AnalyzeBench implements Callable<Integer> {
        @Mixin
        ServiceOptions services;

        @Option(
                names = "--rounds",
                defaultValue = "20",
                description = "Analyses of each query. Default: ${DEFAULT-VALUE}.")
        int rounds;

        @Option(
                names = "--statements",
                defaultValue = "1000",
                description = "Distinct pg_stat_statements entries to analyse. Default: ${DEFAULT-VALUE}.")
        int statements;

        @Option(
                names = "--fill",
                description = "First run that many distinct admin query shapes, so that pg_stat_statements has them.")
        boolean fill;

        @Override
        public Integer call() throws java.sql.SQLException {
            try (Services svc = Services.start(services.settings(), false)) {
                io.chronoperf.advisor.analyze.QueryAnalyzer analyzer = io.chronoperf.advisor.analyze.AnalysisRole.setup(
                                svc.database().jdbcUrl(),
                                svc.database().user(),
                                svc.database().password(),
                                null,
                                null,
                                io.chronoperf.runtime.TokenSecret.resolve(services.settings()))
                        .analyzer(io.chronoperf.advisor.analyze.QueryAnalyzer.Options.DEFAULT);
                io.chronoperf.bench.AnalyzeBenchmark bench = new io.chronoperf.bench.AnalyzeBenchmark(analyzer);
                System.out.print(bench.run(rounds));
                System.out.print(bench.runStatStatements(() -> svc.database().connect(), statements, fill));
            }
            return 0;
        }
    }

    @Command(
            name = "fleet",
            mixinStandardHelpOptions = true,
            description = "The monitor watching a fleet of small databases it creates (cp_fleet_NNN): an hour of"
                    + " simulated samples, the cost of a sample per database, the history's size per database-day,"
                    + " the time to read a 24-hour window of one database.")
    static final class FleetBench implements Callable<Integer> {
        @Mixin
        ServiceOptions services;

        @Option(
                names = "--databases",
                defaultValue = "100",
                description = "Databases to create and watch. Default: ${DEFAULT-VALUE}.")
        int databases;

        @Option(
                names = "--simulated",
                defaultValue = "PT1H",
                description = "Simulated time to sample (ISO-8601). Default: ${DEFAULT-VALUE}.")
        java.time.Duration simulated;

        @Option(
                names = "--interval",
                defaultValue = "PT30S",
                description = "The sampling interval (the server's default). Default: ${DEFAULT-VALUE}.")
        java.time.Duration interval;

        @Override
        public Integer call() throws java.sql.SQLException {
            if (databases < 1 || databases > 1000) {
                System.err.println("chrono-perf: --databases must be from 1 to 1000, not " + databases);
                return 2;
            }
            if (interval.isNegative() || interval.isZero() || simulated.compareTo(interval) < 0) {
                System.err.println("chrono-perf: --interval must be positive and at most --simulated");
                return 2;
            }
            try (Services svc = Services.start(services.settings(), false)) {
                System.out.printf(
                        "creating %d databases and sampling %s of simulated time every %s%n",
                        databases, simulated, interval);
                io.chronoperf.bench.FleetBenchmark.Report r = io.chronoperf.bench.FleetBenchmark.run(
                        svc.database(), databases, simulated, interval, System.out::println);
                System.out.printf(
                        java.util.Locale.ROOT,
                        "%n| databases | rounds | sample p50 | sample p95 | one round (all databases) | history per"
                                + " database-hour | per database-day | 24 h window: series | 24 h window: slow"
                                + " queries | rows in the window |%n"
                                + "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|%n"
                                + "| %d | %d | %.1f ms | %.1f ms | %.2f s | %d kB | %.1f MB | %.1f ms | %.1f ms"
                                + " | %,d |%n",
                        r.databases(),
                        r.rounds(),
                        r.sampleP50Ms(),
                        r.sampleP95Ms(),
                        r.roundSeconds(),
                        r.historyBytesPerDatabaseHour() / 1024,
                        r.historyBytesPerDatabaseDay() / 1024.0 / 1024.0,
                        r.window24hSeriesMs(),
                        r.window24hSlowQueriesMs(),
                        r.rows24h());
            }
            return 0;
        }
    }

    @Command(
            name = "replicas",
            mixinStandardHelpOptions = true,
            description = "What the read routing costs and where reads go: a point read timed on the primary, through"
                    + " the routing with the primary idle, and through it under a stream of writes (a table"
                    + " cp_replica_bench is made on the primary and dropped at the end).")
    static final class ReplicaBench implements Callable<Integer> {
        @Mixin
        ServiceOptions services;

        @Option(
                names = "--replica-url",
                required = true,
                description = "A streaming replica of --db-url (JDBC or postgres:// URL; the primary's user unless it"
                        + " names one).")
        String replicaUrl;

        @Option(
                names = "--reads",
                defaultValue = "3000",
                description = "Reads per way of reading. Default: ${DEFAULT-VALUE}.")
        int reads;

        @Option(
                names = "--max-lag",
                defaultValue = "PT0.1S",
                description = "The lag bound (CHRONO_PERF_DB_REPLICA_MAX_LAG). Default: ${DEFAULT-VALUE}.")
        java.time.Duration maxLag;

        @Option(
                names = "--write-every",
                defaultValue = "PT0.01S",
                description = "The writer's pause between two updates. Default: ${DEFAULT-VALUE}.")
        java.time.Duration writeEvery;

        @Override
        public Integer call() throws Exception {
            if (reads < 10 || reads > 1_000_000) {
                System.err.println("chrono-perf: --reads must be from 10 to 1000000, not " + reads);
                return 2;
            }
            try (Services svc = Services.start(services.settings(), false)) {
                io.chronoperf.runtime.DatabaseEndpoint primary = svc.database();
                io.chronoperf.runtime.DatabaseEndpoint replica = io.chronoperf.server.replica.ReplicaConfig.parse(
                                replicaUrl, primary.user(), primary.password())
                        .get(0);
                List<io.chronoperf.bench.ReplicaBenchmark.Phase> phases = io.chronoperf.bench.ReplicaBenchmark.run(
                        primary, replica, reads, maxLag, writeEvery, System.out::println);
                System.out.printf("%n| reads | p50 | p95 | on the replica | primary: replica behind | primary:"
                        + " replica lagging | primary: replica down | writes meanwhile |%n"
                        + "|---|---:|---:|---:|---:|---:|---:|---:|%n");
                for (var p : phases) {
                    var routes = p.routes();
                    System.out.printf(
                            java.util.Locale.ROOT,
                            "| %s | %.2f ms | %.2f ms | %s | %s | %s | %s | %d |%n",
                            p.name(),
                            p.p50Ms(),
                            p.p95Ms(),
                            share(routes, io.chronoperf.server.replica.ReadReplicas.Route.REPLICA, p.reads()),
                            share(
                                    routes,
                                    io.chronoperf.server.replica.ReadReplicas.Route.PRIMARY_REPLICA_BEHIND,
                                    p.reads()),
                            share(
                                    routes,
                                    io.chronoperf.server.replica.ReadReplicas.Route.PRIMARY_REPLICA_LAGGING,
                                    p.reads()),
                            share(
                                    routes,
                                    io.chronoperf.server.replica.ReadReplicas.Route.PRIMARY_REPLICA_DOWN,
                                    p.reads()),
                            p.writes());
                }
            }
            return 0;
        }

        private static String share(
                java.util.Map<io.chronoperf.server.replica.ReadReplicas.Route, Long> routes,
                io.chronoperf.server.replica.ReadReplicas.Route route,
                int reads) {
            if (routes.isEmpty()) {
                return "–";
            }
            long n = routes.getOrDefault(route, 0L);
            return String.format(java.util.Locale.ROOT, "%d (%.1f%%)", n, 100.0 * n / reads);
        }
    }

    @Command(
            name = "snapshot",
            mixinStandardHelpOptions = true,
            description = "The cost of one monitoring snapshot (database collector and statement summary).")
    static final class SnapshotBench implements Callable<Integer> {
        @Mixin
        ServiceOptions services;

        @Option(names = "--runs", defaultValue = "30", description = "Snapshots to take. Default: ${DEFAULT-VALUE}.")
        int runs;

        @Override
        public Integer call() throws java.sql.SQLException {
            try (Services svc = Services.start(services.settings(), false);
                    java.sql.Connection c = svc.database().connect()) {
                io.chronoperf.monitor.DatabaseCollector collector = new io.chronoperf.monitor.DatabaseCollector(
                        io.chronoperf.monitor.DatabaseCollector.Options.DEFAULT);
                long[] nanos = new long[runs];
                collector.collect(c); // warm-up
                for (int i = 0; i < runs; i++) {
                    long t = System.nanoTime();
                    collector.collect(c);
                    io.chronoperf.monitor.StatementSummary.of(c);
                    nanos[i] = System.nanoTime() - t;
                }
                java.util.Arrays.sort(nanos);
                long tables;
                long indexes;
                try (java.sql.Statement s = c.createStatement();
                        java.sql.ResultSet rs = s.executeQuery(
                                "SELECT count(*) FILTER (WHERE relkind = 'r'), count(*) FILTER (WHERE relkind = 'i') "
                                        + "FROM pg_class"
                                        + " c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname NOT IN "
                                        + "('pg_catalog', 'information_schema', 'pg_toast')")) {
                    rs.next();
                    tables = rs.getLong(1);
                    indexes = rs.getLong(2);
                }
                System.out.printf(
                        java.util.Locale.ROOT,
                        "snapshot of a database with %d tables and %d indexes: p50 %.1f ms,"
                                + " p95 %.1f ms over %d runs%n",
                        tables,
                        indexes,
                        nanos[runs / 2] / 1e6,
                        nanos[(int) (runs * 0.95)] / 1e6,
                        runs);
            }
            return 0;
        }
    }

    @Command(
            name = "tpch",
            mixinStandardHelpOptions = true,
            description = "The index advisor on TPC-H (19 queries, no keys or indexes): workload cost relative to the"
                    + " unindexed one across budgets, with runtime and planner calls.")
    static final class TpchBench implements Callable<Integer> {
        @Mixin
        ServiceOptions services;

        @Option(names = "--load", description = "Generate and load the data first (drops the TPC-H tables).")
        boolean load;

        @Option(names = "--scale", defaultValue = "1", description = "TPC-H scale factor. Default: ${DEFAULT-VALUE}.")
        double scale;

        @Option(
                names = "--budgets",
                split = ",",
                defaultValue = "100MB,200MB,600MB,1GB,3GB",
                converter = Sizes.class,
                description = "Storage budgets. Default: ${DEFAULT-VALUE}.")
        java.util.List<Long> budgets;

        @Option(
                names = "--max-width",
                defaultValue = "2",
                description = "Most columns per index. Default: ${DEFAULT-VALUE}.")
        int maxWidth;

        @Option(
                names = "--no-covering",
                description = "Key columns only, no INCLUDE variants (the literature's setting). Default: the"
                        + " advisor's defaults, covering variants on.")
        boolean noCovering;

        @Override
        public Integer call() throws Exception {
            try (Services svc = Services.start(services.settings(), false)) {
                java.util.function.Supplier<java.sql.Connection> connections =
                        () -> svc.database().connect();
                if (load) {
                    long start = System.nanoTime();
                    System.out.printf(java.util.Locale.ROOT, "loading TPC-H at scale factor %s%n", scale);
                    io.chronoperf.bench.Tpch.load(connections, scale, System.out::println);
                    System.out.printf(
                            java.util.Locale.ROOT,
                            "loaded and analyzed in %.1f s%n",
                            (System.nanoTime() - start) / 1e9);
                }
                io.chronoperf.advisor.index.Workload workload = io.chronoperf.bench.Tpch.workload();
                try (java.sql.Connection c = connections.get()) {
                    System.out.println(c.getMetaData().getDatabaseProductName() + " "
                            + c.getMetaData().getDatabaseProductVersion() + hypopgVersion(c));
                    System.out.println("| budget | relative cost | re-costed with HypoPG | indexes | used"
                            + " | planner calls | runtime |");
                    System.out.println("|---:|---:|---:|---:|---:|---:|---:|");
                    for (long budget : budgets) {
                        io.chronoperf.advisor.index.IndexAdvisor advisor = new io.chronoperf.advisor.index.IndexAdvisor(
                                new io.chronoperf.advisor.index.IndexAdvisor.Options(
                                        budget,
                                        maxWidth,
                                        0,
                                        io.chronoperf.advisor.index.IndexAdvisor.Options.DEFAULT.minImprovementPct(),
                                        256L << 20,
                                        10L << 20,
                                        !noCovering),
                                step -> {});
                        io.chronoperf.advisor.index.IndexAdvisor.Advice a =
                                advisor.advise(c, workload, connections::get);
                        String recost = "(no HypoPG)";
                        if (!hypopgVersion(c).startsWith(", no")) {
                            try (java.sql.Connection fresh = connections.get()) {
                                double[] r = io.chronoperf.bench.Tpch.recostWithHypopg(fresh, workload, a.indexes());
                                recost = String.format(java.util.Locale.ROOT, "%.2f%%", 100 * r[1] / r[0]);
                            }
                        }
                        System.out.printf(
                                java.util.Locale.ROOT,
                                "| %s | %.2f%% | %s | %d | %s | %d | %.1f s |%n",
                                Sizes.format(budget),
                                100 * a.relativeCost(),
                                recost,
                                a.indexes().size(),
                                Sizes.format(a.usedBytes()),
                                a.plannerCalls(),
                                a.runtimeMs() / 1000.0);
                        for (var r : a.indexes()) {
                            System.out.printf(
                                    java.util.Locale.ROOT, "    %s (%s)%n", r.ddl(), Sizes.format(r.sizeBytes()));
                        }
                    }
                }
            }
            return 0;
        }

        private static String hypopgVersion(java.sql.Connection c) throws java.sql.SQLException {
            try (java.sql.Statement s = c.createStatement();
                    java.sql.ResultSet rs =
                            s.executeQuery("SELECT extversion FROM pg_extension WHERE extname = 'hypopg'")) {
                return rs.next() ? ", HypoPG " + rs.getString(1) : ", no HypoPG (what-if on copies)";
            }
        }
    }

    @Command(
            name = "advisor",
            mixinStandardHelpOptions = true,
            description =
                    "The index advisor against the 46 strategic indexes on the admin query mix (data already loaded:"
                            + " run seed first): mean time per query with the 46, with none, and with the advisor's "
                            + "set chosen"
                            + " under half of their size from the pg_stat_statements of the mix.")
    static final class AdvisorBench implements Callable<Integer> {
        @Mixin
        ServiceOptions services;

        @Option(
                names = "--iterations",
                defaultValue = "50",
                description = "Runs per query with indexes. Default: ${DEFAULT-VALUE}.")
        int iterations;

        @Option(
                names = "--iterations-without",
                defaultValue = "5",
                description = "Runs per query without. Default: ${DEFAULT-VALUE}.")
        int iterationsWithout;

        @Override
        public Integer call() throws java.sql.SQLException {
            try (Services svc = Services.start(services.settings(), false);
                    HikariDataSource ds = Pools.open(svc.database(), "bench")) {
                io.chronoperf.bench.AdvisorBenchmark.Result r = new io.chronoperf.bench.AdvisorBenchmark(
                                ds, System.out::println)
                        .run(iterations, iterationsWithout, 42);
                var a = r.advice();
                System.out.printf(
                        java.util.Locale.ROOT,
                        "%n| query | 46 strategic (ms) | none (ms) | advisor (ms) |%n|---|---:|---:|---:|%n");
                r.perQuery()
                        .forEach((k, v) -> System.out.printf(
                                java.util.Locale.ROOT, "| %s | %.2f | %.2f | %.2f |%n", k, v[0], v[1], v[2]));
                System.out.printf(
                        java.util.Locale.ROOT,
                        "| **sum of means** | %.1f | %.1f | %.1f |%n",
                        r.withStrategicMs(),
                        r.withoutMs(),
                        r.withAdvisorMs());
                System.out.printf(
                        java.util.Locale.ROOT,
                        "%nspeedup over no index: 46 strategic %.1fx (%s), advisor %.1fx (%d indexes, %s,"
                                + " budget %s = half); what-if %s, %d planner calls, %.1f s%n",
                        r.strategicSpeedup(),
                        Sizes.format(r.strategicBytes()),
                        r.advisorSpeedup(),
                        a.indexes().size(),
                        Sizes.format(a.usedBytes()),
                        Sizes.format(r.budgetBytes()),
                        a.method(),
                        a.plannerCalls(),
                        a.runtimeMs() / 1000.0);
            }
            return 0;
        }
    }

    @Command(
            name = "dashboard",
            mixinStandardHelpOptions = true,
            description = "GET /api/v1/admin/performance/dashboard over HTTP against a server started in this process:"
                    + " p50/p95/p99 when served from the cache, and the cost of building it.")
    static final class DashboardBench implements Callable<Integer> {
        @Mixin
        ServiceOptions services;

        @Option(names = "--requests", defaultValue = "2000", description = "Requests timed. Default: ${DEFAULT-VALUE}.")
        int requests;

        @Override
        public Integer call() throws Exception {
            try (InProcessServer server = InProcessServer.start(services.settings())) {
                var context = server.context();
                {
                    int port = server.port();
                    String token = server.token("viewer");
                    java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
                    java.net.http.HttpRequest get = java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                                    "http://127.0.0.1:" + port + "/api/v1/admin/performance/dashboard"))
                            .header("Authorization", "Bearer " + token)
                            .GET()
                            .build();
                    context.getBean(io.chronoperf.server.schedule.TasksConfig.BackgroundTasks.class)
                            .sample();
                    var performance = context.getBean(io.chronoperf.server.performance.PerformanceService.class);
                    long[] build = new long[20];
                    for (int i = 0; i < build.length; i++) {
                        long t = System.nanoTime();
                        performance.buildDashboard();
                        build[i] = System.nanoTime() - t;
                    }
                    for (int i = 0; i < 200; i++) { // warm-up: JIT, connections, the cached document
                        http.send(get, java.net.http.HttpResponse.BodyHandlers.ofByteArray());
                    }
                    long[] nanos = new long[requests];
                    long bytes = 0;
                    for (int i = 0; i < requests; i++) {
                        long t = System.nanoTime();
                        var r = http.send(get, java.net.http.HttpResponse.BodyHandlers.ofByteArray());
                        nanos[i] = System.nanoTime() - t;
                        if (r.statusCode() != 200) {
                            throw new IllegalStateException("GET dashboard answered " + r.statusCode());
                        }
                        bytes = r.body().length;
                    }
                    java.util.Arrays.sort(nanos);
                    java.util.Arrays.sort(build);
                    System.out.printf(
                            java.util.Locale.ROOT,
                            "GET dashboard (%,d bytes), %d requests over HTTP, cached:"
                                    + " p50 %.2f ms, p95 %.2f ms, p99 %.2f ms, max %.2f ms%nbuilding it (cache miss): "
                                    + "p50 %.1f ms, max %.1f ms%n",
                            bytes,
                            requests,
                            nanos[requests / 2] / 1e6,
                            nanos[(int) (requests * 0.95)] / 1e6,
                            nanos[(int) (requests * 0.99)] / 1e6,
                            nanos[requests - 1] / 1e6,
                            build[build.length / 2] / 1e6,
                            build[build.length - 1] / 1e6);
                }
            }
            return 0;
        }
    }

    @Command(
            name = "load",
            mixinStandardHelpOptions = true,
            description = {
                "The admin API under load over HTTP: CLIENTS concurrent clients (closed loop, like wrk) for"
                        + " DURATION, 95% reads and 5% writes of an admin console; errors, throughput, p50/p99 per "
                        + "request kind,"
                        + " the latency distribution drawn, and the pool's state (from the Prometheus scrape).",
                "Against a server started in this process on the configured database (default), or a running one (--url"
                        + " with --token)."
            })
    static final class LoadBench implements Callable<Integer> {
        @Mixin
        ServiceOptions services;

        @Option(
                names = "--clients",
                defaultValue = "200",
                description = "Concurrent clients. Default: ${DEFAULT-VALUE}.")
        int clients;

        @Option(names = "--duration", defaultValue = "60s", description = "Measured time. Default: ${DEFAULT-VALUE}.")
        String duration;

        @Option(
                names = "--warmup",
                defaultValue = "10s",
                description = "Unmeasured time first. Default: ${DEFAULT-VALUE}.")
        String warmup;

        @Option(
                names = "--write-share",
                defaultValue = "0.05",
                description = "Share of writes (lock/unlock). Default: ${DEFAULT-VALUE}.")
        double writeShare;

        @Option(
                names = "--url",
                paramLabel = "URL",
                description = "A running server's base URL, e.g. http://127.0.0.1:8080.")
        String url;

        @Option(
                names = "--token",
                paramLabel = "TOKEN",
                description = "With --url: an admin token (./chrono-perf token --role admin).")
        String token;

        @Option(
                names = "--users",
                defaultValue = "0",
                description = "With --url: how many users the ids range over. Default: counted.")
        int users;

        @Override
        public Integer call() throws Exception {
            if (clients < 1 || clients > 2000) {
                throw new picocli.CommandLine.ParameterException(
                        new picocli.CommandLine(this), "--clients must be 1 to 2000");
            }
            if (writeShare < 0 || writeShare > 1) {
                throw new picocli.CommandLine.ParameterException(
                        new picocli.CommandLine(this), "--write-share must be 0 to 1");
            }
            java.time.Duration d = Durations.parse("--duration", duration);
            java.time.Duration w = Durations.parse("--warmup", warmup);
            if (url != null) {
                if (token == null || users < 1) {
                    throw new picocli.CommandLine.ParameterException(
                            new picocli.CommandLine(this),
                            "--url needs --token (an admin token) and --users (how many users the server has)");
                }
                return run(url, token, users, d, w);
            }
            try (InProcessServer server = InProcessServer.start(services.settings())) {
                int count = users > 0 ? users : server.countUsers();
                return run("http://127.0.0.1:" + server.port(), server.token("admin"), count, d, w);
            }
        }

        private int run(String base, String adminToken, int userCount, java.time.Duration d, java.time.Duration w)
                throws Exception {
            System.out.printf(
                    "load: %d clients, %s warm-up then %s measured, %.0f%% writes, against %s (%,d users)%n",
                    clients, warmup, duration, writeShare * 100, base, userCount);
            var report = io.chronoperf.bench.LoadBenchmark.run(
                    new io.chronoperf.bench.LoadBenchmark.Options(
                            base, adminToken, clients, d, w, userCount, writeShare, 42),
                    System.out::println);
            System.out.println();
            System.out.print(io.chronoperf.bench.LoadBenchmark.format(report));
            return report.errors() == 0 ? 0 : 1;
        }
    }
}
