package io.chronoperf.advisor.analyze;

import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * One node of an {@code EXPLAIN (FORMAT JSON)} plan, with the figures the rules read. Actual
 * figures are null when the plan was not executed.
 */
public record PlanNode(
        String nodeType,
        String relation,
        String indexName,
        String filter,
        double totalCost,
        double planRows,
        Double actualRows,
        Double actualLoops,
        Double actualTotalTime,
        Double rowsRemovedByFilter,
        String sortSpaceType,
        Long hashBatches,
        Long heapFetches,
        Long lossyHeapBlocks,
        Long workersPlanned,
        Long workersLaunched,
        Long tempBlocksWritten,
        List<PlanNode> children) {

    static PlanNode of(JsonNode n) {
        List<PlanNode> children = new ArrayList<>();
        JsonNode plans = n.get("Plans");
        if (plans != null) {
            plans.forEach(child -> children.add(of(child)));
        }
        return new PlanNode(
                text(n, "Node Type"),
                text(n, "Relation Name"),
                text(n, "Index Name"),
                text(n, "Filter"),
                n.path("Total Cost").asDouble(),
                n.path("Plan Rows").asDouble(),
                number(n, "Actual Rows"),
                number(n, "Actual Loops"),
                number(n, "Actual Total Time"),
                number(n, "Rows Removed by Filter"),
                text(n, "Sort Space Type"),
                whole(n, "Hash Batches"),
                whole(n, "Heap Fetches"),
                whole(n, "Lossy Heap Blocks"),
                whole(n, "Workers Planned"),
                whole(n, "Workers Launched"),
                whole(n, "Temp Written Blocks"),
                List.copyOf(children));
    }

    /** This node and every node below it, depth first. */
    public List<PlanNode> all() {
        List<PlanNode> out = new ArrayList<>();
        out.add(this);
        children.forEach(c -> out.addAll(c.all()));
        return out;
    }

    /** Rows this node produced over all its loops. */
    public double totalActualRows() {
        return actualRows == null ? 0 : actualRows * (actualLoops == null ? 1 : actualLoops);
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asString();
    }

    private static Double number(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asDouble();
    }

    private static Long whole(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asLong();
    }
}
