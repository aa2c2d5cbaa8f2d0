package io.chronoperf.server.watch;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A round of samples of the watched databases spread over the sample interval, so that a fleet
 * does not put all its sampling at the start of each interval. The interval is cut into slices of
 * about a second (never more slices than databases); database {@code i} of {@code n} (in name
 * order) samples in slice {@code i * slices / n}, so every slice holds the same number of
 * databases, give or take one. Slices are numbered from the epoch ({@link #tickAt}): the phase of
 * each database is the same in every process, and a tick samples the slices that began since the
 * previous tick, so a late or skipped tick delays a database's sample without dropping it. Pure
 * arithmetic, no state: the caller keeps its previous tick.
 */
public final class SampleRounds {
    private final int databases;
    private final int slices;
    private final long sliceMillis;

    public SampleRounds(int databases, Duration interval) {
        if (databases < 0 || interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException(
                    "databases >= 0 and a positive interval, not " + databases + ", " + interval);
        }
        this.databases = databases;
        long seconds = Math.max(1, interval.toSeconds());
        this.slices = (int) Math.max(1, Math.min(Math.max(1, databases), seconds));
        this.sliceMillis = Math.max(1, interval.toMillis() / slices);
    }

    /** How often to tick: one slice. */
    public Duration tick() {
        return Duration.ofMillis(sliceMillis);
    }

    public int slices() {
        return slices;
    }

    /** The number of the slice {@code now} falls in, counted from the epoch. */
    public long tickAt(Instant now) {
        return Math.floorDiv(now.toEpochMilli(), sliceMillis);
    }

    /** The slice of a round database {@code index} samples in. */
    public int sliceOf(int index) {
        return (int) ((long) index * slices / databases);
    }

    /**
     * The databases (indexes in name order) due at tick {@code tick}, the previous tick having been
     * {@code previous}: those of every slice that began after {@code previous}, up to and with
     * {@code tick}. On a first tick ({@code previous} negative), after a clock that went back, or
     * after more than a round without a tick: the current slice's only.
     */
    public List<Integer> due(long previous, long tick) {
        long from = previous < 0 || previous >= tick || tick - previous > slices ? tick : previous + 1;
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < databases; i++) {
            int slice = sliceOf(i);
            for (long t = from; t <= tick; t++) {
                if (Math.floorMod(t, slices) == slice) {
                    out.add(i);
                    break;
                }
            }
        }
        return out;
    }
}
