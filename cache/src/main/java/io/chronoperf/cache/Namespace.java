package io.chronoperf.cache;

import java.time.Duration;
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
            throw new IllegalArgumentException(
                    "namespace name must be lower-case letters, digits and _ (at most 32), not '" + name + "'");
        }
        if (ttl == null || ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("namespace " + name + " needs a positive TTL, not " + ttl);
        }
    }

    /** The same namespace with another time to live. */
    public Namespace withTtl(Duration value) {
        return new Namespace(name, value, compressed, autoRefresh);
    }
}
