package io.chronoperf.cli;

import io.chronoperf.advisor.index.IndexAdvisor;
import io.chronoperf.advisor.index.IndexApplier;
import io.chronoperf.advisor.index.Workload;
import io.chronoperf.runtime.ChronoPerfException;
import io.chronoperf.runtime.ErrorCode;
import io.chronoperf.runtime.Services;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.json.JsonMapper;

@Command(
        name = "advise",
        mixinStandardHelpOptions = true,
        description = "Workload-wide index advice for any PostgreSQL database, verified by the planner (HypoPG when"
                + " installed, otherwise indexes built on copies of the tables), with index hygiene; --apply"
                + " creates the recommended indexes concurrently and times the read-only workload before and after.")
final class AdviseCommand implements Callable<Integer> {
    private static final JsonMapper JSON = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .build();

    @Mixin
    ServiceOptions services;

    @Option(
            names = "--workload",
            defaultValue = "pg_stat_statements",
            paramLabel = "pg_stat_statements|FILE|DIR",
            description =
                    "pg_stat_statements (the top statements by total time, weighted by calls), a file of statements"
                            + " separated by semicolons, or a directory of .sql files. Default: ${DEFAULT-VALUE}.")
    String workload;

    @Option(
            names = "--budget",
            defaultValue = "600MB",
            converter = Sizes.class,
            description = "Storage the new indexes may take (e.g. 600MB, 2GB). Default: 600MB.")
    long budget;

    @Option(
            names = "--max-width",
            defaultValue = "2",
            description = "Most columns per index, 1 to 8. Default: ${DEFAULT-VALUE}.")
    int maxWidth;

    @Option(names = "--max-indexes", defaultValue = "0", description = "Most indexes recommended (0: no limit).")
    int maxIndexes;

    @Option(
            names = "--min-improvement",
            defaultValue = "0.1",
            paramLabel = "PCT",
            description = "A step must save at least this share of the current workload cost, in percent. Default: "
                    + "${DEFAULT-VALUE}.")
    double minImprovement;

    @Option(
            names = "--weight",
            defaultValue = "calls",
            paramLabel = "calls|time",
            description = "With pg_stat_statements: weigh each statement by its calls or by its total time. Default: "
                    + "${DEFAULT-VALUE}.")
    String weight;

    @Option(
            names = "--statements",
            defaultValue = "200",
            description = "With pg_stat_statements: how many statements. Default: ${DEFAULT-VALUE}.")
    int statements;

    @Option(names = "--json", description = "Print the advice (and the outcome of --apply) as JSON.")
    boolean json;

    @Option(
            names = "--apply",
            description = "Create the recommended indexes (CREATE INDEX CONCURRENTLY, lock_timeout 5 s),"
                    + " check that each is valid, and time the read-only workload before and after. Never "
                    + "drops an index.")
    boolean apply;

