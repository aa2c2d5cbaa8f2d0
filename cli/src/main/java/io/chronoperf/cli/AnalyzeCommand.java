package io.chronoperf.cli;

import io.chronoperf.advisor.analyze.AnalysisRole;
import io.chronoperf.advisor.analyze.Insight;
import io.chronoperf.advisor.analyze.QueryAnalyzer;
import io.chronoperf.runtime.ChronoPerfException;
import io.chronoperf.runtime.ErrorCode;
import io.chronoperf.runtime.Services;
import io.chronoperf.runtime.Setting;
import io.chronoperf.runtime.Settings;
import io.chronoperf.runtime.TokenSecret;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.json.JsonMapper;

@Command(
        name = "analyze",
        mixinStandardHelpOptions = true,
        description =
                "Analyse one statement safely: EXPLAIN ANALYZE only when proven read-only, plan and text findings.")
final class AnalyzeCommand implements Callable<Integer> {
    @Mixin
    ServiceOptions services;

    @Parameters(arity = "0..1", paramLabel = "SQL", description = "The statement, or - to read it from standard input.")
    String sql;

    @Option(names = "--file", paramLabel = "FILE", description = "Read the statement from FILE.")
    Path file;

    @Option(names = "--param", paramLabel = "VALUE", description = "A value for $1, $2, ... (repeat in order).")
    List<String> params = new ArrayList<>();

    @Option(names = "--json", description = "Print the analysis as JSON.")
    boolean json;

    @Override
    public Integer call() throws IOException {
        String statement = file != null
                ? Files.readString(file, StandardCharsets.UTF_8)
                : "-".equals(sql) ? new String(System.in.readAllBytes(), StandardCharsets.UTF_8) : sql;
        if (statement == null || statement.isBlank()) {
            throw new ChronoPerfException(
                    ErrorCode.CONFIGURATION,
                    "Give the statement as an argument, with --file FILE, or - for standard input");
        }
        try (Services svc = Services.start(services.settings(), false)) {
            Settings settings = services.settings();
            AnalysisRole.Setup setup = AnalysisRole.setup(
                    svc.database().jdbcUrl(),
                    svc.database().user(),
                    svc.database().password(),
                    settings.get(Setting.ANALYZE_DB_USER).orElse(null),
                    settings.get(Setting.ANALYZE_DB_PASSWORD).orElse(null),
                    TokenSecret.resolve(settings));
            if (!json) {
                System.err.println("chrono-perf: " + setup.message());
            }
            QueryAnalyzer analyzer = setup.analyzer(
                    QueryAnalyzer.Options.DEFAULT.withExecuteAsPrivileged(settings.analyzeAllowSuperuser()));
            QueryAnalyzer.Analysis a = analyzer.analyze(statement, new ArrayList<>(params), null);
            if (json) {
                System.out.println(JsonMapper.builder()
                        .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                        .build()
                        .writerWithDefaultPrettyPrinter()
                        .writeValueAsString(a));
                return 0;
            }
            System.out.printf(
                    Locale.ROOT,
                    "%s statement, %s%n",
                    a.statementType(),
                    a.executed()
                            ? "executed under EXPLAIN ANALYZE (rolled back)"
                            : "not executed: " + a.executionNote());
            if (a.planSummary() != null) {
                System.out.printf(
                        Locale.ROOT,
                        "plan: cost %.1f%s%s%n",
                        a.planSummary().totalCost(),
                        a.planSummary().actualTimeMs() == null
                                ? ""
                                : String.format(
                                        Locale.ROOT,
                                        ", %.3f ms",
                                        a.planSummary().actualTimeMs()),
                        a.planSummary().rows() == null
                                ? ""
                                : String.format(
                                        Locale.ROOT,
                                        ", %.0f rows",
                                        a.planSummary().rows()));
            }
            for (Insight f : a.findings()) {
                System.out.printf(
                        Locale.ROOT,
                        "%n[%s] %s: %s%n  evidence: %s%n  fix: %s%n",
                        f.severity(),
                        f.rule(),
                        f.message(),
                        f.evidence(),
                        f.suggestion());
            }
            if (a.findings().isEmpty()) {
                System.out.println("no findings");
            }
        }
        return 0;
    }
}
