package io.chronoperf.bench;

import io.chronoperf.admin.AdminSchema;
import io.chronoperf.admin.StrategicIndexes;
import io.chronoperf.admin.repository.AuditLogRepository;
import io.chronoperf.admin.repository.BackupRepository;
import io.chronoperf.admin.repository.ProjectRepository;
import io.chronoperf.admin.repository.SecurityEventRepository;
import io.chronoperf.admin.repository.UserRepository;
import io.chronoperf.admin.seed.DemoData;
import io.chronoperf.admin.seed.Scale;
import io.chronoperf.admin.seed.SeedProgress;
import io.chronoperf.runtime.ChronoPerfException;
import io.chronoperf.runtime.ErrorCode;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import javax.sql.DataSource;

/**
 * The admin workload benchmark: every admin query family, run through the admin library (the
 * same SQL the API runs, uncached), first with the strategic indexes, then with them dropped,
 * then the indexes are built again. Reports p50/p95/p99 per query and family and the speedup.
 *
 * <p>Each query draws its parameters (a pending user, an email, an attacking IP, an admin id)
 * from the data, so that plans are not measured on one lucky value. Warm-up runs first so that
 * both sides are measured with a warm buffer cache: the difference is the indexes, not the disk.
 */
public final class WorkloadBenchmark {
    /** Options of one run. */
    public record Options(
            Scale scale, long seed, int iterations, int iterationsWithoutIndexes, int warmup, boolean reseed) {}

    /** Latencies of one query or family, with and without the strategic indexes. */
    public record Line(
            String family,
            String query,
            int samples,
            double p50,
            double p95,
            double p99,
            int samplesWithout,
            double p50Without,
            double p95Without,
            double p99Without) {
        public double speedupP95() {
            return p95Without / p95;
        }
    }

    /** The whole report. */
    public record Report(
            Scale scale,
            DemoData.Result seeding,
            List<Line> queries,
            List<Line> families,
            int strategicIndexes,
            long strategicIndexBytes,
            Duration indexRebuild,
            Duration total) {}

    private final DataSource dataSource;
    private final Consumer<String> log;

    public WorkloadBenchmark(DataSource dataSource, Consumer<String> log) {
        this.dataSource = dataSource;
        this.log = log;
    }

