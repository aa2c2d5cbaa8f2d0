package io.chronoperf.advisor.analyze;

import io.chronoperf.runtime.OwnStatements;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;

/**
 * Rules over an executed (or planned) plan tree. Thresholds and their sources are in docs/rules.md.
 */
final class PlanRules {
    /** A sequential scan matters from 10,000 rows examined (pgHero's and PEV2's order of magnitude). */
    static final double SEQ_SCAN_ROWS = 10_000;
    /** ... when it throws away most of them: 90% filtered. */
    static final double SEQ_SCAN_REMOVED = 0.9;
    /** Estimates off by 10x or more mislead the planner's choices (depesz's explain highlights 10x). */
    static final double MISESTIMATE = 10;
    /** Nested loops with more than 1,000 inner iterations. */
    static final double NESTED_LOOPS = 1_000;
    /** An index scan whose filter discards more than 10 times what it returns. */
    static final double INDEX_FILTER_RATIO = 10;
    /** Index-only scans with more heap fetches than 10% of their rows need a VACUUM. */
    static final double HEAP_FETCH_RATIO = 0.1;
    /** Planning slower than 10 ms is worth a look (pganalyze flags high planning time). */
    static final double PLANNING_MS = 10;

    /** (column)::othertype compared with something: the column was cast, not the value. */
    private static final java.util.regex.Pattern IMPLICIT_CAST = java.util.regex.Pattern.compile(
            "\\(\\(?([a-z_][a-z0-9_]*)\\)::(text|numeric|double precision|bigint|integer|character "
                    + "varying)\\s*(?:=|<|>|<=|>=|~~)");

    private PlanRules() {}

    private static String where(PlanNode n) {
        return n.nodeType() + (n.relation() == null ? "" : " on " + n.relation());
    }

