package io.chronoperf.cli;

import io.chronoperf.runtime.Services;
import io.chronoperf.runtime.Setting;
import io.chronoperf.runtime.Settings;
import io.chronoperf.runtime.TokenSecret;
import io.chronoperf.server.ChronoPerfServer;
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

@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Run the server (the main job): embedded PostgreSQL and Redis unless configured, the admin API.")
final class ServeCommand implements Callable<Integer> {
    @Mixin
    ServiceOptions services;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--port", paramLabel = "PORT", description = "HTTP port (CHRONO_PERF_PORT, default 8080; 0 picks a free one).")
    String port;

    @Option(names = "--seed-scale", defaultValue = "demo",
            description = "Demo data loaded on the first start of an empty embedded database: small, demo, large, or none. Default: ${DEFAULT-VALUE}.")
    String seedScale;

    @Override
    public Integer call() throws InterruptedException {
        long start = System.nanoTime();
        Settings settings = services.settings();
        if (port != null) {
            settings = settings.with(Setting.PORT, port);
        }
        int httpPort = settings.port();
        byte[] secret = TokenSecret.resolve(settings);
        System.out.println("chrono-perf: starting (home " + settings.home() + ")");
        Services svc = Services.start(settings);
        ConfigurableApplicationContext context;
        try {
            Map<String, Object> props = new HashMap<>();
            props.put("spring.datasource.url", svc.database().jdbcUrl());
            if (svc.database().user() != null) {
                props.put("spring.datasource.username", svc.database().user());
            }
            if (svc.database().password() != null) {
                props.put("spring.datasource.password", svc.database().password());
            }
            props.put("server.port", Integer.toString(httpPort));
            for (Setting s : Setting.values()) { // tuning: the flag, else the variable
                if (s.tuning()) {
                    picocli.CommandLine.Model.OptionSpec flag = spec.findOption(s.flag());
                    String value = flag == null ? null : flag.getValue();
                    if (value == null) {
                        value = settings.get(s).orElse(null);
                    }
                    if (value != null) {
                        props.put(s.property(), value);
                    }
                }
            }
            props.put(Setting.HOME.property(), settings.home().toString());
            settings.get(Setting.TOKEN_SECRET).ifPresent(v -> props.put(Setting.TOKEN_SECRET.property(), v));
            svc.redisUri().ifPresent(uri -> props.put(Setting.REDIS_URL.property(), uri));
            if (svc.database().embedded() && !seedScale.equals("none")) {
                props.put("chrono-perf.seed-if-empty", seedScale);
                System.out.println("chrono-perf: an empty embedded database gets " + seedScale
                        + "-scale demo data on first start (--seed-scale none to skip)");
            }
            context = ChronoPerfServer.start(props);
        } catch (RuntimeException e) {
            svc.close();
            throw e;
        }

        int actualPort = ((WebServerApplicationContext) context).getWebServer().getPort();
        String base = "http://127.0.0.1:" + actualPort;
        // Demo data's user 1 is a superadmin; on an external database the token names no user.
        long uid = svc.database().embedded() ? 1 : 0;
        String token = new TokenIssuer(secret, Clock.systemUTC()).issue("admin", Duration.ofHours(12), "serve-console", uid);
        System.out.printf("%nchrono-perf is ready in %.1f s%n", (System.nanoTime() - start) / 1e9);
        System.out.println("  dashboard: " + base + "/admin/performance  (sign in with the admin token below)");
        System.out.println("  api:      " + base + "/api/v1/admin/users/dashboard");
        System.out.println("  openapi:  " + base + "/v3/api-docs");
        System.out.println("  health:   " + base + "/actuator/health");
        svc.describe().forEach(line -> System.out.println("  " + line));
        System.out.println("  admin token (12 h; more with ./chrono-perf token):");
        System.out.println("    " + token);
        System.out.println("  try: curl -H \"Authorization: Bearer <token>\" " + base + "/api/v1/admin/users/dashboard");
        System.out.println("  Ctrl-C stops the server and everything it started.");

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("chrono-perf: stopping");
            try {
                context.close();
            } finally {
                svc.close();
                stopped.countDown();
            }
        }, "chrono-perf-stop"));
        stopped.await();
        return 0;
    }
}
