package io.chronoperf.server.advisor;

import io.chronoperf.advisor.analyze.AnalysisRole;
import io.chronoperf.advisor.analyze.QueryAnalyzer;
import io.chronoperf.runtime.OwnStatements;
import io.chronoperf.runtime.Setting;
import io.chronoperf.runtime.Settings;
import io.chronoperf.server.config.StateConfig;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/** The query analyzer and the index advisor on the application's database. */
@Configuration(proxyBeanMethods = false)
public class AdvisorConfig {
    private static final Logger LOG = LoggerFactory.getLogger(AdvisorConfig.class);

    @Bean
    AdvisorService advisorService(DataSource dataSource, StateConfig.OwnState ownState) {
        return new AdvisorService(OwnStatements.marked(dataSource));
    }

    /**
     * A dedicated connection per analysis, closed after it: nothing the statement did reaches the
     * pool. As the least-privilege analysis role: the configured one, or {@code chrono_perf_analyze}
     * created and checked at start (see docs/rules.md); the start log says which.
     */
    @Bean
    QueryAnalyzer queryAnalyzer(Environment env, Settings settings, byte[] tokenSecret) {
        AnalysisRole.Setup setup = AnalysisRole.setup(
                env.getRequiredProperty("spring.datasource.url"),
                env.getProperty("spring.datasource.username"),
                env.getProperty("spring.datasource.password"),
                settings.get(Setting.ANALYZE_DB_USER).orElse(null),
                settings.get(Setting.ANALYZE_DB_PASSWORD).orElse(null),
                tokenSecret);
        LOG.info(setup.message());
        boolean privileged = settings.analyzeAllowSuperuser();
        if (privileged) {
            LOG.warn("CHRONO_PERF_ANALYZE_ALLOW_SUPERUSER=true: client statements may run under EXPLAIN ANALYZE as a "
                    + "superuser");
        }
        return setup.analyzer(QueryAnalyzer.Options.DEFAULT.withExecuteAsPrivileged(privileged));
    }
}
