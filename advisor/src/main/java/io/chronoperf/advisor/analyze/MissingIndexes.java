package io.chronoperf.advisor.analyze;

import io.chronoperf.runtime.OwnStatements;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.postgresql.core.Utils;

/**
 * Index candidates from the plan (scans that filter: equality columns first, then one range
 * column), each verified by a what-if: HypoPG's hypothetical index when the extension is
 * installed, otherwise a real CREATE INDEX on a copy of the table in the session's temporary
 * schema ({@link ScratchCopies}: tables under a size limit; no lock a writer of the table waits
 * for), inside a transaction that is rolled back. A candidate that an existing index already
 * covers (same leading columns) is never proposed. Only candidates that lower the statement's
 * estimated cost by 10% or more are kept.
 */
final class MissingIndexes {
    private static final Pattern TERM =
            Pattern.compile("\\(?\\(?\"?([a-z_][a-z0-9_]*)\"?\\)?(?:::[a-z ]+)?\\s(=|<|>|<=|>=)\\s");
    private static final double MIN_IMPROVEMENT = 10;
    /** LIKE/ILIKE with a leading wildcard: a trigram index is the only index that helps. */
    private static final Pattern LIKE_ANYWHERE = Pattern.compile("\\(?([a-z_][a-z0-9_]*) ~~\\*? '%");
    /** jsonb containment: GIN with jsonb_path_ops. */
    private static final Pattern JSON_CONTAINS = Pattern.compile("\\(?([a-z_][a-z0-9_]*) @> ");

    private MissingIndexes() {}

    /**
     * @param explainSql     the EXPLAIN (FORMAT JSON) statement to cost with (already JDBC-escaped)
     * @param bound          its bound values
     * @param maxTableBytes  without HypoPG, only tables up to this size are copied for the what-if
     */
    static List<IndexRecommendation> find(
            PlanNode plan,
            QueryAnalyzer.ConnectionSource source,
            String explainSql,
            List<Object> bound,
            double costBefore,
            long maxTableBytes)
            throws SQLException {
        Map<String, List<String>> candidates = new LinkedHashMap<>();
        Map<String, String> ginCandidates = new LinkedHashMap<>(); // "table\0column" -> opclass
        for (PlanNode n : plan.all()) {
            if (n.relation() == null || n.filter() == null) {
                continue;
            }
            if (!n.nodeType().equals("Seq Scan")
                    && !(n.nodeType().startsWith("Index") && n.rowsRemovedByFilter() != null)) {
                continue;
            }
            Matcher like = LIKE_ANYWHERE.matcher(n.filter());
            if (like.find()) {
                ginCandidates.putIfAbsent(n.relation() + "\u0000" + like.group(1), "gin_trgm_ops");
            }
            Matcher contains = JSON_CONTAINS.matcher(n.filter());
            if (contains.find()) {
                ginCandidates.putIfAbsent(n.relation() + "\u0000" + contains.group(1), "jsonb_path_ops");
            }
            Set<String> equality = new LinkedHashSet<>();
            Set<String> range = new LinkedHashSet<>();
            Matcher m = TERM.matcher(n.filter());
            while (m.find()) {
                (m.group(2).equals("=") ? equality : range).add(m.group(1));
            }
            List<String> columns = new ArrayList<>(equality);
            range.stream().filter(c -> !equality.contains(c)).findFirst().ifPresent(columns::add);
            if (!columns.isEmpty()) {
                candidates.putIfAbsent(n.relation(), columns);
            }
        }
        List<IndexRecommendation> out = new ArrayList<>();
        if (ginCandidates.isEmpty() && candidates.isEmpty()) {
            return out;
        }
        try (Connection c = source.open()) {
            boolean hypopg = hypopg(c);
            try (ScratchCopies copies = new ScratchCopies(c, maxTableBytes, 30_000)) {
                Costing costing = new Costing(c, hypopg, copies, explainSql, bound);
                for (Map.Entry<String, String> g : ginCandidates.entrySet()) {
                    String[] tableColumn = g.getKey().split("\u0000");
                    if (g.getValue().equals("gin_trgm_ops") && !extension(c, "pg_trgm")) {
                        continue; // the operator class needs pg_trgm: CREATE EXTENSION pg_trgm first
                    }
                    if (ginCovered(c, tableColumn[0], tableColumn[1])) {
                        continue;
                    }
                    String ddl = "CREATE INDEX CONCURRENTLY ON " + quote(tableColumn[0]) + " USING gin ("
                            + quote(tableColumn[1]) + " " + g.getValue() + ")";
                    costing.consider(tableColumn[0], ddl, costBefore, out);
                }
                for (Map.Entry<String, List<String>> e : candidates.entrySet()) {
                    if (covered(c, e.getKey(), e.getValue())) {
                        continue;
                    }
                    String ddl = "CREATE INDEX CONCURRENTLY ON " + quote(e.getKey()) + " ("
                            + String.join(
                                    ", ",
                                    e.getValue().stream()
                                            .map(MissingIndexes::quote)
                                            .toList()) + ")";
                    costing.consider(e.getKey(), ddl, costBefore, out);
                }
            }
        }
        return out;
    }

