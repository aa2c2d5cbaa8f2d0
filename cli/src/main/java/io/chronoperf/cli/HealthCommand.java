package io.chronoperf.cli;

import io.chronoperf.monitor.BlindSpots;
import io.chronoperf.monitor.DatabaseCollector;
import io.chronoperf.monitor.HealthScore;
import io.chronoperf.monitor.StatementSummary;
import io.chronoperf.runtime.Services;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.json.JsonMapper;

@Command(
        name = "health",
        mixinStandardHelpOptions = true,
        description =
                "A health report for any PostgreSQL database: score, components, index hygiene, maintenance risks."
                        + " Exit status 0 healthy, 1 warning, 2 critical.")
final class HealthCommand implements Callable<Integer> {
    @Mixin
    ServiceOptions services;

    @Option(names = "--json", description = "Print the report as JSON for scripts.")
    boolean json;

    @Override
    public Integer call() throws SQLException {
        try (Services svc = Services.start(services.settings(), false);
                Connection c = svc.database().connect()) {
            DatabaseCollector.Snapshot s = new DatabaseCollector(DatabaseCollector.Options.DEFAULT).collect(c);
            StatementSummary statements = StatementSummary.of(c);
            // no stored history here: the cumulative ratio, and the score says so
            HealthScore.Result r = HealthScore.of(s, statements, HealthScore.CacheWindow.sinceReset(s), false);
            List<BlindSpots.BlindSpot> blindSpots = BlindSpots.of(c);
            if (json) {
                Map<String, Object> doc = new LinkedHashMap<>();
                doc.put("status", r.status());
                doc.put("score", r.score());
                doc.put("partial", r.partial());
                doc.put("not_measured", r.notMeasured());
                doc.put("components", r.components());
                doc.put("cache_hit_window", r.cacheWindow());
                doc.put("blind_spots", blindSpots);
                doc.put("statements", statements);
                doc.put("snapshot", s);
                System.out.println(JsonMapper.builder()
                        .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                        .build()
                        .writerWithDefaultPrettyPrinter()
                        .writeValueAsString(doc));
            } else {
                print(s, statements, r, blindSpots);
            }
            return r.status().equals("healthy") ? 0 : r.status().equals("warning") ? 1 : 2;
        }
    }

    private static void print(
            DatabaseCollector.Snapshot s,
            StatementSummary statements,
            HealthScore.Result r,
            List<BlindSpots.BlindSpot> blindSpots) {
        boolean tty = System.console() != null;
        String color = !tty
                ? ""
                : r.status().equals("healthy")
                        ? "\u001b[32m"
                        : r.status().equals("warning") ? "\u001b[33m" : "\u001b[31m";
        String reset = tty ? "\u001b[0m" : "";
        System.out.printf(
                Locale.ROOT,
                "%s%s: %.1f / 100%s%s  (%s)%n",
                color,
                r.status().toUpperCase(Locale.ROOT),
                r.score(),
                reset,
                r.partial() ? " PARTIAL: not everything could be measured" : "",
                s.database().name());
        r.notMeasured().forEach(n -> System.out.println("  not measured: " + n));
        for (HealthScore.Component comp : r.components()) {
            System.out.printf(Locale.ROOT, "  -%-5.1f %-20s %s%n", comp.penalty(), comp.name(), comp.reason());
        }
        System.out.printf(
                Locale.ROOT,
                "%ndatabase   %,d MB, cache hit %s %s, %d deadlocks, %,d temp files%n",
                s.database().sizeBytes() >> 20,
                s.database().cacheHitRatioPct() == null
                        ? "n/a"
                        : String.format(Locale.ROOT, "%.2f%%", s.database().cacheHitRatioPct()),
                r.cacheWindow(),
                s.database().deadlocks(),
                s.database().tempFiles());
        System.out.printf(
                Locale.ROOT,
                "sessions   %d of %d connections, %d idle in transaction, %d long-running, %d blocked%n",
                s.connections().total(),
                s.connections().maxConnections(),
                s.connections().idleInTransaction(),
                s.longRunning().size(),
                s.blocked().size());
        System.out.printf(
                Locale.ROOT,
                "statements %s%n",
                statements.available()
                        ? statements.statements() + " in pg_stat_statements, " + statements.slow()
                                + " slow (>= 200 ms mean), " + statements.critical() + " critical (>= 1 s)"
                        : "pg_stat_statements cannot be read: no slow-statement figures (blind spots below)");
        System.out.printf(Locale.ROOT, "xid age    %.1f%% of the wraparound horizon%n", s.xidAgePct());
        if (!blindSpots.isEmpty()) {
            System.out.println("\nblind spots:");
            for (BlindSpots.BlindSpot b : blindSpots) {
                System.out.printf(
                        Locale.ROOT, "  %s %s: %s%n", b.name(), b.state().replace('_', ' '), b.effect());
                b.fix().forEach(f -> System.out.println("    " + f));
            }
        }
        if (!s.indexes().isEmpty()) {
            System.out.println("\nindex hygiene:");
            s.indexes()
                    .forEach(i -> System.out.printf(
                            Locale.ROOT,
                            "  %-9s %s on %s (%,d kB): %s%n    %s%n",
                            i.kind(),
                            i.index(),
                            i.table(),
                            i.sizeBytes() >> 10,
                            i.detail(),
                            i.fix()));
        }
        if (!s.bloat().isEmpty()) {
            System.out.println("\nbloat (estimated):");
            s.bloat()
                    .forEach(b -> System.out.printf(
                            Locale.ROOT,
                            "  %-5s %s (%,d kB, %,d kB or %.0f%% bloat)%n    %s%n",
                            b.kind(),
                            b.index() == null ? b.table() : b.index(),
                            b.sizeBytes() >> 10,
                            b.bloatBytes() >> 10,
                            b.bloatPct(),
                            b.fix()));
        }
        if (!s.replicas().isEmpty()) {
            System.out.println("\nreplicas:");
            s.replicas()
                    .forEach(rep -> System.out.printf(
                            Locale.ROOT,
                            "  %s %s %s replay lag %s s, %s bytes behind%n",
                            rep.name(),
                            rep.clientAddress(),
                            rep.state(),
                            rep.replayLagSeconds(),
                            rep.lagBytes()));
        }
        if (!s.sequences().isEmpty()) {
            System.out.println("\nsequences near their maximum:");
            s.sequences().forEach(q -> System.out.printf(Locale.ROOT, "  %s at %.1f%%%n", q.sequence(), q.usedPct()));
        }
    }
}
