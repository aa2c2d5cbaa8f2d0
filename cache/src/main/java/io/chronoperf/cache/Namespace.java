package io.chronoperf.cache;

import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A family of cached admin reads with its own time to live, compression and refresh policy.
 *
 * @param ttl         how long an entry lives, in both levels
 * @param compressed  zstd-compress values above the codec's size threshold
 * @param autoRefresh serve the current value while one background refresh reloads it once it
 *                    is older than {@link #REFRESH_AT} of its TTL (refresh-ahead)
 */
public record Namespace(String name, Duration ttl, boolean compressed, boolean autoRefresh) {
    /** Refresh-ahead starts at 80% of the TTL: late enough to be cheap, early enough to hide the load. */
    public static final double REFRESH_AT = 0.8;

    static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]{0,31}");

    public Namespace {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("namespace name must be lower-case letters, digits and _ (at most 32), not '" + name + "'");
        }
        if (ttl == null || ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("namespace " + name + " needs a positive TTL, not " + ttl);
        }
    }

    /** The seed's table: dashboard 1 min, users 5 min, audit 15 min, security 30 s, system 2 min, backup 10 min. */
    public static List<Namespace> defaults() {
        return List.of(
                new Namespace("dashboard", Duration.ofMinutes(1), true, true),
                new Namespace("users", Duration.ofMinutes(5), true, false),
                new Namespace("audit", Duration.ofMinutes(15), true, false),
                new Namespace("security", Duration.ofSeconds(30), false, true),
                new Namespace("system", Duration.ofMinutes(2), true, false),
                new Namespace("backup", Duration.ofMinutes(10), true, false),
                // not the seed's: the performance dashboard's document, short-lived (live page)
                new Namespace("performance", Duration.ofSeconds(10), true, false));
    }
}
