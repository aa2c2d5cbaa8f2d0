package io.chronoperf.server.replica;

import com.zaxxer.hikari.HikariDataSource;
import io.chronoperf.advisor.nplusone.StatementCapture;
import io.chronoperf.runtime.ChronoPerfException;
import io.chronoperf.runtime.DatabaseEndpoint;
import io.chronoperf.runtime.ErrorCode;
import io.chronoperf.runtime.Setting;
import io.chronoperf.runtime.Settings;
import io.chronoperf.server.availability.DatabaseWatch;
import io.chronoperf.server.availability.GatedDataSource;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * The admin API's read routing ({@link ReadReplicas}): none unless
 * {@code CHRONO_PERF_DB_REPLICA_URLS} names replicas. The routing data source is wrapped like the
 * application's own (the availability gate, then the N+1 capture), so that a read is refused at
 * once while the primary is away and counted once by the N+1 detection wherever it ran.
 */
@Configuration(proxyBeanMethods = false)
public class ReplicaConfig {

    @Bean(destroyMethod = "close")
    ReadReplicas readReplicas(
            DataSource dataSource,
            Settings settings,
            Environment env,
            StatementCapture capture,
            ObjectProvider<DatabaseWatch> watch,
            MeterRegistry meters,
            Clock clock)
            throws SQLException {
        String urls = settings.get(Setting.DB_REPLICA_URLS).orElse("");
        if (urls.isBlank()) {
            return ReadReplicas.none(dataSource);
        }
        List<DatabaseEndpoint> replicas = parse(
                urls, env.getProperty("spring.datasource.username"), env.getProperty("spring.datasource.password"));
        Duration maxLag = settings.duration(Setting.DB_REPLICA_MAX_LAG);
        if (maxLag.isNegative()) {
            throw new ChronoPerfException(
                    ErrorCode.CONFIGURATION, Setting.DB_REPLICA_MAX_LAG.env() + " must not be negative, not " + maxLag);
        }
        ReadReplicas routing = new ReadReplicas(
                dataSource.unwrap(HikariDataSource.class),
                replicas,
                maxLag,
                settings.duration(Setting.DATABASE_WATCH_INTERVAL),
                clock,
                router -> capture.wrap(new GatedDataSource(router, watch::getIfAvailable)));
        for (ReadReplicas.Route route : ReadReplicas.Route.values()) {
            FunctionCounter.builder("chrono_perf.admin.reads", routing, r -> r.count(route))
                    .tag("route", route.name().toLowerCase(java.util.Locale.ROOT))
                    .description("Admin API reads by where they ran and why")
                    .register(meters);
        }
        for (ReadReplicas.ReplicaStatus r : routing.status().replicas()) {
            String url = r.url();
            Gauge.builder("chrono_perf.replica.lag", routing, rr -> lagOf(rr, url))
                    .tag("replica", url)
                    .baseUnit("seconds")
                    .description("Replay lag of a read replica (NaN while it is down)")
                    .register(meters);
        }
        return routing;
    }

    private static double lagOf(ReadReplicas routing, String url) {
        return routing.status().replicas().stream()
                .filter(r -> r.url().equals(url) && r.lagSeconds() != null)
                .mapToDouble(ReadReplicas.ReplicaStatus::lagSeconds)
                .findFirst()
                .orElse(Double.NaN);
    }

    /**
     * The replicas of {@code CHRONO_PERF_DB_REPLICA_URLS}: comma-separated JDBC or postgres:// URLs;
     * a URL that names no user connects as the primary's user, with its password.
     */
    public static List<DatabaseEndpoint> parse(String text, String user, String password) {
        List<DatabaseEndpoint> out = new ArrayList<>();
        for (String item : text.split(",")) {
            String url = item.strip();
            if (url.isEmpty()) {
                continue;
            }
            if (!(url.startsWith("jdbc:postgresql://")
                    || url.startsWith("postgres://")
                    || url.startsWith("postgresql://"))) {
                throw bad("'" + url + "' does not start with jdbc:postgresql://, postgres:// or postgresql://");
            }
            try {
                DatabaseEndpoint named = DatabaseEndpoint.external(url, null, null);
                out.add(named.user() == null ? DatabaseEndpoint.external(url, user, password) : named);
            } catch (IllegalArgumentException | ChronoPerfException e) {
                throw bad("'" + url + "' is not a valid URL (" + e.getMessage() + ")");
            }
        }
        if (out.isEmpty()) {
            throw bad("it names no URL");
        }
        return out;
    }

    private static ChronoPerfException bad(String what) {
        return new ChronoPerfException(
                ErrorCode.CONFIGURATION,
                Setting.DB_REPLICA_URLS.env() + ": " + what
                        + ". Expected URL,URL, e.g."
                        + " CHRONO_PERF_DB_REPLICA_URLS=\"postgres://app@replica1:5432/admin\".");
    }
}