    @Override
    public Integer call() throws SQLException, IOException {
        if (maxWidth < 1 || maxWidth > 8) {
            throw new ChronoPerfException(ErrorCode.BAD_INPUT, "--max-width must be from 1 to 8, not " + maxWidth);
        }
        try (Services svc = Services.start(services.settings(), false);
                Connection c = svc.database().connect()) {
            Workload w = load(c);
            if (w.queries().isEmpty()) {
                throw new ChronoPerfException(
                        ErrorCode.BAD_INPUT, "the workload " + w.source() + " holds no statements");
            }
            boolean tty = System.console() != null && !json;
            IndexAdvisor advisor = new IndexAdvisor(
                    new IndexAdvisor.Options(
                            budget,
                            maxWidth,
                            maxIndexes,
                            minImprovement,
                            IndexAdvisor.Options.DEFAULT.maxTableBytes(),
                            IndexAdvisor.Options.DEFAULT.unusedIndexMin()),
                    step -> {
                        if (tty) {
                            System.err.printf(Locale.ROOT, "\r  selecting: step %d", step);
                        }
                    });
            IndexAdvisor.Advice a = advisor.advise(c, w, () -> svc.database().connect());
            if (tty) {
                System.err.print("\r\u001b[K");
            }
            IndexApplier.Outcome outcome = null;
            if (apply && !a.indexes().isEmpty()) {
                outcome = new IndexApplier(Duration.ofSeconds(5), Duration.ofSeconds(60), line -> {
                            if (!json) {
                                System.err.println("  " + line);
                            }
                        })
                        .apply(c, w, a.indexes());
            }
            if (json) {
                Map<String, Object> doc = new LinkedHashMap<>();
                doc.put("advice", a);
                if (apply) {
                    doc.put("applied", outcome);
                }
                System.out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(doc));
            } else {
                print(a, outcome);
            }
            return outcome != null && outcome.indexes().stream().anyMatch(i -> !i.valid()) ? 1 : 0;
        }
    }

    private Workload load(Connection c) throws SQLException, IOException {
        if (workload.equals("pg_stat_statements")) {
            try {
                if (!weight.equals("calls") && !weight.equals("time")) {
                    throw new ChronoPerfException(ErrorCode.BAD_INPUT, "--weight must be calls or time, not " + weight);
                }
                return Workload.fromStatStatements(c, statements, weight.equals("time"));
            } catch (SQLException e) {
                throw new ChronoPerfException(
                        ErrorCode.BAD_INPUT,
                        "pg_stat_statements cannot be read in this database ("
                                + e.getMessage().lines().findFirst().orElse("")
                                + "): CREATE EXTENSION pg_stat_statements, or pass"
                                + " --workload FILE|DIR");
            }
        }
        Path p = Path.of(workload);
        if (!Files.exists(p)) {
            throw new ChronoPerfException(ErrorCode.BAD_INPUT, "no such workload file or directory: " + workload);
        }
        return Workload.fromPath(p);
    }

    private static void print(IndexAdvisor.Advice a, IndexApplier.Outcome o) {
        System.out.printf(
                Locale.ROOT,
                "workload: %d statements (%d not planned); what-if: %s; %d planner calls in %.1f s%n",
                a.queries(),
                a.queriesUnplanned(),
                a.method(),
                a.plannerCalls(),
                a.runtimeMs() / 1000.0);
        System.out.printf(
                Locale.ROOT,
                "cost: %.0f -> %.0f planner units (%.1f%% of the current), %s of a %s budget%n%n",
                a.baselineCost(),
                a.finalCost(),
                100 * a.relativeCost(),
                Sizes.format(a.usedBytes()),
                Sizes.format(a.budgetBytes()));
        if (a.indexes().isEmpty()) {
            System.out.println("no index is worth its cost for this workload");
        }
        int n = 1;
        for (IndexAdvisor.Recommendation r : a.indexes()) {
            System.out.printf(
                    Locale.ROOT,
                    "%d. %s;%n   %s, helps %d quer%s",
                    n++,
                    r.ddl(),
                    Sizes.format(r.sizeBytes()),
                    r.queriesHelped().size(),
                    r.queriesHelped().size() == 1 ? "y" : "ies");
            r.queriesHelped().stream()
                    .limit(3)
                    .forEach(g -> System.out.printf(
                            Locale.ROOT,
                            "%n     %.0f -> %.0f  %s",
                            g.costBefore(),
                            g.costAfter(),
                            g.sql().length() > 100 ? g.sql().substring(0, 100) + "..." : g.sql()));
            System.out.printf(Locale.ROOT, "%n   %s%n", r.writeOverhead());
        }
        if (a.whatIfNote() != null) {
            System.out.printf(Locale.ROOT, "%nwhat-if: %s%n", a.whatIfNote());
        }
        if (!a.estimateMisses().isEmpty()) {
            System.out.println("\nestimates far from what the workload did:");
            a.estimateMisses()
                    .forEach(m -> System.out.printf(
                            Locale.ROOT,
                            "  %s  %s%n    %s%n",
                            m.query(),
                            m.sql().length() > 100 ? m.sql().substring(0, 100) + "..." : m.sql(),
                            m.diagnosis()));
        }
        if (!a.unplanned().isEmpty()) {
            System.out.println("\nnot planned:");
            a.unplanned().forEach(u -> System.out.printf(Locale.ROOT, "  %s: %s%n", u.query(), u.reason()));
        }
        if (!a.hygiene().isEmpty()) {
            System.out.println("\nindex hygiene:");
            a.hygiene()
                    .forEach(i -> System.out.printf(
                            Locale.ROOT,
                            "  %-9s %s on %s (%s): %s%n    %s;%n",
                            i.kind(),
                            i.index(),
                            i.table(),
                            Sizes.format(i.sizeBytes()),
                            i.detail(),
                            i.fix()));
        }
        if (o != null) {
            System.out.println("\napplied:");
            o.indexes()
                    .forEach(i -> System.out.printf(
                            Locale.ROOT,
                            "  %s %s (%s, %d attempt%s, %.1f s)%s%n",
                            i.valid() ? "ok     " : "FAILED ",
                            i.name(),
                            Sizes.format(i.sizeBytes()),
                            i.attempts(),
                            i.attempts() == 1 ? "" : "s",
                            i.buildMs() / 1000.0,
                            i.error() == null ? "" : ": " + i.error()));
            if (o.beforeMs() != null) {
                System.out.printf(
                        Locale.ROOT,
                        "  statements using the new indexes: %.1f ms -> %.1f ms (medians of the rounds)%n",
                        o.beforeMs(),
                        o.afterMs());
            }
            System.out.printf(
                    Locale.ROOT,
                    "  %s%n  stored: %s%n",
                    o.verdict(),
                    o.stored() ? "chrono_perf.index_applications" : "no (no chrono_perf schema)");
            if (o.notTimed() != null) {
                System.out.println("  " + o.notTimed());
            }
        }
    }
}
