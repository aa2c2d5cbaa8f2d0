package io.chronoperf.advisor.index;

import io.chronoperf.runtime.OwnStatements;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which tables a statement reads and which of their columns are indexable in it: the columns it
 * names in predicates, joins, GROUP BY and ORDER BY, that is everywhere except the select lists,
 * an UPDATE's SET list and an INSERT. Found by matching the statement's identifiers against the
 * catalog (tables visible on the search path), not by a parser: it reads any dialect the planner
 * accepts, and a column named by mistake only costs a what-if call that shows no benefit.
 */
final class QueryColumns {
    private static final Pattern TOKEN =
            Pattern.compile("'(?:[^']|'')*'|\"((?:[^\"]|\"\")+)\"|([A-Za-z_][A-Za-z0-9_$]*)|([(),;])|\\S");

    /** A table and its columns. */
    record Table(String name, List<String> columns, long rows, long pages) {}

    /** What a query touches: its tables, and per table its indexable columns in order of appearance. */
    /** ... and {@code referenced}: every column of each table the statement names (select lists too). */
    record Use(
            Set<String> tables,
            Map<String, Set<String>> indexable,
            boolean write,
            String writtenTable,
            Set<String> setColumns,
            Set<String> equality,
            Map<String, Set<String>> referenced) {}

    /** A column compared for equality with a value ({@code col = $1}, {@code col = 'x'}, {@code col IN (...)}). */
    private static final Pattern EQUALITY = Pattern.compile(
            "(?i)(?:\\b[a-z_][a-z0-9_]*\\.)?\\b([a-z_][a-z0-9_]*)\\s*(?:=\\s*(?:\\$\\d+|'(?:[^']|'')*'|-?\\d+(?:\\.\\d"
                    + "+)?|true|false)(?![\\w.])|\\s+in\\s*\\()");

    private final Map<String, Table> byBareName = new HashMap<>();
    /** A view visible on the search path -> the tables it reads, through other views too. */
    private final Map<String, Set<String>> viewTables = new HashMap<>();

    private QueryColumns() {}

