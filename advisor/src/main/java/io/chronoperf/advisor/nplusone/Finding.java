package io.chronoperf.advisor.nplusone;

/**
 * One detected problem in one unit.
 *
 * @param kind         n_plus_one, duplicate, batchable_write or repeated_pattern
 * @param sql          a representative statement
 * @param count        statements in the group (for repeated_pattern: repetitions of the block)
 * @param sourceSql    for an N+1, the earlier statement whose rows likely fed the loop, or null
 * @param roundTripsSaved round trips the suggestion would save
 * @param timeSavedMs  estimated time saved: the group's total minus its slowest statement
 */
public record Finding(
        String unit,
        String kind,
        String sql,
        String fingerprint,
        String site,
        int count,
        double totalMs,
        String suggestion,
        String sourceSql,
        int roundTripsSaved,
        double timeSavedMs) {
    public static final String N_PLUS_ONE = "n_plus_one";
    public static final String DUPLICATE = "duplicate";
    public static final String BATCHABLE_WRITE = "batchable_write";
    public static final String REPEATED_PATTERN = "repeated_pattern";
}
