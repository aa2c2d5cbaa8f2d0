package io.chronoperf.server.config;

import io.chronoperf.admin.AdminSchema;
import io.chronoperf.admin.repository.AuditLogRepository;
import io.chronoperf.admin.repository.BackupRepository;
import io.chronoperf.admin.repository.ProjectRepository;
import io.chronoperf.admin.repository.SecurityEventRepository;
import io.chronoperf.admin.repository.UserRepository;
import io.chronoperf.admin.seed.DemoData;
import io.chronoperf.admin.seed.Scale;
import io.chronoperf.admin.seed.SeedProgress;
import java.time.Clock;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Wires the admin library: migrates the schema before anything uses it, seeds demo data into an
 * empty database when asked ({@code chrono-perf.seed-if-empty}: the embedded first start), and
 * exposes the repositories.
 */
@Configuration(proxyBeanMethods = false)
public class AdminPlatformConfig {
    private static final Logger log = LoggerFactory.getLogger(AdminPlatformConfig.class);

    /** A marker bean: present once the schema is migrated; repositories depend on it. */
    public record MigratedSchema(AdminSchema.Report report) {
    }

    @Bean
    MigratedSchema migratedSchema(DataSource dataSource,
                                  @Value("${chrono-perf.seed-if-empty:}") String seedIfEmpty,
                                  @Value("${chrono-perf.seed:42}") long seed) {
        AdminSchema.Report report = AdminSchema.of(dataSource).withLog(log::info).migrate();
        log.info("Schema at version {} ({} migrations applied, {} invalid indexes rebuilt) in {} ms",
                report.schemaVersion(), report.migrationsApplied(), report.rebuiltIndexes().size(),
                report.duration().toMillis());
        if (!seedIfEmpty.isBlank() && DemoData.isEmpty(dataSource)) {
            Scale scale = Scale.parse(seedIfEmpty);
            log.info("Empty database on first start: loading {}-scale demo data ({} rows)...", scale, scale.totalRows());
            DemoData.Result result = DemoData.load(dataSource, scale, seed, false, SeedProgress.NONE);
            log.info("Loaded {} rows at {} rows/s; indexes rebuilt in {} ms", result.rows(),
                    Math.round(result.rowsPerSecond()), result.indexTime().toMillis());
        }
        return new MigratedSchema(report);
    }

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }

    @Bean
    UserRepository userRepository(DataSource dataSource, MigratedSchema schema) {
        return new UserRepository(dataSource);
    }

    @Bean
    AuditLogRepository auditLogRepository(DataSource dataSource, Clock clock, MigratedSchema schema) {
        return new AuditLogRepository(dataSource, clock);
    }

    @Bean
    SecurityEventRepository securityEventRepository(DataSource dataSource, Clock clock, MigratedSchema schema) {
        return new SecurityEventRepository(dataSource, clock);
    }

    @Bean
    BackupRepository backupRepository(DataSource dataSource, MigratedSchema schema) {
        return new BackupRepository(dataSource);
    }

    @Bean
    ProjectRepository projectRepository(DataSource dataSource, MigratedSchema schema) {
        return new ProjectRepository(dataSource);
    }
}
