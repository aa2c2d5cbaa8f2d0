package io.chronoperf.cli;

import io.chronoperf.runtime.Services;
import io.chronoperf.runtime.Setting;
import io.chronoperf.runtime.Settings;
import io.chronoperf.runtime.TokenSecret;
import io.chronoperf.server.ChronoPerfServer;
import io.chronoperf.server.security.TokenIssuer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The server started in this process on the configured services (for the HTTP benchmarks), on a
 * free port, logging warnings only; closed with its services.
 */
final class InProcessServer implements AutoCloseable {
    private final Services services;
    private final ConfigurableApplicationContext context;
    private final TokenIssuer tokens;

    private InProcessServer(Services services, ConfigurableApplicationContext context, TokenIssuer tokens) {
        this.services = services;
        this.context = context;
        this.tokens = tokens;
    }

    static InProcessServer start(Settings settings) {
        byte[] secret = TokenSecret.resolve(settings);
        Services svc = Services.start(settings, false);
        try {
            Map<String, Object> props = new HashMap<>();
            props.put("spring.datasource.url", svc.database().jdbcUrl());
            if (svc.database().user() != null) {
                props.put("spring.datasource.username", svc.database().user());
            }
            if (svc.database().password() != null) {
                props.put("spring.datasource.password", svc.database().password());
            }
            props.put("server.port", "0");
            props.put(Setting.HOME.property(), settings.home().toString());
            svc.redisUri().ifPresent(uri -> props.put(Setting.REDIS_URL.property(), uri));
            props.put("logging.level.root", "WARN");
            return new InProcessServer(svc, ChronoPerfServer.start(props), new TokenIssuer(secret, Clock.systemUTC()));
        } catch (RuntimeException e) {
            svc.close();
            throw e;
        }
    }

    ConfigurableApplicationContext context() {
        return context;
    }

    int port() {
        return ((WebServerApplicationContext) context).getWebServer().getPort();
    }

    String token(String role) {
        return tokens.issue(role, Duration.ofHours(2), "bench", 0);
    }

    /** The admin platform's users (the ids the load ranges over). */
    int countUsers() throws SQLException {
        try (Connection c = services.database().connect();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*) FROM users")) {
            rs.next();
            return (int) rs.getLong(1);
        }
    }

    @Override
    public void close() {
        try {
            context.close();
        } finally {
            services.close();
        }
    }
}
