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
import io.chronoperf.runtime.ChronoPerfException;
import io.chronoperf.runtime.ErrorCode;
import io.chronoperf.runtime.Setting;
import io.chronoperf.runtime.Settings;
import io.chronoperf.server.replica.ReadReplicas;
import java.time.Clock;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Wires the admin library: migrates its schema before anything uses it, where chrono-perf owns the
 * database (a database holding another application's tables is only watched), seeds demo data into an
 * empty database when asked ({@code chrono-perf.seed-if-empty}: the embedded first start), and
 * exposes the repositories.
 */
@Configuration(proxyBeanMethods = false)
public class AdminPlatformConfig {
    private static final Logger log = LoggerFactory.getLogger(AdminPlatformConfig.class);

    /**
     * A marker bean: the admin platform's schema is migrated ({@code report} set), or deliberately
     * left out ({@code report} null, {@code reason} says why); repositories depend on it.
     */
    public record MigratedSchema(AdminSchema.Report report, String reason) {
        public boolean installed() {
            return report != null;
        }
    }

    /**
     * Migrates the admin platform's schema where chrono-perf owns the database
     * ({@code chrono-perf.admin-schema}: auto, install or skip), and seeds an empty one when asked.
     */
    @Bean
    MigratedSchema migratedSchema(DataSource dataSource, Settings settings) {
        String mode = settings.text(Setting.ADMIN_SCHEMA);
        String seedIfEmpty = settings.get(Setting.SEED_IF_EMPTY).orElse("");
        long seed = settings.integer(Setting.SEED);
        AdminSchema schema = AdminSchema.of(dataSource).withLog(log::info);
        String reason = switch (mode.strip().toLowerCase(java.util.Locale.ROOT)) {
            case "install" -> null;
            case "skip" -> "CHRONO_PERF_ADMIN_SCHEMA=skip";
            case "auto" ->
                schema.presence() == AdminSchema.Presence.FOREIGN
                        ? "the database already holds tables of another application"
                        : null;
            default ->
                throw new ChronoPerfException(
                        ErrorCode.CONFIGURATION,
                        "CHRONO_PERF_ADMIN_SCHEMA is '" + mode + "': use auto, install or skip");
        };
        if (reason != null) {
            log.info(
                    "Watching only: the admin platform's schema is not installed ({}); its API under /api/v1/admin"
                            + " answers 404 and the monitoring, analysis and advice work as usual. "
                            + "CHRONO_PERF_ADMIN_SCHEMA=install"
                            + " installs it.",
                    reason);
            return new MigratedSchema(null, reason);
        }
        AdminSchema.Report report = schema.migrate();
        log.info(
                "Schema at version {} ({} migrations applied, {} invalid indexes rebuilt) in {} ms",
                report.schemaVersion(),
                report.migrationsApplied(),
                report.rebuiltIndexes().size(),
                report.duration().toMillis());
        if (!seedIfEmpty.isBlank() && DemoData.isEmpty(dataSource)) {
            Scale scale = Scale.parse(seedIfEmpty);
            log.info(
                    "Empty database on first start: loading {}-scale demo data ({} rows)...", scale, scale.totalRows());
            DemoData.Result result = DemoData.load(dataSource, scale, seed, false, SeedProgress.NONE);
            log.info(
                    "Loaded {} rows at {} rows/s; indexes rebuilt in {} ms",
                    result.rows(),
                    Math.round(result.rowsPerSecond()),
                    result.indexTime().toMillis());
        }
        return new MigratedSchema(report, null);
    }

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }

    // The repositories read through the read routing (the primary unless replicas are configured);
    // only the users' one writes, on the primary.

    @Bean
    UserRepository userRepository(DataSource dataSource, ReadReplicas replicas, MigratedSchema schema) {
        return new UserRepository(dataSource, replicas.reads());
    }

    @Bean
    AuditLogRepository auditLogRepository(ReadReplicas replicas, Clock clock, MigratedSchema schema) {
        return new AuditLogRepository(replicas.reads(), clock);
    }

    @Bean
    SecurityEventRepository securityEventRepository(ReadReplicas replicas, Clock clock, MigratedSchema schema) {
        return new SecurityEventRepository(replicas.reads(), clock);
    }

    @Bean
    BackupRepository backupRepository(ReadReplicas replicas, MigratedSchema schema) {
        return new BackupRepository(replicas.reads());
    }

    @Bean
    ProjectRepository projectRepository(ReadReplicas replicas, MigratedSchema schema) {
        return new ProjectRepository(replicas.reads());
    }
}
