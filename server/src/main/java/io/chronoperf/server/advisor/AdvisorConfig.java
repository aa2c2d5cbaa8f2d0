package io.chronoperf.server.advisor;

import javax.sql.DataSource;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The index advisor on the application's database. */
@Configuration(proxyBeanMethods = false)
public class AdvisorConfig {
    @Bean
    AdvisorService advisorService(DataSource dataSource) {
        return new AdvisorService(dataSource);
    }
}
