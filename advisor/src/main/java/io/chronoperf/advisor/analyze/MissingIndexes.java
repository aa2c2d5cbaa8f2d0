package io.chronoperf.advisor.analyze;

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
 * installed, otherwise a real CREATE INDEX inside a transaction that is rolled back, under a
 * lock_timeout and only on tables under a size limit (the build blocks writes to the table while
 * it runs). A candidate that an existing index already covers (same leading columns) is never
 * proposed. Only candidates that lower the statement's estimated cost by 10% or more are kept.
 */
final class MissingIndexes {
    private static final Pattern TERM = Pattern.compile("\\(?\\(?\"?([a-z_][a-z0-9_]*)\"?\\)?(?:::[a-z ]+)?\\s(=|<|>|<=|>=)\\s");
    private static final double MIN_IMPROVEMENT = 10;

    private MissingIndexes() {
    }

    /**
     * @param explainSql     the EXPLAIN (FORMAT JSON) statement to cost with (already JDBC-escaped)
     * @param bound          its bound values
     * @param maxTableBytes  the transactional what-if only builds on tables up to this size
     */
    static List<IndexRecommendation> find(PlanNode plan, QueryAnalyzer.ConnectionSource source, String explainSql,
                                     List<Object> bound, double costBefore, long maxTableBytes) throws SQLException {
        Map<String, List<String>> candidates = new LinkedHashMap<>();
        for (PlanNode n : plan.all()) {
            if (n.relation() == null || n.filter() == null) {
                continue;
            }
            if (!n.nodeType().equals("Seq Scan") && !(n.nodeType().startsWith("Index") && n.rowsRemovedByFilter() != null)) {
                continue;
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
        for (Map.Entry<String, List<String>> e : candidates.entrySet()) {
            try (Connection c = source.open()) {
                if (covered(c, e.getKey(), e.getValue())) {
                    continue;
                }
                String ddl = "CREATE INDEX CONCURRENTLY ON " + quote(e.getKey()) + " ("
                        + String.join(", ", e.getValue().stream().map(MissingIndexes::quote).toList()) + ")";
                Double after = hypopg(c) ? withHypopg(c, ddl, explainSql, bound)
                        : withTransaction(c, e.getKey(), ddl, explainSql, bound, maxTableBytes);
                if (after == null) {
                    continue;
                }
                double improvement = (costBefore - after) / costBefore * 100;
                if (improvement >= MIN_IMPROVEMENT) {
                    out.add(new IndexRecommendation(ddl, costBefore, after, Math.round(improvement * 10) / 10.0,
                            hypopg(c) ? "hypopg" : "transactional"));
                }
            }
        }
        return out;
    }

    private static boolean hypopg(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'hypopg'")) {
            return rs.next();
        }
    }

    private static Double withHypopg(Connection c, String ddl, String explainSql, List<Object> bound) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT * FROM hypopg_create_index(?)")) {
            ps.setString(1, ddl.replace(" CONCURRENTLY", ""));
            ps.execute();
            return cost(c, explainSql, bound);
        } finally {
            try (Statement s = c.createStatement()) {
                s.execute("SELECT hypopg_reset()");
            }
        }
    }

    private static Double withTransaction(Connection c, String table, String ddl, String explainSql, List<Object> bound,
                                          long maxTableBytes) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_catalog.pg_total_relation_size(to_regclass(?))")) {
            ps.setString(1, quote(table));
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next() || rs.getLong(1) > maxTableBytes) {
                    return null; // too large to build for real: only HypoPG can cost it
                }
            }
        }
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            s.execute("SET LOCAL lock_timeout = '1s'");
            s.execute("SET LOCAL statement_timeout = '30s'");
            s.execute(ddl.replace(" CONCURRENTLY", "")); // inside a transaction; rolled back below
            return cost(c, explainSql, bound);
        } catch (SQLException e) {
            return null; // lock timeout or a failed build: no verdict rather than a guess
        } finally {
            c.rollback();
            c.setAutoCommit(true);
        }
    }

    private static Double cost(Connection c, String explainSql, List<Object> bound) throws SQLException {
        return QueryAnalyzer.explain(c, explainSql, bound).get(0).get("Plan").get("Total Cost").asDouble();
    }

    /** True when an index of the table already starts with these columns (or they start with its columns). */
    private static boolean covered(Connection c, String table, List<String> columns) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
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
            return Utils.escapeIdentifier(null, identifier.toLowerCase(Locale.ROOT)).toString();
        } catch (SQLException e) {
            throw new InvalidQueryException("not an identifier: " + identifier);
        }
    }
}
