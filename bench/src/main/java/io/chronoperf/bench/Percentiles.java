package io.chronoperf.bench;

import java.util.Arrays;

/** Latency samples in nanoseconds and their percentiles (nearest-rank). */
final class Percentiles {
    private final double[] millis;

    Percentiles(long[] nanos) {
        millis = Arrays.stream(nanos).mapToDouble(n -> n / 1e6).sorted().toArray();
    }

    double p(double percentile) {
        if (millis.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(percentile / 100.0 * millis.length);
        return millis[Math.max(0, Math.min(millis.length - 1, rank - 1))];
    }

    int count() {
        return millis.length;
    }
}
