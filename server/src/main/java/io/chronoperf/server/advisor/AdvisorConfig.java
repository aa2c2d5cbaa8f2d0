package io.chronoperf.server.advisor;

import io.chronoperf.advisor.analyze.QueryAnalyzer;
import io.chronoperf.runtime.Setting;
import io.chronoperf.runtime.Settings;
import java.sql.DriverManager;
import java.util.Properties;
import javax.sql.DataSource;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/** The query analyzer and the index advisor on the application's database. */
@Configuration(proxyBeanMethods = false)
public class AdvisorConfig {
    @Bean
    AdvisorService advisorService(DataSource dataSource) {
        return new AdvisorService(dataSource);
    }

    /**
     * A dedicated connection per analysis, closed after it: nothing the statement did reaches the
     * pool. As the least-privilege analysis role when one is configured.
     */
    @Bean
    QueryAnalyzer queryAnalyzer(Environment env, Settings settings) {
        String url = env.getRequiredProperty("spring.datasource.url");
        String user = settings.get(Setting.ANALYZE_DB_USER).orElse(env.getProperty("spring.datasource.username"));
        String password = settings.get(Setting.ANALYZE_DB_USER).isPresent()
                ? settings.get(Setting.ANALYZE_DB_PASSWORD).orElse(null)
                : env.getProperty("spring.datasource.password");
        return new QueryAnalyzer(() -> {
            Properties p = new Properties();
            if (user != null && !user.isBlank()) {
                p.setProperty("user", user);
            }
            if (password != null && !password.isBlank()) {
                p.setProperty("password", password);
            }
            p.setProperty("ApplicationName", "chrono-perf-analyze");
            return DriverManager.getConnection(url, p);
        }, QueryAnalyzer.Options.DEFAULT);
    }
}