    public Report run(Options options, SeedProgress progress) {
        long start = System.nanoTime();
        AdminSchema.of(dataSource).withLog(log).migrate();
        DemoData.Result seeding = null;
        long users = scalar("SELECT count(*) FROM users");
        if (options.reseed() || users != options.scale().usersCount()) {
            log.accept("loading " + options.scale() + " demo data ("
                    + options.scale().totalRows() + " rows)");
            seeding = DemoData.load(dataSource, options.scale(), options.seed(), true, progress);
            log.accept(String.format(
                    "loaded %,d rows at %,.0f rows/s; %d indexes built in %.1f s",
                    seeding.rows(),
                    seeding.rowsPerSecond(),
                    seeding.indexesBuilt(),
                    seeding.indexTime().toMillis() / 1000.0));
        } else {
            log.accept("reusing the " + options.scale() + " data already loaded (" + users + " users)");
        }
        List<QueryCase> cases = cases();
        List<StrategicIndexes.Index> indexes = StrategicIndexes.list(dataSource);
        if (indexes.size() != 46) {
            throw new ChronoPerfException(
                    ErrorCode.MIGRATION,
                    "Expected the 46 strategic indexes, found " + indexes.size()
                            + ". Run ./chrono-perf migrate first.");
        }
        long indexBytes =
                indexes.stream().mapToLong(StrategicIndexes.Index::sizeBytes).sum();

        log.accept("measuring with the strategic indexes: " + options.iterations() + " runs per query");
        Map<String, long[]> with = measure(cases, options.warmup(), options.iterations(), options.seed());

        log.accept("dropping the 46 strategic indexes");
        try (Connection c = dataSource.getConnection()) {
            StrategicIndexes.drop(c, indexes);
            analyze(c);
        } catch (SQLException e) {
            throw new ChronoPerfException(ErrorCode.SERVICE_UNAVAILABLE, e.getMessage(), e);
        }
        Map<String, long[]> without;
        Duration rebuild;
        try {
            log.accept("measuring without them: " + options.iterationsWithoutIndexes() + " runs per query");
            without = measure(cases, 1, options.iterationsWithoutIndexes(), options.seed());
        } finally {
            log.accept("building the strategic indexes again");
            long t = System.nanoTime();
            try (Connection c = dataSource.getConnection()) {
                StrategicIndexes.restore(c, indexes, ix -> {});
            } catch (SQLException e) {
                throw new ChronoPerfException(ErrorCode.SERVICE_UNAVAILABLE, e.getMessage(), e);
            }
            rebuild = Duration.ofNanos(System.nanoTime() - t);
        }

        List<Line> queries = new ArrayList<>();
        Map<String, List<long[]>> byFamilyWith = new LinkedHashMap<>();
        Map<String, List<long[]>> byFamilyWithout = new LinkedHashMap<>();
        for (QueryCase qc : cases) {
            String key = qc.family() + "." + qc.name();
            queries.add(line(qc.family(), qc.name(), with.get(key), without.get(key)));
            byFamilyWith.computeIfAbsent(qc.family(), f -> new ArrayList<>()).add(with.get(key));
            byFamilyWithout.computeIfAbsent(qc.family(), f -> new ArrayList<>()).add(without.get(key));
        }
        List<Line> families = new ArrayList<>();
        for (String family : byFamilyWith.keySet()) {
            families.add(line(family, "all", concat(byFamilyWith.get(family)), concat(byFamilyWithout.get(family))));
        }
        return new Report(
                options.scale(),
                seeding,
                queries,
                families,
                indexes.size(),
                indexBytes,
                rebuild,
                Duration.ofNanos(System.nanoTime() - start));
    }

    Map<String, long[]> measure(List<QueryCase> cases, int warmup, int iterations, long seed) {
        Map<String, long[]> samples = new LinkedHashMap<>();
        for (QueryCase qc : cases) {
            SplittableRandom random = new SplittableRandom(seed ^ qc.name().hashCode());
            for (int i = 0; i < warmup; i++) {
                qc.call().run(random);
            }
            random = new SplittableRandom(seed ^ qc.name().hashCode()); // same parameters with and without
            long[] nanos = new long[iterations];
            long sink = 0;
            for (int i = 0; i < iterations; i++) {
                long t = System.nanoTime();
                sink += qc.call().run(random);
                nanos[i] = System.nanoTime() - t;
            }
            if (sink < 0) {
                throw new IllegalStateException("unreachable");
            }
            samples.put(qc.family() + "." + qc.name(), nanos);
            log.accept(
                    String.format("  %-34s p95 %9.2f ms", qc.family() + "." + qc.name(), new Percentiles(nanos).p(95)));
        }
        return samples;
    }

