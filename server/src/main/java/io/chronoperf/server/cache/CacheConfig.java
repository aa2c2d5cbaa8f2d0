package io.chronoperf.server.cache;

import io.chronoperf.cache.AdminCache;
import io.chronoperf.cache.CacheStats;
import io.chronoperf.cache.WarmReport;
import io.chronoperf.runtime.Setting;
import io.chronoperf.runtime.Settings;
import io.chronoperf.server.config.AdminPlatformConfig;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;
import org.springframework.scheduling.annotation.EnableScheduling;

/**
 * The two-level cache of the admin API: L2 on the configured Redis (none with no-redis), warmed
 * at start-up and then every {@code chrono-perf.tasks.warm-interval} (the seed's 15 minutes, a background task), and
 * reported in {@code /actuator/health} as degraded while Redis is unreachable.
 */
@Configuration(proxyBeanMethods = false)
@EnableScheduling
public class CacheConfig {
    private static final Logger log = LoggerFactory.getLogger(CacheConfig.class);

    @Bean(destroyMethod = "close")
    AdminCache adminCache(Settings settings, MeterRegistry registry) {
        long maximumSize = settings.integer(Setting.CACHE_L1_MAXIMUM_SIZE);
        java.time.Duration connectTimeout = settings.duration(Setting.REDIS_CONNECT_TIMEOUT);
        String redis =
                settings.noRedis() ? null : settings.get(Setting.REDIS_URL).orElse(null);
        return AdminCache.builder()
                .keyPrefix(AdminNamespaces.KEY_PREFIX)
                .namespaces(AdminNamespaces.configured(
                        settings.get(Setting.CACHE_TTL).orElse(null)))
                .redisUri(redis)
                .connectTimeout(connectTimeout)
                .meterRegistry(registry)
                .maximumSize(maximumSize)
                .build();
    }

    @Bean
    HealthIndicator cacheHealthIndicator(AdminCache cache) {
        return () -> {
            CacheStats stats = cache.stats();
            Health.Builder h =
                    stats.redis() == CacheStats.RedisState.DEGRADED ? Health.status("DEGRADED") : Health.up();
            return h.withDetail("redis", stats.redis().label())
                    .withDetail("l1_size", stats.l1Size())
                    .build();
        };
    }

    /** Registers the warmers and warms every namespace once the server is ready. */
    @Bean
    Warming warming(AdminCache cache, CachedAdmin cached, AdminPlatformConfig.MigratedSchema schema) {
        if (schema.installed()) { // watching only: no admin data to warm
            cached.registerWarmers();
        }
        return new Warming(cache);
    }

    /** Start-up and scheduled warming. */
    public static final class Warming {
        private final AdminCache cache;

        Warming(AdminCache cache) {
            this.cache = cache;
        }

        @EventListener(ApplicationReadyEvent.class)
        public void atStartup() {
            warmAll(false);
        }

        /** Warms every namespace (the background task calls it every 15 minutes, forced). */
        public void warmAll(boolean force) {
            for (String ns : cache.warmedNamespaces()) {
                try {
                    WarmReport r = cache.warm(ns, force);
                    log.debug("Warmed {}: {} keys loaded in {} ms", ns, r.loaded(), r.millis());
                } catch (RuntimeException e) {
                    log.warn("Warming {} failed: {}", ns, e.toString());
                }
            }
        }
    }
}
