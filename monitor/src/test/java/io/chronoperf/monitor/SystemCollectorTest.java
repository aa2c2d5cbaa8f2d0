package io.chronoperf.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The host through OSHI: the figures are read from this machine. */
class SystemCollectorTest {
    @Test
    void the_host_has_cpus_memory_and_counters_that_only_grow() {
        SystemCollector collector = new SystemCollector();
        SystemCollector.SystemStats first = collector.collect();
        SystemCollector.SystemStats second = collector.collect();

        assertThat(first.logicalCpus()).isPositive();
        assertThat(first.memoryTotalBytes())
                .isGreaterThan(first.memoryAvailableBytes())
                .isPositive();
        assertThat(second.cpuLoadPct()).isBetween(0.0, 100.0);
        assertThat(second.diskReadBytes()).isGreaterThanOrEqualTo(first.diskReadBytes());
        assertThat(second.networkReceivedBytes()).isGreaterThanOrEqualTo(first.networkReceivedBytes());

        Observation o = Observation.at(java.time.Instant.now()).system(second).build();
        assertThat(o.get(Metric.MEMORY_USED_PCT)).isBetween(0.0, 100.0);
    }
}
