package io.chronoperf.server.performance;

import io.chronoperf.advisor.analyze.QueryAnalyzer;
import io.chronoperf.cache.AdminCache;
import io.chronoperf.runtime.OwnStatements;
import io.chronoperf.runtime.Setting;
import io.chronoperf.runtime.Settings;
import io.chronoperf.server.advisor.AdvisorService;
import io.chronoperf.server.monitor.MonitorService;
import io.chronoperf.server.nplusone.NPlusOneLog;
import io.chronoperf.server.replica.ReadReplicas;
import io.chronoperf.server.tasks.TaskRegistry;
import java.time.Clock;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
public class PerformanceConfig {
    @Bean
    PerformanceService performanceService(
            DataSource dataSource,
            AdminCache cache,
            MonitorService monitor,
            AdvisorService advisor,
            QueryAnalyzer analyzer,
            NPlusOneLog nPlusOne,
            ObjectProvider<TaskRegistry> tasks,
            Clock clock,
            Settings settings,
            ReadReplicas replicas) {
        return new PerformanceService(
                OwnStatements.marked(dataSource),
                cache,
                monitor,
                advisor,
                analyzer,
                nPlusOne,
                tasks::getObject,
                clock,
                settings.decimal(Setting.SLOW_MS),
                replicas);
    }
}
