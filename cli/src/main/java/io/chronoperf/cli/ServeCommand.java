package io.chronoperf.cli;

import io.chronoperf.runtime.Services;
import io.chronoperf.runtime.Setting;
import io.chronoperf.runtime.Settings;
import io.chronoperf.runtime.TokenSecret;
import io.chronoperf.server.ChronoPerfServer;
import io.chronoperf.server.config.AdminPlatformConfig;
import io.chronoperf.server.security.TokenIssuer;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "serve",
        mixinStandardHelpOptions = true,
        description = "Run the server (the main job): embedded PostgreSQL and Redis unless configured, the admin API.")
final class ServeCommand implements Callable<Integer> {
    @Mixin
    ServiceOptions services;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(
            names = "--port",
            paramLabel = "PORT",
            description = "HTTP port (CHRONO_PERF_PORT, default 8080; 0 picks a free one).")
    String port;

    @Option(
            names = "--seed-scale",
            defaultValue = "demo",
            description =
                    "Demo data loaded on the first start of an empty embedded database: small, demo, large, or none. "
                            + "Default: ${DEFAULT-VALUE}.")
    String seedScale;

    /** A running server and what it started; closing stops both, the server first. */
    record Running(ConfigurableApplicationContext context, Services services, int port, String adminToken)
            implements AutoCloseable {
        @Override
        public void close() {
            try {
                context.close();
            } finally {
                services.close();
            }
        }
    }

    /**
     * Starts the services (embedded unless configured) and the server.
     *
     * @param tuning     Spring properties of the tuning settings (flag values, else variables)
     * @param seedScale  demo data for an empty embedded database, or "none"
     */
    static Running start(Settings settings, Map<String, Object> tuning, String seedScale) {
        int httpPort = settings.port();
        byte[] secret = TokenSecret.resolve(settings);
        Services svc = Services.start(settings);
        ConfigurableApplicationContext context;
        try {
            Map<String, Object> props = new HashMap<>(tuning);
            props.put("spring.datasource.url", svc.database().jdbcUrl());
            if (svc.database().user() != null) {
                props.put("spring.datasource.username", svc.database().user());
            }
            if (svc.database().password() != null) {
                props.put("spring.datasource.password", svc.database().password());
            }
            props.put("server.port", Integer.toString(httpPort));
            props.put(Setting.HOME.property(), settings.home().toString());
            settings.get(Setting.TOKEN_SECRET).ifPresent(v -> props.put(Setting.TOKEN_SECRET.property(), v));
            svc.redisUri().ifPresent(uri -> props.put(Setting.REDIS_URL.property(), uri));
            if (svc.database().embedded() && !seedScale.equals("none")) {
                props.put("chrono-perf.seed-if-empty", seedScale); // the server says so when it loads any
            }
            context = ChronoPerfServer.start(props);
        } catch (RuntimeException e) {
            svc.close();
            throw e;
        }
        int actualPort = ((WebServerApplicationContext) context).getWebServer().getPort();
        // Demo data's user 1 is a superadmin; on an external database the token names no user.
        long uid = svc.database().embedded() ? 1 : 0;
        String token =
                new TokenIssuer(secret, Clock.systemUTC()).issue("admin", Duration.ofHours(12), "serve-console", uid);
        return new Running(context, svc, actualPort, token);
    }

    @Override
    public Integer call() throws InterruptedException {
        long start = System.nanoTime();
        Settings settings = services.settings();
        if (port != null) {
            settings = settings.with(Setting.PORT, port);
        }
        Map<String, Object> tuning = new HashMap<>();
        for (Setting s : Setting.values()) { // tuning: the flag, else the variable
            if (s.tuning()) {
                picocli.CommandLine.Model.OptionSpec flag = spec.findOption(s.flag());
                String value = flag == null ? null : flag.getValue();
                if (value == null) {
                    value = settings.get(s).orElse(null);
                }
                if (value != null) {
                    tuning.put(s.property(), value);
                }
            }
        }
        System.out.println("chrono-perf: starting (home " + settings.home() + ")");
        Running running = start(settings, tuning, seedScale);
        String base = "http://127.0.0.1:" + running.port();
        boolean platform = running.context()
                .getBean(AdminPlatformConfig.MigratedSchema.class)
                .installed();
        String sample = base + (platform ? "/api/v1/admin/users/dashboard" : "/api/v1/admin/performance/health");
        System.out.printf("%nchrono-perf is ready in %.1f s%n", (System.nanoTime() - start) / 1e9);
        System.out.println("  dashboard: " + base + "/admin/performance  (sign in with the admin token below)");
        System.out.println("  api:      " + sample
                + (platform ? "" : "  (watching only: the admin platform is not installed here)"));
        System.out.println("  openapi:  " + base + "/v3/api-docs");
        System.out.println("  health:   " + base + "/actuator/health");
        running.services().describe().forEach(line -> System.out.println("  " + line));
        System.out.println("  admin token (12 h; more with ./chrono-perf token):");
        System.out.println("    " + running.adminToken());
        System.out.println("  try: curl -H \"Authorization: Bearer <token>\" " + sample);
        System.out.println("  Ctrl-C stops the server and everything it started.");

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            System.out.println("chrono-perf: stopping");
                            try {
                                running.close();
                            } finally {
                                stopped.countDown();
                            }
                        },
                        "chrono-perf-stop"));
        stopped.await();
        return 0;
    }
}
