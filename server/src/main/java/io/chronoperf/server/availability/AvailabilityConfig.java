package io.chronoperf.server.availability;

import io.chronoperf.runtime.Setting;
import io.chronoperf.runtime.Settings;
import java.sql.SQLTransientConnectionException;
import java.time.Clock;
import java.time.Duration;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * The database watch ({@link DatabaseWatch}, the {@code database} health contributor) and the
 * fast fail: the application's data source is wrapped so that, while the watch finds the database
 * away, a connection is refused at once ({@link SQLTransientConnectionException}, SQLSTATE 08001:
 * a 503, or a stale cache answer) instead of after the pool's timeout. The wrapper unwraps to the
 * pool (HikariCP's figures stay readable).
 */
@Configuration(proxyBeanMethods = false)
public class AvailabilityConfig {
    @Bean(name = "database", destroyMethod = "close")
    DatabaseWatch databaseWatch(Environment env, Clock clock, Settings settings) {
        Duration interval = settings.duration(Setting.DATABASE_WATCH_INTERVAL);
        return new DatabaseWatch(
                env.getRequiredProperty("spring.datasource.url"),
                env.getProperty("spring.datasource.username"),
                env.getProperty("spring.datasource.password"),
                interval,
                clock);
    }

    @Bean
    static BeanPostProcessor fastFailWhileTheDatabaseIsAway(ObjectProvider<DatabaseWatch> watch) {
        return new BeanPostProcessor() {
            @Override
            public Object postProcessAfterInitialization(Object bean, String name) {
                return bean instanceof DataSource ds && "dataSource".equals(name)
                        ? new GatedDataSource(ds, watch::getIfAvailable)
                        : bean;
            }
        };
    }
}
