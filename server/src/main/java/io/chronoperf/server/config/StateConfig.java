package io.chronoperf.server.config;

import io.chronoperf.advisor.AdvisorSchema;
import io.chronoperf.monitor.MonitorSchema;
import io.chronoperf.runtime.StateSchema;
import java.util.List;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * chrono-perf's own state, apart from the watched database's schemas: the monitor's, the
 * advisor's and the server's tables in schema {@code chrono_perf}, each part with its own Flyway
 * history. Always migrated, whatever the database holds; beans that use these tables take
 * {@link OwnState} so that they are made after it.
 */
@Configuration(proxyBeanMethods = false)
public class StateConfig {
    private static final Logger log = LoggerFactory.getLogger(StateConfig.class);

    /** A marker bean: present once chrono-perf's own tables are migrated. */
    public record OwnState(List<StateSchema.Report> parts) {}

    @Bean
    OwnState ownState(DataSource dataSource) {
        List<StateSchema.Report> parts = List.of(
                MonitorSchema.migrate(dataSource),
                AdvisorSchema.migrate(dataSource),
                StateSchema.migrate(dataSource, "server"));
        for (StateSchema.Report r : parts) {
            if (r.migrationsApplied() > 0) {
                log.info(
                        "chrono-perf's {} tables at version {} in schema {} ({} migrations applied)",
                        r.part(),
                        r.version(),
                        StateSchema.NAME,
                        r.migrationsApplied());
            }
        }
        return new OwnState(parts);
    }
}
