package io.chronoperf.server.watch;

import io.chronoperf.advisor.analyze.AnalysisRole;
import io.chronoperf.advisor.analyze.QueryAnalyzer;
import io.chronoperf.monitor.alert.Alerts;
import io.chronoperf.runtime.OwnStatements;
import io.chronoperf.runtime.Setting;
import io.chronoperf.runtime.Settings;
import io.chronoperf.runtime.WatchList;
import io.chronoperf.server.advisor.AdvisorService;
import io.chronoperf.server.availability.DatabaseWatch;
import io.chronoperf.server.config.StateConfig;
import io.chronoperf.server.monitor.MonitorService;
import java.time.Clock;
import java.time.Duration;
import javax.sql.DataSource;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/** The watched databases ({@link Databases}) from {@code chrono-perf.watch} ({@code CHRONO_PERF_WATCH}). */
@Configuration(proxyBeanMethods = false)
public class WatchConfig {
    @Bean(destroyMethod = "close")
    Databases databases(
            Environment env,
            DataSource dataSource,
            DatabaseWatch database,
            MonitorService monitor,
            Alerts alerts,
            QueryAnalyzer analyzer,
            AdvisorService advisor,
            Settings settings,
            byte[] tokenSecret,
            StateConfig.OwnState ownState,
            Clock clock) {
        String watch = settings.get(Setting.WATCH).orElse("");
        Duration interval = settings.duration(Setting.DATABASE_WATCH_INTERVAL);
        String url = env.getRequiredProperty("spring.datasource.url");
        WatchedDatabase main =
                new WatchedDatabase(WatchList.MAIN, url, OwnStatements.marked(dataSource), database, null);
        main.history(true, "kept in schema chrono_perf of this database");
        boolean privileged = settings.analyzeAllowSuperuser();
        java.util.function.Function<WatchList.Watched, QueryAnalyzer> analyzerOf = w -> {
            AnalysisRole.Setup setup = AnalysisRole.setup(
                    w.endpoint().jdbcUrl(),
                    w.endpoint().user(),
                    w.endpoint().password(),
                    settings.get(Setting.ANALYZE_DB_USER).orElse(null),
                    settings.get(Setting.ANALYZE_DB_PASSWORD).orElse(null),
                    tokenSecret);
            LoggerFactory.getLogger(WatchConfig.class).info("watched database {}: {}", w.name(), setup.message());
            return setup.analyzer(QueryAnalyzer.Options.DEFAULT.withExecuteAsPrivileged(privileged));
        };
        return new Databases(
                main,
                analyzer,
                advisor,
                analyzerOf,
                WatchList.parse(watch),
                monitor.collector(),
                monitor.history(),
                alerts,
                interval,
                clock);
    }
}