    /** The ordinary tables and materialized views visible on the search path. */
    static QueryColumns load(Connection c) throws SQLException {
        QueryColumns q = new QueryColumns();
        try (PreparedStatement ps = c.prepareStatement(OwnStatements.MARK + """
                SELECT n.nspname || '.' || t.relname, t.relname, array_agg(a.attname::text ORDER BY a.attnum),
                       greatest(t.reltuples, 0)::bigint, t.relpages
                  FROM pg_catalog.pg_class t JOIN pg_catalog.pg_namespace n ON n.oid = t.relnamespace
                  JOIN pg_catalog.pg_attribute a ON a.attrelid = t.oid AND a.attnum > 0 AND NOT a.attisdropped
                 WHERE t.relkind IN ('r', 'm', 'p') AND pg_catalog.pg_table_is_visible(t.oid)
                   AND n.nspname NOT IN ('pg_catalog', 'information_schema')
                 GROUP BY 1, 2, 4, 5""");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                q.byBareName.put(
                        rs.getString(2),
                        new Table(
                                rs.getString(1),
                                List.of((String[]) rs.getArray(3).getArray()),
                                rs.getLong(4),
                                rs.getLong(5)));
            }
        }
        // A statement that reads a view reads its tables: their indexes change its plan (TPC-H q15
        // reads lineitem through revenue0), so its cost is keyed on them too.
        try (PreparedStatement ps = c.prepareStatement(OwnStatements.MARK + """
                WITH RECURSIVE deps(view_oid, ref) AS (
                    SELECT r.ev_class, d.refobjid
                      FROM pg_catalog.pg_rewrite r JOIN pg_catalog.pg_depend d
                        ON d.classid = 'pg_catalog.pg_rewrite'::regclass AND d.objid = r.oid
                       AND d.refclassid = 'pg_catalog.pg_class'::regclass AND d.refobjid <> r.ev_class
                    UNION
                    SELECT deps.view_oid, d.refobjid
                      FROM deps JOIN pg_catalog.pg_rewrite r ON r.ev_class = deps.ref
                      JOIN pg_catalog.pg_depend d
                        ON d.classid = 'pg_catalog.pg_rewrite'::regclass AND d.objid = r.oid
                       AND d.refclassid = 'pg_catalog.pg_class'::regclass AND d.refobjid <> r.ev_class)
                SELECT v.relname, array_agg(DISTINCT n.nspname || '.' || t.relname)
                  FROM deps JOIN pg_catalog.pg_class v ON v.oid = deps.view_oid
                  JOIN pg_catalog.pg_namespace vn ON vn.oid = v.relnamespace
                  JOIN pg_catalog.pg_class t ON t.oid = deps.ref
                  JOIN pg_catalog.pg_namespace n ON n.oid = t.relnamespace
                 WHERE v.relkind = 'v' AND pg_catalog.pg_table_is_visible(v.oid)
                   AND vn.nspname NOT IN ('pg_catalog', 'information_schema')
                   AND t.relkind IN ('r', 'm', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
                 GROUP BY 1""");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                q.viewTables.put(
                        rs.getString(1), Set.of((String[]) rs.getArray(2).getArray()));
            }
        }
        return q;
    }

    Table table(String qualified) {
        for (Table t : byBareName.values()) {
            if (t.name().equals(qualified)) {
                return t;
            }
        }
        return null;
    }

    Use use(String sql) {
        List<String> words = new ArrayList<>();
        List<Boolean> indexablePlace = new ArrayList<>();
        // depth -> "inside a select list" / "inside a SET list" at that depth
        Map<Integer, Boolean> skipping = new HashMap<>();
        int depth = 0;
        Matcher m = TOKEN.matcher(sql);
        String first = null;
        while (m.find()) {
            String quoted = m.group(1);
            String word = m.group(2);
            String punct = m.group(3);
            if (punct != null) {
                if (punct.equals("(")) {
                    depth++;
                } else if (punct.equals(")")) {
                    skipping.remove(depth);
                    depth = Math.max(0, depth - 1);
                }
                continue;
            }
            String id =
                    quoted != null ? quoted.replace("\"\"", "\"") : word == null ? null : word.toLowerCase(Locale.ROOT);
            if (id == null) {
                continue;
            }
            if (first == null) {
                first = id;
            }
            if (word != null) {
                switch (id) {
                    case "select", "set", "returning" -> skipping.put(depth, true);
                    case "from", "where", "group", "order", "having", "join", "on", "using", "window", "limit" ->
                        skipping.put(depth, false);
                    default -> {}
                }
            }
            words.add(id);
            indexablePlace.add(!skipping.getOrDefault(depth, false));
        }
        Set<String> tables = new LinkedHashSet<>();
        for (String w : words) {
            Table t = byBareName.get(w);
            if (t != null) {
                tables.add(t.name());
            }
            for (String behind : viewTables.getOrDefault(w, Set.of())) {
                if (tableByName(behind) != null && tableByName(behind).name().equals(behind)) {
                    tables.add(behind); // read through a view
                }
            }
        }
        boolean insert = "insert".equals(first);
        boolean write = insert || "update".equals(first) || "delete".equals(first);
        String written = null;
        if (write) {
            for (String w : words) {
                Table t = byBareName.get(w);
                if (t != null) {
                    written = t.name();
                    break;
                }
            }
        }
        Map<String, Set<String>> indexable = new LinkedHashMap<>();
        Set<String> setColumns = new LinkedHashSet<>();
        Map<String, Set<String>> referenced = new LinkedHashMap<>();
        for (int i = 0; i < words.size(); i++) {
            String w = words.get(i);
            for (String table : tables) {
                Table t = tableByName(table);
                if (!t.columns().contains(w)) {
                    continue;
                }
                referenced.computeIfAbsent(table, k -> new LinkedHashSet<>()).add(w);
                if (insert || !indexablePlace.get(i)) {
                    if ("update".equals(first) && table.equals(written)) {
                        setColumns.add(w);
                    }
                    continue;
                }
                indexable.computeIfAbsent(table, k -> new LinkedHashSet<>()).add(w);
            }
        }
        Set<String> equality = new LinkedHashSet<>();
        Matcher eq = EQUALITY.matcher(sql);
        while (eq.find()) {
            equality.add(eq.group(1).toLowerCase(Locale.ROOT));
        }
        return new Use(tables, indexable, write, written, setColumns, equality, referenced);
    }

    private Table tableByName(String qualified) {
        return byBareName.get(qualified.substring(qualified.indexOf('.') + 1));
    }
}
