package io.chronoperf.server.cache;

import io.chronoperf.cache.Namespace;
import io.chronoperf.runtime.ChronoPerfException;
import io.chronoperf.runtime.ErrorCode;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The namespaces of the server's cache, owned here (the generic cache library knows none): the
 * seed's table (dashboard 1 min, users 5 min, audit 15 min, security 30 s, system 2 min, backup
 * 10 min) and the performance dashboard's document (10 s, a live page). Every key is under
 * {@link #KEY_PREFIX}. Callers name a namespace by its constant, never by a string; the time to
 * live of each can be changed with {@code CHRONO_PERF_CACHE_TTL}, where a name that is not one of
 * these stops the start with one line.
 */
public final class AdminNamespaces {
    public static final String KEY_PREFIX = "admin:";

    public static final Namespace DASHBOARD = new Namespace("dashboard", Duration.ofMinutes(1), true, true);
    public static final Namespace USERS = new Namespace("users", Duration.ofMinutes(5), true, false);
    public static final Namespace AUDIT = new Namespace("audit", Duration.ofMinutes(15), true, false);
    public static final Namespace SECURITY = new Namespace("security", Duration.ofSeconds(30), false, true);
    public static final Namespace SYSTEM = new Namespace("system", Duration.ofMinutes(2), true, false);
    public static final Namespace BACKUP = new Namespace("backup", Duration.ofMinutes(10), true, false);
    public static final Namespace PERFORMANCE = new Namespace("performance", Duration.ofSeconds(10), true, false);

    public static final List<Namespace> ALL = List.of(DASHBOARD, USERS, AUDIT, SECURITY, SYSTEM, BACKUP, PERFORMANCE);

    private AdminNamespaces() {}

    /**
     * The namespaces with the times to live of {@code CHRONO_PERF_CACHE_TTL} ({@code users=PT2M,audit=PT30M});
     * blank: the defaults.
     *
     * @throws ChronoPerfException (configuration) naming the entry that is not {@code known-namespace=ISO-8601
     * duration}
     */
    public static List<Namespace> configured(String ttls) {
        Map<String, Namespace> byName = new LinkedHashMap<>();
        ALL.forEach(ns -> byName.put(ns.name(), ns));
        if (ttls == null || ttls.isBlank()) {
            return ALL;
        }
        for (String entry : ttls.split(",")) {
            String[] pair = entry.strip().split("=", 2);
            String name = pair[0].strip().toLowerCase(Locale.ROOT);
            Namespace ns = byName.get(name);
            if (ns == null) {
                throw new ChronoPerfException(
                        ErrorCode.CONFIGURATION,
                        "CHRONO_PERF_CACHE_TTL names '" + pair[0].strip()
                                + "', which is not a cache namespace; use one of "
                                + String.join(", ", byName.keySet()));
            }
            byName.put(name, ns.withTtl(duration(pair.length == 2 ? pair[1].strip() : "", name)));
        }
        return new ArrayList<>(byName.values());
    }

    private static Duration duration(String raw, String name) {
        try {
            Duration d = Duration.parse(raw);
            if (!d.isNegative() && !d.isZero()) {
                return d;
            }
        } catch (DateTimeParseException e) {
            // reported below
        }
        throw new ChronoPerfException(
                ErrorCode.CONFIGURATION,
                "CHRONO_PERF_CACHE_TTL gives " + name + " '" + raw + "': use a positive ISO-8601 duration such as "
                        + name + "=PT5M");
    }
}
