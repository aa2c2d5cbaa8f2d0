package io.chronoperf.cli;

import io.chronoperf.advisor.lint.MigrationLinter;
import io.chronoperf.runtime.ChronoPerfException;
import io.chronoperf.runtime.ErrorCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.json.JsonMapper;

@Command(
        name = "lint-migrations",
        mixinStandardHelpOptions = true,
        description =
                "Checks migration SQL (a file or a directory of .sql files) for the mistakes that hurt production:"
                        + " index builds without CONCURRENTLY, CONCURRENTLY in a transaction, no lock_timeout, "
                        + "volatile index"
                        + " predicates, NOT NULL columns and constraints that scan or rewrite big tables... "
                        + "(docs/rules.md, ML001-ML013)."
                        + " Exit status 1 when there is an error (or a warning with --strict), 0 otherwise.")
final class LintMigrationsCommand implements Callable<Integer> {
    @Parameters(paramLabel = "PATH", description = "A migration file or a directory of them.")
    Path path;

    @Option(names = "--json", description = "Print the findings as JSON.")
    boolean json;

    @Option(names = "--strict", description = "Warnings fail too.")
    boolean strict;

    @Override
    public Integer call() throws IOException {
        if (!Files.exists(path)) {
            throw new ChronoPerfException(ErrorCode.BAD_INPUT, "no such file or directory: " + path);
        }
        List<MigrationLinter.Finding> findings = new MigrationLinter().lint(path);
        long errors =
                findings.stream().filter(f -> f.severity().equals("error")).count();
        long warnings = findings.size() - errors;
        if (json) {
            System.out.println(JsonMapper.builder()
                    .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                    .build()
                    .writerWithDefaultPrettyPrinter()
                    .writeValueAsString(findings));
        } else {
            boolean tty = System.console() != null;
            for (MigrationLinter.Finding f : findings) {
                String color = !tty ? "" : f.severity().equals("error") ? "\u001b[31m" : "\u001b[33m";
                System.out.printf(
                        Locale.ROOT,
                        "%s:%d: %s%s %s%s: %s%n    fix: %s%n",
                        f.file(),
                        f.line(),
                        color,
                        f.severity(),
                        f.rule(),
                        tty ? "\u001b[0m" : "",
                        f.message(),
                        f.fix());
            }
            System.out.printf(
                    Locale.ROOT,
                    "%d error%s, %d warning%s%n",
                    errors,
                    errors == 1 ? "" : "s",
                    warnings,
                    warnings == 1 ? "" : "s");
        }
        return errors > 0 || (strict && warnings > 0) ? 1 : 0;
    }
}
