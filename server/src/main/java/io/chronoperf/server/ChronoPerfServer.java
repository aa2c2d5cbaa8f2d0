package io.chronoperf.server;

import java.util.Map;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The chrono-perf server: the admin API (and, as the other parts land, the performance API and
 * dashboard) over the plain-Java libraries. This module is the only one that knows Spring or HTTP.
 */
@SpringBootApplication
public class ChronoPerfServer {

    /**
     * Starts the server.
     *
     * @param properties Spring properties, e.g. {@code spring.datasource.url}, {@code server.port},
     *                   {@code chrono-perf.token-secret}; they win over application.properties
     */
    public static ConfigurableApplicationContext start(Map<String, Object> properties) {
        SpringApplication app = new SpringApplication(ChronoPerfServer.class);
        // The caller owns the lifecycle: it closes the context before stopping the databases it started.
        app.setRegisterShutdownHook(false);
        app.setBannerMode(org.springframework.boot.Banner.Mode.OFF);
        app.addInitializers(ctx -> ctx.getEnvironment()
                .getPropertySources()
                .addFirst(new org.springframework.core.env.MapPropertySource("chrono-perf", properties)));
        return app.run();
    }

    public static void main(String[] args) {
        SpringApplication.run(ChronoPerfServer.class, args);
    }
}
