package io.chronoperf.cli;

import io.chronoperf.runtime.Setting;
import io.chronoperf.runtime.Settings;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "config",
        mixinStandardHelpOptions = true,
        description = "Show every setting: variable, flag, default, description and the value in effect.")
final class ConfigCommand implements Callable<Integer> {
    @Mixin
    ServiceOptions services;

    @Option(names = "--markdown", description = "Print the table as Markdown (the README's configuration table).")
    boolean markdown;

    /** The configuration table of the README and docs/configuration.md. */
    static String markdown() {
        StringBuilder out = new StringBuilder(
                "| variable | flag | Spring property | default | description |\n|---|---|---|---|---|\n");
        for (Setting s : Setting.values()) {
            out.append(String.format(
                    "| `%s` | `%s` | `%s` | %s | %s |%n",
                    s.env(),
                    s.flag(),
                    s.property(),
                    s.defaultValue() == null ? "(unset)" : "`" + s.defaultValue() + "`",
                    s.description()));
        }
        return out.toString();
    }

    @Override
    public Integer call() {
        Settings settings = services.settings();
        if (markdown) {
            System.out.print(markdown());
            return 0;
        }
        for (Setting s : Setting.values()) {
            String value = settings.get(s).orElse("(unset)");
            if (s == Setting.DB_PASSWORD || s == Setting.TOKEN_SECRET) {
                value = settings.get(s).isPresent() ? "(set, hidden)" : "(unset)";
            }
            System.out.printf("%-26s %-16s = %s%n    %s%n", s.env(), s.flag(), value, s.description());
        }
        return 0;
    }
}
