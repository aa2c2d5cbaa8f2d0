package io.chronoperf.cli;

import io.chronoperf.runtime.ChronoPerfException;
import io.chronoperf.runtime.ErrorCode;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code chrono-perf} command line. Exit statuses: 0 success, 3 configuration or usage error,
 * 4 a service unavailable, 5 migration failure, 6 bad input, 10 internal error (0-2 are kept for
 * health verdicts). Errors print one actionable line, never a stack trace ({@code --verbose} or
 * {@code CHRONO_PERF_DEBUG=1} adds it).
 */
@Command(name = "chrono-perf", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Database performance system for admin platforms on PostgreSQL.",
        subcommands = {ServeCommand.class, TokenCommand.class, SeedCommand.class, MigrateCommand.class,
                BenchCommand.class, HealthCommand.class, AdviseCommand.class, LintMigrationsCommand.class, AnalyzeCommand.class, NPlusOneCommand.class, ConfigCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String... args) {
        CommandLine cli = new CommandLine(new Main());
        // every tuning setting is also a flag of serve (the one list: Setting)
        CommandLine.Model.CommandSpec serve = cli.getSubcommands().get("serve").getCommandSpec();
        for (io.chronoperf.runtime.Setting s : io.chronoperf.runtime.Setting.values()) {
            if (s.tuning()) {
                serve.addOption(CommandLine.Model.OptionSpec.builder(s.flag()).paramLabel("VALUE").type(String.class)
                        .description(s.description() + " (" + s.env() + ", default " + (s.defaultValue() == null ? "unset" : s.defaultValue()) + ")")
                        .build());
            }
        }
        cli.setParameterExceptionHandler((e, argv) -> {
            CommandLine cmd = e.getCommandLine();
            cmd.getErr().println("chrono-perf: " + e.getMessage());
            CommandLine.UnmatchedArgumentException.printSuggestions(e, cmd.getErr());
            cmd.getErr().println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help'.");
            return ErrorCode.CONFIGURATION.exitStatus();
        });
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            boolean debug = System.getenv("CHRONO_PERF_DEBUG") != null;
            if (e instanceof ChronoPerfException cpe) {
                cmd.getErr().println("chrono-perf: " + cpe.getMessage());
                if (debug) {
                    e.printStackTrace(cmd.getErr());
                }
                return cpe.code().exitStatus();
            }
            cmd.getErr().println("chrono-perf: unexpected error: " + e
                    + (debug ? "" : " (set CHRONO_PERF_DEBUG=1 for the stack trace, and please report it)"));
            if (debug) {
                e.printStackTrace(cmd.getErr());
            }
            return ErrorCode.INTERNAL.exitStatus();
        });
        return cli.execute(args);
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"chrono-perf " + (v == null ? "development build" : v)};
        }
    }
}
