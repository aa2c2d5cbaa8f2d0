package io.chronoperf.cli;

import io.chronoperf.advisor.nplusone.Detector;
import io.chronoperf.advisor.nplusone.Finding;
import io.chronoperf.advisor.nplusone.TraceReader;
import io.chronoperf.advisor.nplusone.TraceStatement;
import io.chronoperf.runtime.ChronoPerfException;
import io.chronoperf.runtime.ErrorCode;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tools.jackson.databind.json.JsonMapper;

@Command(
        name = "n1",
        mixinStandardHelpOptions = true,
        description =
                "Find N+1 queries, duplicates, batchable writes and repeated patterns in a JSON-lines statement trace.")
final class NPlusOneCommand implements Callable<Integer> {
    @picocli.CommandLine.Mixin
    ServiceOptions services;

    @Option(
            names = "--pg-stat-statements",
            description = "Instead of a trace: list frequent one-key lookups in the"
                    + " database's pg_stat_statements (likely N+1 sources of applications chrono-perf does not "
                    + "instrument).")
    boolean statStatements;

    @Option(
            names = "--min-calls",
            defaultValue = "1000",
            description = "With --pg-stat-statements: calls that make a lookup suspect. Default: ${DEFAULT-VALUE}.")
    long minCalls;

    @Option(
            names = "--trace",
            paramLabel = "FILE",
            description =
                    "JSON lines: {\"unit\", \"seq\", \"sql\", \"duration_ms\"} required; params, rows, site, stack, ts "
                            + "optional.")
    Path trace;

    @Option(names = "--json", description = "Print {\"findings\": [...], \"errors\": [...]} for scripts.")
    boolean json;

    @Option(
            names = "--min-repeats",
            defaultValue = "3",
            description = "Statements that make an N+1 or a batch. Default: ${DEFAULT-VALUE}.")
    int minRepeats;

    @Override
    public Integer call() throws IOException, java.sql.SQLException {
        if (statStatements) {
            return suspects();
        }
        if (trace == null) {
            throw new ChronoPerfException(
                    ErrorCode.CONFIGURATION,
                    "Give a trace (--trace FILE) or ask the database (--pg-stat-statements --db-url URL)");
        }
        if (minRepeats < 2 || minRepeats > 1000) {
            throw new ChronoPerfException(
                    ErrorCode.CONFIGURATION, "--min-repeats must be between 2 and 1000, not " + minRepeats);
        }
        TraceReader.Result result;
        try (BufferedReader in = Files.newBufferedReader(trace, StandardCharsets.UTF_8)) {
            result = new TraceReader().read(in);
        } catch (NoSuchFileException e) {
            throw new ChronoPerfException(ErrorCode.BAD_INPUT, "No such trace file: " + trace);
        } catch (java.nio.charset.MalformedInputException e) {
            throw new ChronoPerfException(ErrorCode.BAD_INPUT, trace + " is not UTF-8 text");
        }
        Detector detector = new Detector(new Detector.Thresholds(minRepeats, 3));
        List<Finding> findings = new ArrayList<>();
        for (List<TraceStatement> unit : result.units().values()) {
            findings.addAll(detector.detect(unit));
        }
        result.errors().forEach(e -> System.err.println("chrono-perf: " + trace + ": " + e + " (skipped)"));
        if (json) {
            List<Map<String, Object>> out = new ArrayList<>();
            for (Finding f : findings) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("unit", f.unit());
                m.put("kind", f.kind());
                m.put("sql", f.sql());
                m.put("fingerprint", f.fingerprint());
                m.put("site", f.site());
                m.put("count", f.count());
                m.put("total_ms", Math.round(f.totalMs() * 1000) / 1000.0);
                m.put("suggestion", f.suggestion());
                m.put("source_sql", f.sourceSql());
                m.put("round_trips_saved", f.roundTripsSaved());
                out.add(m);
            }
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("findings", out);
            doc.put("errors", result.errors());
            doc.put("units", result.units().size());
            System.out.println(JsonMapper.builder()
                    .build()
                    .writerWithDefaultPrettyPrinter()
                    .writeValueAsString(doc));
        } else {
            System.out.printf(
                    Locale.ROOT,
                    "%d units, %d findings%s%n",
                    result.units().size(),
                    findings.size(),
                    result.errors().isEmpty() ? "" : ", " + result.errors().size() + " malformed lines skipped");
            for (Finding f : findings) {
                System.out.printf(
                        Locale.ROOT,
                        "%n[%s] %s: %d x %s%n  site: %s, %.2f ms in all%n  fix: %s%n",
                        f.kind(),
                        f.unit(),
                        f.count(),
                        f.sql(),
                        f.site() == null ? "(one site for the unit)" : f.site(),
                        f.totalMs(),
                        f.suggestion());
                if (f.sourceSql() != null) {
                    System.out.println("  source: " + f.sourceSql());
                }
            }
        }
        if (result.units().isEmpty() && !result.errors().isEmpty()) {
            throw new ChronoPerfException(
                    ErrorCode.BAD_INPUT, "No valid statement in " + trace + "; see the lines above");
        }
        return 0;
    }

    private int suspects() throws java.sql.SQLException {
        try (io.chronoperf.runtime.Services svc = io.chronoperf.runtime.Services.start(services.settings(), false);
                java.sql.Connection c = svc.database().connect()) {
            io.chronoperf.advisor.nplusone.StatStatementsSuspects.Result r =
                    io.chronoperf.advisor.nplusone.StatStatementsSuspects.find(c, minCalls, 50);
            if (!r.available()) {
                throw new ChronoPerfException(ErrorCode.CONFIGURATION, r.reason());
            }
            if (json) {
                System.out.println(JsonMapper.builder()
                        .build()
                        .writerWithDefaultPrettyPrinter()
                        .writeValueAsString(r));
            } else {
                System.out.printf(
                        Locale.ROOT,
                        "%d frequent one-key lookups (at least %,d calls)%n",
                        r.suspects().size(),
                        minCalls);
                r.suspects()
                        .forEach(x -> System.out.printf(
                                Locale.ROOT,
                                "%n%s%n  %s; %.3f ms mean, %.0f ms in all%n",
                                x.query(),
                                x.reason(),
                                x.meanMs(),
                                x.totalMs()));
            }
            return 0;
        }
    }
}
