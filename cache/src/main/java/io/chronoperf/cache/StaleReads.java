package io.chronoperf.cache;

/**
 * The age of the oldest stale value the current thread was served (stale-if-error), so that a
 * request can say it answered from an expired cache entry: the server begins a scope per request,
 * reads {@link #maxAgeMillis()} before the response is written (an {@code Age} header) and ends it.
 * Outside a scope nothing is recorded. Thread-confined.
 */
public final class StaleReads {
    private static final ThreadLocal<long[]> OLDEST = new ThreadLocal<>();

    private StaleReads() {}

    public static void begin() {
        OLDEST.set(new long[] {-1});
    }

    /** The age in ms of the oldest stale value served in this scope, or -1 when none was. */
    public static long maxAgeMillis() {
        long[] oldest = OLDEST.get();
        return oldest == null ? -1 : oldest[0];
    }

    public static void end() {
        OLDEST.remove();
    }

    static void record(long ageMillis) {
        long[] oldest = OLDEST.get();
        if (oldest != null && ageMillis > oldest[0]) {
            oldest[0] = ageMillis;
        }
    }
}
