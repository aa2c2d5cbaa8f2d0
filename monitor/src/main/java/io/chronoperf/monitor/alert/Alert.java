package io.chronoperf.monitor.alert;

import java.time.Instant;

/**
 * One alert: open while {@code resolvedAt} is null. {@code value} is the latest value seen,
 * {@code peak} the worst.
 */
public record Alert(
        long id,
        String rule,
        String metric,
        String severity,
        String state,
        double value,
        double peak,
        double threshold,
        String message,
        Instant startedAt,
        Instant lastSeenAt,
        Instant resolvedAt) {}
