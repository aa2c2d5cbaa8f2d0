package io.chronoperf.server.config;

import io.chronoperf.runtime.Setting;
import io.chronoperf.runtime.Settings;
import java.util.EnumMap;
import java.util.Map;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * chrono-perf's settings as the server sees them: a Spring property ({@code chrono-perf.db-url},
 * ...) wins over the environment variable ({@code CHRONO_PERF_DB_URL}, ...), which wins over the
 * default. The one list of settings is {@link Setting}.
 */
@Configuration(proxyBeanMethods = false)
public class SettingsConfig {
    @Bean
    static Settings settings(Environment environment) {
        Map<Setting, String> overrides = new EnumMap<>(Setting.class);
        for (Setting s : Setting.values()) {
            String v = environment.getProperty(s.property());
            if (v != null) {
                overrides.put(s, v);
            }
        }
        return Settings.from(System.getenv(), overrides);
    }
}
