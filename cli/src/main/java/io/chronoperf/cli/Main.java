package io.chronoperf.cli;

import io.chronoperf.runtime.ErrorCode;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code chrono-perf} command line. Exit statuses: 0 success, 3 configuration or usage error,
 * 4 a service unavailable, 5 migration failure, 6 bad input, 10 internal error (0-2 are kept for
 * health verdicts). Errors print one actionable line, never a stack trace ({@code --verbose} or
 * {@code CHRONO_PERF_DEBUG=1} adds it).
 */
@Command(
        name = "chrono-perf",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Database performance system for admin platforms on PostgreSQL.",
        subcommands = {
            ServeCommand.class,
            TokenCommand.class,
            SeedCommand.class,
            MigrateCommand.class,
            BenchCommand.class,
            HealthCommand.class,
            AdviseCommand.class,
            LintMigrationsCommand.class,
            AnalyzeCommand.class,
            NPlusOneCommand.class,
            ConfigCommand.class,
            CommandLine.HelpCommand.class
        })
public final class Main implements Runnable {

    public static void main(String[] args) {
        // before the first logger: stack traces on the console only with CHRONO_PERF_DEBUG (logback.xml)
        System.setProperty("chrono-perf.console-exceptions", Failures.debug() ? "%ex" : "%nopex");
        System.exit(run(args));
    }

    static int run(String... args) {
        CommandLine cli = new CommandLine(new Main());
        // every tuning setting is also a flag of serve (the one list: Setting)
        CommandLine.Model.CommandSpec serve = cli.getSubcommands().get("serve").getCommandSpec();
        for (io.chronoperf.runtime.Setting s : io.chronoperf.runtime.Setting.values()) {
            if (s.tuning()) {
                serve.addOption(CommandLine.Model.OptionSpec.builder(s.flag())
                        .paramLabel("VALUE")
                        .type(String.class)
                        .description(s.description() + " (" + s.env() + ", default "
                                + (s.defaultValue() == null ? "unset" : s.defaultValue()) + ")")
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
            Failures.Described d = Failures.describe(e);
            java.nio.file.Path logged = Failures.log(e, home(args));
            cmd.getErr().println("chrono-perf: " + d.line());
            if (Failures.debug()) {
                e.printStackTrace(cmd.getErr());
            } else if (d.code() == ErrorCode.INTERNAL && logged != null) {
                cmd.getErr()
                        .println("chrono-perf: the stack trace is in " + logged
                                + " (CHRONO_PERF_DEBUG=1 prints it here)");
            }
            return d.code().exitStatus();
        });
        return cli.execute(args);
    }

    /** The home of this run: --home when given, else the setting (for the log file). */
    static java.nio.file.Path home(String[] args) {
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--home") && i + 1 < args.length) {
                return java.nio.file.Path.of(args[i + 1]);
            }
            if (args[i].startsWith("--home=")) {
                return java.nio.file.Path.of(args[i].substring("--home=".length()));
            }
        }
        return io.chronoperf.runtime.Settings.fromEnvironment().home();
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