    /**
     * One candidate at a time: HypoPG first when installed (some index types it cannot simulate),
     * then a build on a copy of the table, rolled back; kept when it lowers the cost by 10% or
     * more. On a copy, the cost before is the copy's own (freshly analyzed), so that both sides of
     * the comparison come from the same statistics.
     */
    private record Costing(Connection c, boolean hypopg, ScratchCopies copies, String explainSql, List<Object> bound) {
        void consider(String table, String ddl, double costBefore, List<IndexRecommendation> out) throws SQLException {
            Double after = null;
            String method = null;
            double before = costBefore;
            if (hypopg) {
                try {
                    after = withHypopg(c, ddl, explainSql, bound);
                    method = "hypopg";
                } catch (SQLException unsupported) {
                    // e.g. an index type HypoPG does not simulate: the copy below
                }
            }
            if (after == null && copies.ensure(quote(table))) {
                Double copyBefore = withTransaction(c, null, explainSql, bound);
                after = withTransaction(
                        c, ddl.replace(" ON " + quote(table), " ON pg_temp." + quote(table)), explainSql, bound);
                if (copyBefore == null) {
                    after = null;
                } else {
                    before = copyBefore;
                    method = "copy";
                }
            }
            if (after == null) {
                return;
            }
            double improvement = (before - after) / before * 100;
            if (improvement >= MIN_IMPROVEMENT) {
                out.add(new IndexRecommendation(ddl, before, after, Math.round(improvement * 10) / 10.0, method));
            }
        }
    }

    private static boolean hypopg(Connection c) throws SQLException {
        return extension(c, "hypopg");
    }

    private static boolean extension(Connection c, String name) throws SQLException {
        try (PreparedStatement ps =
                c.prepareStatement(OwnStatements.MARK + "SELECT 1 FROM pg_catalog.pg_extension WHERE extname = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** True when a GIN index of the table already covers the column. */
    private static boolean ginCovered(Connection c, String table, String column) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(OwnStatements.MARK + """
                SELECT 1 FROM pg_catalog.pg_indexes
                 WHERE schemaname = current_schema() AND tablename = ?
                   AND indexdef ~* ('USING gin \\(' || ? || ' ')""")) {
            ps.setString(1, table.toLowerCase(Locale.ROOT));
            ps.setString(2, column.toLowerCase(Locale.ROOT));
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static Double withHypopg(Connection c, String ddl, String explainSql, List<Object> bound)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(OwnStatements.MARK + "SELECT * FROM hypopg_create_index(?)")) {
            ps.setString(1, ddl.replace(" CONCURRENTLY", ""));
            ps.execute();
            return cost(c, explainSql, bound);
        } finally {
            try (Statement s = c.createStatement()) {
                s.execute(OwnStatements.MARK + "SELECT hypopg_reset()");
            }
        }
    }

    /** The cost with the index built (on a copy) in a transaction that is rolled back; without one when null. */
    private static Double withTransaction(Connection c, String ddl, String explainSql, List<Object> bound)
            throws SQLException {
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            s.execute(OwnStatements.MARK + "SET LOCAL lock_timeout = '1s'");
            s.execute(OwnStatements.MARK + "SET LOCAL statement_timeout = '30s'");
            if (ddl != null) {
                s.execute(OwnStatements.mark(ddl.replace(" CONCURRENTLY", ""))); // on the copy; rolled back below
            }
            return cost(c, explainSql, bound);
        } catch (SQLException e) {
            return null; // a failed build or plan: no verdict rather than a guess
        } finally {
            c.rollback();
            c.setAutoCommit(true);
        }
    }

    private static Double cost(Connection c, String explainSql, List<Object> bound) throws SQLException {
        return QueryAnalyzer.explain(c, explainSql, bound)
                .get(0)
                .get("Plan")
                .get("Total Cost")
                .asDouble();
    }

    /** True when an index of the table already starts with these columns (or they start with its columns). */
    private static boolean covered(Connection c, String table, List<String> columns) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(OwnStatements.MARK + """
                SELECT array_agg(a.attname::text ORDER BY k.ord)
                  FROM pg_catalog.pg_index i
                  CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
                  JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
                 WHERE i.indrelid = to_regclass(?) AND i.indpred IS NULL
                 GROUP BY i.indexrelid""")) {
            ps.setString(1, quote(table));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    List<String> existing = List.of((String[]) rs.getArray(1).getArray());
                    int n = Math.min(existing.size(), columns.size());
                    if (existing.subList(0, n).equals(columns.subList(0, n)) && n == columns.size()) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    private static String quote(String identifier) {
        try {
            return Utils.escapeIdentifier(null, identifier.toLowerCase(Locale.ROOT))
                    .toString();
        } catch (SQLException e) {
            throw new InvalidQueryException("not an identifier: " + identifier);
        }
    }
}