    List<QueryCase> cases() {
        Clock clock = Clock.systemUTC();
        UserRepository users = new UserRepository(dataSource);
        AuditLogRepository audit = new AuditLogRepository(dataSource, clock);
        SecurityEventRepository security = new SecurityEventRepository(dataSource, clock);
        BackupRepository backups = new BackupRepository(dataSource);
        ProjectRepository projects = new ProjectRepository(dataSource);

        long userCount = scalar("SELECT count(*) FROM users");
        long staff = scalar("SELECT count(*) FROM users WHERE role <> 'user'");
        long projectOwners = scalar("SELECT max(user_id) FROM projects");
        List<String> attackers =
                security.topOffenders(24, 50).stream().map(o -> o.ipAddress()).toList();
        Instant now = Instant.now();
        String[] statuses = {"pending", "approved", "rejected"};
        String[] terms = {"garcia", "smith.", "example.org", "olga", "nguyen"};
        String[] categories = AuditLogRepository.CATEGORIES.stream().sorted().toArray(String[]::new);

        List<QueryCase> cases = new ArrayList<>();
        cases.add(new QueryCase("users", "dashboard", r -> users.dashboard().total()));
        cases.add(new QueryCase(
                "users",
                "approval_queue",
                r -> users.approvalQueue(50, null).items().size()));
        cases.add(new QueryCase(
                "users",
                "list_by_status",
                r -> users.list(new UserRepository.Filter(statuses[r.nextInt(3)], true, null, null, null), 50, null)
                        .items()
                        .size()));
        cases.add(new QueryCase(
                "users",
                "list_by_risk",
                r -> users.list(new UserRepository.Filter(null, null, null, null, "risk_score"), 50, null)
                        .items()
                        .size()));
        cases.add(new QueryCase(
                "users",
                "search",
                r -> users.list(
                                new UserRepository.Filter(null, null, null, terms[r.nextInt(terms.length)], null),
                                50,
                                null)
                        .items()
                        .size()));
        cases.add(new QueryCase("users", "by_email", r -> {
            long id = 1 + r.nextLong(userCount);
            String email = users.byId(id).map(u -> u.email()).orElse("none@example.com");
            return users.byEmail(email).isPresent() ? 1 : 0;
        }));
        cases.add(new QueryCase(
                "users",
                "security_status",
                r -> users.securityStatus(70, 50).riskiest().size()));
        cases.add(new QueryCase(
                "audit",
                "by_admin_7d",
                r -> audit.list(
                                new AuditLogRepository.Filter(
                                        1 + r.nextLong(staff), null, null, null, now.minus(Duration.ofDays(7)), null),
                                50,
                                null)
                        .items()
                        .size()));
        cases.add(new QueryCase(
                "audit",
                "by_category_severity_24h",
                r -> audit.list(
                                new AuditLogRepository.Filter(
                                        null,
                                        categories[r.nextInt(categories.length)],
                                        r.nextBoolean() ? "high" : "critical",
                                        null,
                                        null,
                                        null),
                                50,
                                null)
                        .items()
                        .size()));
        cases.add(new QueryCase(
                "audit",
                "failures_24h",
                r -> audit.list(new AuditLogRepository.Filter(null, null, null, false, null, null), 50, null)
                        .items()
                        .size()));
        cases.add(new QueryCase(
                "audit",
                "stats_24h_hourly",
                r -> audit.stats(null, null, "hour").buckets().size()));
        cases.add(new QueryCase(
                "security",
                "recent_by_ip",
                r -> security.recentByIp(
                                attackers.isEmpty() ? "198.51.100.1" : attackers.get(r.nextInt(attackers.size())),
                                24,
                                100)
                        .size()));
        cases.add(new QueryCase(
                "security", "top_ips_24h", r -> security.topOffenders(24, 20).size()));
        cases.add(new QueryCase(
                "security",
                "high_risk",
                r -> security.highRisk(71 + r.nextInt(20), 50, null).items().size()));
        cases.add(new QueryCase(
                "backups",
                "failed_executions",
                r -> backups.executions("failed", 50, null).items().size()));
        cases.add(new QueryCase(
                "backups", "latest_health", r -> backups.latestHealth(200).size()));
        cases.add(new QueryCase(
                "projects",
                "with_pages",
                r -> projects.withPages(1 + r.nextLong(Math.max(1, projectOwners)), 20, 10)
                        .size()));
        return cases;
    }

    private static Line line(String family, String query, long[] with, long[] without) {
        Percentiles w = new Percentiles(with);
        Percentiles wo = new Percentiles(without);
        return new Line(family, query, w.count(), w.p(50), w.p(95), w.p(99), wo.count(), wo.p(50), wo.p(95), wo.p(99));
    }

    private static long[] concat(List<long[]> parts) {
        return parts.stream().flatMapToLong(java.util.Arrays::stream).toArray();
    }

    private static void analyze(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("ANALYZE");
        }
    }

    private long scalar(String sql) {
        try (Connection c = dataSource.getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new ChronoPerfException(ErrorCode.SERVICE_UNAVAILABLE, e.getMessage(), e);
        }
    }
}