    static List<Insight> apply(PlanNode root, Double planningMs) {
        List<Insight> out = new ArrayList<>();
        for (PlanNode n : root.all()) {
            String where = n.nodeType()
                    + (n.relation() == null ? "" : " on " + n.relation())
                    + (n.indexName() == null ? "" : " using " + n.indexName());
            double rows = n.totalActualRows();
            double removed = n.rowsRemovedByFilter() == null
                    ? 0
                    : n.rowsRemovedByFilter() * (n.actualLoops() == null ? 1 : n.actualLoops());
            if (n.nodeType().equals("Seq Scan")
                    && rows + removed >= SEQ_SCAN_ROWS
                    && removed / (rows + removed) >= SEQ_SCAN_REMOVED) {
                out.add(new Insight(
                        "seq_scan_filter",
                        "high",
                        where + " reads " + fmt(rows + removed) + " rows to keep " + fmt(rows),
                        "rows removed by filter " + fmt(removed) + "; filter " + n.filter(),
                        "An index on the filtered columns (see missing_indexes) avoids reading the whole table"));
            }
            if (n.actualRows() != null && n.planRows() > 0) {
                double actual = Math.max(1, n.actualRows());
                double planned = Math.max(1, n.planRows());
                double factor = Math.max(actual / planned, planned / actual);
                if (factor >= MISESTIMATE && Math.max(actual, planned) >= 100) {
                    out.add(new Insight(
                            "row_misestimate",
                            "medium",
                            where + " expected " + fmt(planned) + " rows and got " + fmt(actual),
                            String.format(Locale.ROOT, "off by %.0fx", factor),
                            "ANALYZE the table; for correlated columns CREATE STATISTICS (dependencies, ndistinct)"));
                }
            }
            if ("Disk".equals(n.sortSpaceType())) {
                out.add(new Insight(
                        "sort_spill",
                        "medium",
                        where + " sorted on disk",
                        "sort space type Disk",
                        "Raise work_mem for this query (SET LOCAL work_mem) or sort fewer rows (a LIMIT, an "
                                + "index in the sort order)"));
            }
            if (n.hashBatches() != null && n.hashBatches() > 1) {
                out.add(new Insight(
                        "hash_spill",
                        "medium",
                        where + " split its hash into " + n.hashBatches() + " batches",
                        "hash batches " + n.hashBatches(),
                        "Raise work_mem (or hash_mem_multiplier) for this query"));
            }
            if (n.nodeType().equals("Nested Loop")
                    && n.children().size() == 2
                    && n.children().get(1).actualLoops() != null
                    && n.children().get(1).actualLoops() > NESTED_LOOPS) {
                out.add(new Insight(
                        "nested_loop_many",
                        "medium",
                        "Nested Loop runs its inner side "
                                + fmt(n.children().get(1).actualLoops()) + " times",
                        "inner loops " + fmt(n.children().get(1).actualLoops()),
                        "A hash or merge join may be cheaper: check the outer row estimate, and index the "
                                + "inner join key"));
            }
            if (n.lossyHeapBlocks() != null && n.lossyHeapBlocks() > 0) {
                out.add(new Insight(
                        "lossy_bitmap",
                        "low",
                        where + " became lossy",
                        "lossy heap blocks " + n.lossyHeapBlocks(),
                        "Raise work_mem so the bitmap stays exact"));
            }
            if ((n.nodeType().startsWith("Index") || n.nodeType().equals("Bitmap Heap Scan"))
                    && removed > INDEX_FILTER_RATIO * Math.max(1, rows)
                    && removed >= 1_000) {
                out.add(new Insight(
                        "index_filter_heavy",
                        "medium",
                        where + " fetches " + fmt(rows + removed) + " rows to keep " + fmt(rows),
                        "rows removed by filter " + fmt(removed) + "; filter " + n.filter(),
                        "Put the filtered columns in the index (after the equality columns), or a partial index"));
            }
            if (n.nodeType().equals("Index Only Scan")
                    && n.heapFetches() != null
                    && rows > 0
                    && n.heapFetches() > HEAP_FETCH_RATIO * rows
                    && n.heapFetches() >= 100) {
                out.add(new Insight(
                        "heap_fetches",
                        "low",
                        where + " visited the heap " + fmt(n.heapFetches()) + " times",
                        "heap fetches " + n.heapFetches() + " for " + fmt(rows) + " rows",
                        "VACUUM the table so the visibility map lets the scan skip the heap"));
            }
            if (n.workersPlanned() != null && n.workersLaunched() != null && n.workersLaunched() < n.workersPlanned()) {
                out.add(new Insight(
                        "workers_short",
                        "low",
                        where + " launched " + n.workersLaunched() + " of " + n.workersPlanned() + " parallel workers",
                        "workers planned " + n.workersPlanned() + ", launched " + n.workersLaunched(),
                        "Raise max_parallel_workers / max_worker_processes, or run fewer parallel queries at once"));
            }
            if (n.tempBlocksWritten() != null
                    && n.tempBlocksWritten() > 0
                    && !"Disk".equals(n.sortSpaceType())
                    && (n.hashBatches() == null || n.hashBatches() <= 1)
                    && n.nodeType().contains("Materialize")) {
                out.add(new Insight(
                        "materialize_spill",
                        "low",
                        where + " wrote temporary blocks",
                        "temp written " + n.tempBlocksWritten(),
                        "Raise work_mem or restructure the join"));
            }
        }
        for (PlanNode n : root.all()) {
            // An OFFSET shows as a Limit that reads far more rows from below than it returns.
            if (n.nodeType().equals("Limit")
                    && n.actualRows() != null
                    && n.children().size() == 1) {
                double below = n.children().get(0).totalActualRows();
                if (below >= 1_000 && below > 10 * Math.max(1, n.actualRows())) {
                    out.add(new Insight(
                            "large_offset",
                            "medium",
                            "Limit read " + fmt(below) + " rows to return " + fmt(n.actualRows()),
                            "rows below the Limit " + fmt(below),
                            "Keyset pagination instead of OFFSET: WHERE (sort_key, id) > (last values) ORDER "
                                    + "BY sort_key, id LIMIT n"));
                }
            }
            if (n.filter() != null && IMPLICIT_CAST.matcher(n.filter()).find()) {
                Matcher m = IMPLICIT_CAST.matcher(n.filter());
                m.find();
                out.add(new Insight(
                        "implicit_cast",
                        "medium",
                        "The column " + m.group(1) + " is cast to " + m.group(2)
                                + " before the comparison: no index on it can serve",
                        "filter " + n.filter(),
                        "Compare with a value of the column's own type (bind the parameter with that type)"));
            }
            if (n.nodeType().equals("CTE Scan")
                    && n.actualTotalTime() != null
                    && root.actualTotalTime() != null
                    && root.actualTotalTime() >= 10
                    && n.actualTotalTime() > 0.5 * root.actualTotalTime()) {
                out.add(new Insight(
                        "expensive_cte",
                        "low",
                        where(n) + " takes most of the query's time",
                        String.format(Locale.ROOT, "%.1f of %.1f ms", n.actualTotalTime(), root.actualTotalTime()),
                        "A materialized CTE is an optimization fence: inline it (NOT MATERIALIZED) or filter "
                                + "inside it"));
            }
        }
        if (planningMs != null && planningMs > PLANNING_MS) {
            out.add(new Insight(
                    "high_planning_time",
                    "low",
                    String.format(Locale.ROOT, "Planning took %.1f ms", planningMs),
                    "planning time " + planningMs + " ms",
                    "Fewer joins or partitions per query, or a prepared statement (plans reused)"));
        }
        return out;
    }

    /** Modifications since the last ANALYZE above 10% of the rows (autovacuum's default scale factor) and 1,000. */
    static List<Insight> staleStatistics(java.sql.Connection c, PlanNode root) throws java.sql.SQLException {
        java.util.Set<String> tables = new java.util.TreeSet<>();
        root.all().stream().filter(n -> n.relation() != null).forEach(n -> tables.add(n.relation()));
        List<Insight> out = new ArrayList<>();
        if (tables.isEmpty()) {
            return out;
        }
        try (java.sql.PreparedStatement ps = c.prepareStatement(OwnStatements.MARK + """
                SELECT relname, n_mod_since_analyze, n_live_tup, greatest(last_analyze, last_autoanalyze)
                  FROM pg_catalog.pg_stat_user_tables
                 WHERE relname = ANY(?) AND schemaname = current_schema()""")) {
            ps.setArray(1, c.createArrayOf("text", tables.toArray()));
            try (java.sql.ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long mods = rs.getLong(2);
                    long live = rs.getLong(3);
                    if (mods >= 1_000 && mods > 0.1 * Math.max(1, live)) {
                        out.add(new Insight(
                                "stale_statistics",
                                "medium",
                                rs.getString(1) + " changed by " + fmt(mods)
                                        + " rows since its statistics were gathered",
                                "n_mod_since_analyze " + mods + ", n_live_tup " + live + ", last analyze "
                                        + rs.getTimestamp(4),
                                "ANALYZE " + rs.getString(1)
                                        + "; if it keeps happening, lower autovacuum_analyze_scale_factor for "
                                        + "the table"));
                    }
                }
            }
        }
        return out;
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%,.0f", v);
    }
}
