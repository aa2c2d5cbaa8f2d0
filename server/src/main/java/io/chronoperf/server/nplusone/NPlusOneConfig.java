package io.chronoperf.server.nplusone;

import io.chronoperf.advisor.nplusone.Detector;
import io.chronoperf.advisor.nplusone.StatementCapture;
import io.chronoperf.runtime.Setting;
import io.chronoperf.runtime.Settings;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import javax.sql.DataSource;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

/**
 * N+1 detection of the server's own requests: the application DataSource is wrapped by the
 * statement capture; every admin API request is one unit.
 * {@code chrono-perf.n-plus-one.strict}: off, warn (default) or fail;
 * {@code chrono-perf.n-plus-one.capture-values}: keep bound values in memory (default false: hash tokens);
 * {@code chrono-perf.n-plus-one.min-repeats}: the N+1 threshold (default 3).
 */
@Configuration(proxyBeanMethods = false)
public class NPlusOneConfig {

    @Bean
    static StatementCapture statementCapture(Settings settings) {
        return new StatementCapture(
                settings.bool(Setting.N_PLUS_ONE_CAPTURE_VALUES),
                StatementCapture.DEFAULT_CAP,
                List.of("io.chronoperf.server.nplusone."));
    }

    /** Wraps the application's DataSource (the pool stays reachable through unwrap). */
    @Bean
    static BeanPostProcessor captureDataSource(
            org.springframework.beans.factory.ObjectProvider<StatementCapture> capture) {
        return new BeanPostProcessor() {
            @Override
            public Object postProcessAfterInitialization(Object bean, String name) {
                if (bean instanceof DataSource ds && name.equals("dataSource")) {
                    return capture.getObject().wrap(ds);
                }
                return bean;
            }
        };
    }

    /**
     * Shared by every process through chrono-perf's own tables. Not made after them on purpose: the
     * filter that uses it is built with the web server, before the database is asked anything, and
     * a database that does not answer must fail the start where it always did (exit 4); the log
     * writes only later, and keeps its findings until the tables answer.
     */
    @Bean(destroyMethod = "close")
    NPlusOneLog nPlusOneLog(DataSource dataSource, Clock clock) {
        return new NPlusOneLog(dataSource, clock);
    }

    @Bean
    FilterRegistrationBean<NPlusOneFilter> nPlusOneFilter(
            StatementCapture capture, NPlusOneLog log, Settings settings) {
        String strict = settings.text(Setting.N_PLUS_ONE_STRICT);
        int minRepeats = (int) settings.integer(Setting.N_PLUS_ONE_MIN_REPEATS);
        NPlusOneFilter filter = new NPlusOneFilter(
                capture,
                new Detector(new Detector.Thresholds(minRepeats, 3)),
                log,
                NPlusOneFilter.Strict.valueOf(strict.trim().toUpperCase(Locale.ROOT)));
        FilterRegistrationBean<NPlusOneFilter> registration = new FilterRegistrationBean<>(filter);
        registration.addUrlPatterns("/api/v1/admin/*");
        // After security (which rejects unauthenticated requests without touching the database).
        registration.setOrder(Ordered.LOWEST_PRECEDENCE - 10);
        return registration;
    }
}
