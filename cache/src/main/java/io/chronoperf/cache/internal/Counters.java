package io.chronoperf.cache.internal;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * One namespace's counters, registered with Micrometer (so {@code /actuator/prometheus} shows them)
 * under {@code chrono_perf_cache_*} with a {@code namespace} tag. Thread-safe (LongAdders).
 */
public final class Counters {
    public final LongAdder l1Hits = new LongAdder();
    public final LongAdder l2Hits = new LongAdder();
    public final LongAdder misses = new LongAdder();
    /** Expired L1 entries served because the loader found the database away (stale-if-error). */
    public final LongAdder staleServed = new LongAdder();

    public final LongAdder loads = new LongAdder();
    public final LongAdder loadNanos = new LongAdder();
    public final LongAdder loadErrors = new LongAdder();
    public final LongAdder evictions = new LongAdder();
    public final LongAdder encodedBytes = new LongAdder();
    public final LongAdder storedBytes = new LongAdder();
    public final Timer gets;

    public Counters(String namespace, MeterRegistry registry) {
        counter(registry, "chrono_perf.cache.requests", namespace, "result", "l1_hit", l1Hits);
        counter(registry, "chrono_perf.cache.requests", namespace, "result", "l2_hit", l2Hits);
        counter(registry, "chrono_perf.cache.requests", namespace, "result", "miss", misses);
        counter(registry, "chrono_perf.cache.requests", namespace, "result", "stale", staleServed);
        counter(registry, "chrono_perf.cache.loads", namespace, "outcome", "success", loads);
        counter(registry, "chrono_perf.cache.loads", namespace, "outcome", "error", loadErrors);
        counter(registry, "chrono_perf.cache.evictions", namespace, "cause", "size", evictions);
        counter(registry, "chrono_perf.cache.bytes", namespace, "form", "encoded", encodedBytes);
        counter(registry, "chrono_perf.cache.bytes", namespace, "form", "stored", storedBytes);
        gets = Timer.builder("chrono_perf.cache.get")
                .tag("namespace", namespace)
                .description("Latency of a cache get, hits and loads together")
                .publishPercentiles(0.5, 0.99)
                .register(registry);
    }

    private static void counter(
            MeterRegistry registry, String name, String namespace, String tag, String value, LongAdder adder) {
        FunctionCounter.builder(name, adder, LongAdder::sum)
                .tag("namespace", namespace)
                .tag(tag, value)
                .register(registry);
    }

    public double percentileMillis(double percentile) {
        for (ValueAtPercentile v : gets.takeSnapshot().percentileValues()) {
            if (Math.abs(v.percentile() - percentile) < 1e-9) {
                return v.value(TimeUnit.MILLISECONDS);
            }
        }
        return Double.NaN;
    }
}
