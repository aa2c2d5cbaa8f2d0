package io.chronoperf.monitor;

import oshi.SystemInfo;
import oshi.hardware.CentralProcessor;
import oshi.hardware.GlobalMemory;
import oshi.hardware.HWDiskStore;
import oshi.hardware.HardwareAbstractionLayer;
import oshi.hardware.NetworkIF;

/**
 * The host the server runs on, through OSHI: CPU load since the previous reading, memory, and
 * the cumulative disk and network counters. On a host where the database runs elsewhere these
 * describe the application's host, not the database's. Thread-safe (readings are serialized).
 */
public final class SystemCollector {
    /**
     * @param cpuLoadPct CPU load since the previous reading (the first reading: since boot), %
     */
    public record SystemStats(
            int logicalCpus,
            double cpuLoadPct,
            double loadAverage1m,
            long memoryTotalBytes,
            long memoryAvailableBytes,
            long swapUsedBytes,
            long diskReadBytes,
            long diskWriteBytes,
            long networkReceivedBytes,
            long networkSentBytes) {}

    private final HardwareAbstractionLayer hardware = new SystemInfo().getHardware();
    private long[] previousTicks;

    public synchronized SystemStats collect() {
        CentralProcessor cpu = hardware.getProcessor();
        long[] ticks = cpu.getSystemCpuLoadTicks();
        double load =
                previousTicks == null ? cpuSinceBoot(ticks) : cpu.getSystemCpuLoadBetweenTicks(previousTicks) * 100;
        previousTicks = ticks;
        GlobalMemory memory = hardware.getMemory();
        long read = 0;
        long written = 0;
        for (HWDiskStore disk : hardware.getDiskStores()) {
            read += disk.getReadBytes();
            written += disk.getWriteBytes();
        }
        long received = 0;
        long sent = 0;
        for (NetworkIF nic : hardware.getNetworkIFs(false)) {
            received += nic.getBytesRecv();
            sent += nic.getBytesSent();
        }
        return new SystemStats(
                cpu.getLogicalProcessorCount(),
                load,
                cpu.getSystemLoadAverage(1)[0],
                memory.getTotal(),
                memory.getAvailable(),
                memory.getVirtualMemory().getSwapUsed(),
                read,
                written,
                received,
                sent);
    }

    private static double cpuSinceBoot(long[] ticks) {
        long total = 0;
        for (long t : ticks) {
            total += t;
        }
        long idle =
                ticks[CentralProcessor.TickType.IDLE.getIndex()] + ticks[CentralProcessor.TickType.IOWAIT.getIndex()];
        return total == 0 ? 0 : 100.0 * (total - idle) / total;
    }
}
