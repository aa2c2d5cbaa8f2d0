package io.chronoperf.bench;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;
import javax.sql.DataSource;

/** Renders a {@link WorkloadBenchmark.Report}: a table and a log-scale bar chart of p95 latencies. */
public final class WorkloadReport {
    private static final int BAR = 40;

    private WorkloadReport() {}

    /** Machine and versions, for the record next to the figures. */
    public static String environment(DataSource dataSource) {
        String pg;
        try (Connection c = dataSource.getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SHOW server_version")) {
            rs.next();
            pg = "PostgreSQL " + rs.getString(1);
        } catch (SQLException e) {
            pg = "PostgreSQL (version unknown)";
        }
        return String.format(
                Locale.ROOT,
                "%s; Java %s (%s); %s %s; %d cores, %d MiB max heap",
                pg,
                System.getProperty("java.version"),
                System.getProperty("java.vm.name"),
                System.getProperty("os.name"),
                System.getProperty("os.arch"),
                Runtime.getRuntime().availableProcessors(),
                Runtime.getRuntime().maxMemory() / (1 << 20));
    }

    public static String text(WorkloadBenchmark.Report r, String environment) {
        StringBuilder b = new StringBuilder();
        b.append("admin workload at ")
                .append(r.scale())
                .append(" scale, uncached (")
                .append(environment)
                .append(")\n");
        if (r.seeding() != null) {
            b.append(String.format(
                    Locale.ROOT,
                    "generator: %,d rows in %.1f s = %,.0f rows/s; 46 indexes in %.1f s%n",
                    r.seeding().rows(),
                    r.seeding().loadTime().toMillis() / 1000.0,
                    r.seeding().rowsPerSecond(),
                    r.seeding().indexTime().toMillis() / 1000.0));
        }
        b.append(String.format(
                Locale.ROOT,
                "strategic indexes: %d, %,.1f MiB; rebuilt in %.1f s%n%n",
                r.strategicIndexes(),
                r.strategicIndexBytes() / 1048576.0,
                r.indexRebuild().toMillis() / 1000.0));
        b.append(String.format(
                Locale.ROOT,
                "%-36s %9s %9s %9s | %10s %10s %10s | %8s%n",
                "query (ms)",
                "p50",
                "p95",
                "p99",
                "p50 no-ix",
                "p95 no-ix",
                "p99 no-ix",
                "speedup"));
        appendLines(b, r.queries());
        b.append('\n');
        appendLines(b, r.families());
        b.append("\np95 latency, log scale (# with the strategic indexes, - without):\n");
        double max = r.queries().stream()
                .mapToDouble(WorkloadBenchmark.Line::p95Without)
                .max()
                .orElse(1);
        for (WorkloadBenchmark.Line l : r.queries()) {
            String key = l.family() + "." + l.query();
            b.append(String.format(Locale.ROOT, "%-36s #%s %.2f%n", key, bar(l.p95(), max, '#'), l.p95()));
            b.append(String.format(Locale.ROOT, "%-36s -%s %.2f%n", "", bar(l.p95Without(), max, '-'), l.p95Without()));
        }
        return b.toString();
    }

    public static String markdown(WorkloadBenchmark.Report r, String environment) {
        StringBuilder b = new StringBuilder();
        b.append("Admin workload at ")
                .append(r.scale())
                .append(" scale, uncached. ")
                .append(environment)
                .append(".\n\n");
        b.append("| query | p50 ms | p95 ms | p99 ms | p50 no-ix | p95 no-ix | p99 no-ix | p95 speedup |\n");
        b.append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (List<WorkloadBenchmark.Line> lines : List.of(r.queries(), r.families())) {
            for (WorkloadBenchmark.Line l : lines) {
                b.append(String.format(
                        Locale.ROOT,
                        "| %s | %.2f | %.2f | %.2f | %.1f | %.1f | %.1f | %.1fx |%n",
                        l.query().equals("all") ? "**" + l.family() + " (family)**" : l.family() + "." + l.query(),
                        l.p50(),
                        l.p95(),
                        l.p99(),
                        l.p50Without(),
                        l.p95Without(),
                        l.p99Without(),
                        l.speedupP95()));
            }
        }
        return b.toString();
    }

    private static void appendLines(StringBuilder b, List<WorkloadBenchmark.Line> lines) {
        for (WorkloadBenchmark.Line l : lines) {
            String key = l.query().equals("all") ? l.family() + " (family)" : l.family() + "." + l.query();
            b.append(String.format(
                    Locale.ROOT,
                    "%-36s %9.2f %9.2f %9.2f | %10.1f %10.1f %10.1f | %7.1fx%n",
                    key,
                    l.p50(),
                    l.p95(),
                    l.p99(),
                    l.p50Without(),
                    l.p95Without(),
                    l.p99Without(),
                    l.speedupP95()));
        }
    }

    /** A bar whose length is log10 of the value relative to 0.01 ms, scaled to the largest. */
    private static String bar(double value, double max, char c) {
        double lo = Math.log10(0.01);
        double span = Math.log10(Math.max(max, 0.1)) - lo;
        int n = (int) Math.round(BAR * (Math.log10(Math.max(value, 0.01)) - lo) / span);
        return String.valueOf(c).repeat(Math.max(1, Math.min(BAR, n)));
    }
}
