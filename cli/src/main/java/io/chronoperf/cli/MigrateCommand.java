package io.chronoperf.cli;

import com.zaxxer.hikari.HikariDataSource;
import io.chronoperf.admin.AdminSchema;
import io.chronoperf.runtime.Services;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "migrate", mixinStandardHelpOptions = true,
        description = "Apply the admin schema migrations and strategic indexes; rebuild invalid indexes.")
final class MigrateCommand implements Callable<Integer> {
    @Mixin
    ServiceOptions services;

    @Override
    public Integer call() {
        try (Services svc = Services.start(services.settings(), false);
             HikariDataSource ds = Pools.open(svc.database(), "migrate")) {
            AdminSchema.Report r = AdminSchema.of(ds).withLog(System.out::println).migrate();
            System.out.printf("schema at version %s: %d migrations applied, %d invalid indexes rebuilt%s, in %.1f s%n",
                    r.schemaVersion(), r.migrationsApplied(), r.rebuiltIndexes().size(),
                    r.rebuiltIndexes().isEmpty() ? "" : " (" + String.join(", ", r.rebuiltIndexes()) + ")",
                    r.duration().toMillis() / 1000.0);
        }
        return 0;
    }
}
