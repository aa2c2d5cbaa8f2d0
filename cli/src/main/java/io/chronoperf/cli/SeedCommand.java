package io.chronoperf.cli;

import com.zaxxer.hikari.HikariDataSource;
import io.chronoperf.admin.AdminSchema;
import io.chronoperf.admin.seed.DemoData;
import io.chronoperf.admin.seed.Scale;
import io.chronoperf.runtime.Services;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "seed",
        mixinStandardHelpOptions = true,
        description = "Load realistic, reproducible demo data into the admin tables (COPY, one transaction).")
final class SeedCommand implements Callable<Integer> {
    @Mixin
    ServiceOptions services;

    @Option(
            names = "--scale",
            defaultValue = "demo",
            description = "small (2k users), demo (50k users, 500k audit logs) or large (1M users, 10M audit logs, 5M "
                    + "security events). Default: ${DEFAULT-VALUE}.")
    String scale;

    @Option(
            names = "--seed",
            defaultValue = "42",
            description = "Random seed: the same seed gives the same data. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(
            names = "--replace",
            description = "Delete the admin data already there first (otherwise a non-empty database is refused).")
    boolean replace;

    @Override
    public Integer call() {
        Scale s = Scale.parse(scale);
        try (Services svc = Services.start(services.settings(), false);
                HikariDataSource ds = Pools.open(svc.database(), "seed")) {
            svc.describe().stream().filter(l -> l.startsWith("database")).forEach(System.out::println);
            AdminSchema.of(ds).withLog(System.out::println).migrate();
            System.out.printf("loading %s demo data (%,d rows, seed %d)%n", s, s.totalRows(), seed);
            DemoData.Result r;
            try (Progress progress = new Progress(System.out)) {
                r = DemoData.load(ds, s, seed, replace, progress);
            }
            for (Map.Entry<String, Long> e : r.rowsByTable().entrySet()) {
                System.out.printf("  %-22s %,12d rows%n", e.getKey(), e.getValue());
            }
            System.out.printf(
                    "loaded %,d rows in %.1f s: %,.0f rows/s (COPY%s); %d strategic indexes built in %.1f s%n",
                    r.rows(),
                    r.loadTime().toMillis() / 1000.0,
                    r.rowsPerSecond(),
                    r.triggersSkipped() ? ", foreign-key triggers skipped during the load" : "",
                    r.indexesBuilt(),
                    r.indexTime().toMillis() / 1000.0);
        }
        return 0;
    }
}
