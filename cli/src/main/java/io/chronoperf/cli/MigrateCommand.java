package io.chronoperf.cli;

import com.zaxxer.hikari.HikariDataSource;
import io.chronoperf.admin.AdminSchema;
import io.chronoperf.admin.StrategicIndexes;
import io.chronoperf.runtime.Services;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "migrate",
        mixinStandardHelpOptions = true,
        description = {
            "Apply the admin platform's schema migrations and strategic indexes; rebuild invalid indexes.",
            "With --strategic-indexes: add only the 46 strategic indexes to an admin platform whose tables exist"
                    + " already (built concurrently under a lock_timeout, checked valid; each whose table or columns "
                    + "are"
                    + " not there is skipped with the reason)."
        })
final class MigrateCommand implements Callable<Integer> {
    @Mixin
    ServiceOptions services;

    @Option(names = "--strategic-indexes", description = "Only the strategic indexes, onto the tables that exist.")
    boolean strategicIndexes;

    @Option(
            names = "--lock-timeout",
            paramLabel = "DURATION",
            defaultValue = "10s",
            description = "With --strategic-indexes: how long a build may wait for a table's lock (default 10s).")
    String lockTimeout;

    @Override
    public Integer call() {
        Duration timeout = Durations.parse("--lock-timeout", lockTimeout);
        try (Services svc = Services.start(services.settings(), false);
                HikariDataSource ds = Pools.open(svc.database(), "migrate")) {
            if (strategicIndexes) {
                return strategicIndexes(ds, timeout);
            }
            AdminSchema.Report r =
                    AdminSchema.of(ds).withLog(System.out::println).migrate();
            System.out.printf(
                    "schema at version %s: %d migrations applied, %d invalid indexes rebuilt%s, in %.1f s%n",
                    r.schemaVersion(),
                    r.migrationsApplied(),
                    r.rebuiltIndexes().size(),
                    r.rebuiltIndexes().isEmpty() ? "" : " (" + String.join(", ", r.rebuiltIndexes()) + ")",
                    r.duration().toMillis() / 1000.0);
        }
        return 0;
    }

    private static int strategicIndexes(HikariDataSource ds, Duration timeout) {
        long start = System.nanoTime();
        int[] done = {0};
        int total = StrategicIndexes.scriptedCount();
        List<StrategicIndexes.Applied> applied = StrategicIndexes.applyTo(ds, timeout, a -> {
            done[0]++;
            System.out.printf(
                    "[%2d/%d] %-8s %-42s %s%n",
                    done[0],
                    total,
                    a.outcome().name().toLowerCase(java.util.Locale.ROOT),
                    a.name(),
                    a.reason() == null ? "on " + a.table() : a.reason());
        });
        long created = applied.stream()
                .filter(a -> a.outcome() == StrategicIndexes.Outcome.CREATED)
                .count();
        long present = applied.stream()
                .filter(a -> a.outcome() == StrategicIndexes.Outcome.PRESENT)
                .count();
        long skipped = applied.stream()
                .filter(a -> a.outcome() == StrategicIndexes.Outcome.SKIPPED)
                .count();
        long failed = applied.stream()
                .filter(a -> a.outcome() == StrategicIndexes.Outcome.FAILED)
                .count();
        System.out.printf(
                "strategic indexes: %d created, %d present, %d skipped, %d failed, in %.1f s%n",
                created, present, skipped, failed, (System.nanoTime() - start) / 1e9);
        return failed > 0 ? io.chronoperf.runtime.ErrorCode.MIGRATION.exitStatus() : 0;
    }
}
