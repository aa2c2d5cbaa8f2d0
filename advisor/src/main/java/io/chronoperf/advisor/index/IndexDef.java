package io.chronoperf.advisor.index;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A B-tree index the advisor may recommend: key columns in order on one table (schema-qualified
 * as the catalog names it). Value object: equal definitions are the same index.
 */
public record IndexDef(String table, List<String> columns, List<String> include) implements Comparable<IndexDef> {
    public IndexDef {
        columns = List.copyOf(columns);
        include = include == null ? List.of() : List.copyOf(include);
        if (columns.isEmpty()) {
            throw new IllegalArgumentException("an index needs a column");
        }
    }

    public IndexDef(String table, List<String> columns) {
        this(table, columns, List.of());
    }

    public IndexDef extendedBy(String column) {
        List<String> more = new ArrayList<>(columns);
        more.add(column);
        return new IndexDef(table, more, include);
    }

    /** The same keys carrying these columns in the leaf pages (INCLUDE), for index-only scans. */
    public IndexDef covering(List<String> columns) {
        return new IndexDef(table, this.columns, columns);
    }

    public String leading() {
        return columns.get(0);
    }

    /** A stable name within PostgreSQL's 63 characters: table, columns, and "idx". */
    public String name() {
        String bare = table.substring(table.indexOf('.') + 1);
        String name = bare + "_" + String.join("_", columns)
                + (include.isEmpty() ? "" : "_incl_" + String.join("_", include)) + "_idx";
        if (name.length() > 63) {
            name = name.substring(0, 54) + "_" + Integer.toHexString(name.hashCode() & 0xfffffff);
        }
        return name.toLowerCase(Locale.ROOT);
    }

    /** The statement without CONCURRENTLY (HypoPG, or a build inside a rolled-back transaction). */
    public String createSql() {
        return "CREATE INDEX " + quote(name()) + " ON " + qualified() + " (" + quotedColumns() + ")" + includeClause();
    }

    /**
     * The statement without CONCURRENTLY, under another name on another relation of the same
     * columns (a what-if copy, whose own indexes may already hold {@link #name()}).
     */
    public String createSqlOn(String relation, String indexName) {
        return "CREATE INDEX " + quote(indexName) + " ON " + relation + " (" + quotedColumns() + ")" + includeClause();
    }

    /** The table's name without its schema. */
    public String bareTable() {
        return table.substring(table.indexOf('.') + 1);
    }

    /** A catalog name (schema.table) quoted for to_regclass. */
    static String qualify(String table) {
        int dot = table.indexOf('.');
        return dot < 0 ? quote(table) : quote(table.substring(0, dot)) + "." + quote(table.substring(dot + 1));
    }

    /** The statement to run in production. */
    public String ddl() {
        return "CREATE INDEX CONCURRENTLY IF NOT EXISTS " + quote(name()) + " ON " + qualified() + " ("
                + quotedColumns() + ")" + includeClause();
    }

    /** The index's own name, schema-qualified and quoted as needed (for to_regclass, DROP INDEX). */
    public String qualifiedName() {
        int dot = table.indexOf('.');
        return (dot < 0 ? "" : quote(table.substring(0, dot)) + ".") + quote(name());
    }

    String qualified() {
        return qualify(table);
    }

    private String includeClause() {
        return include.isEmpty()
                ? ""
                : " INCLUDE ("
                        + String.join(
                                ", ", include.stream().map(IndexDef::quote).toList()) + ")";
    }

    private String quotedColumns() {
        return String.join(", ", columns.stream().map(IndexDef::quote).toList());
    }

    static String quote(String identifier) {
        return identifier.matches("[a-z_][a-z0-9_]*") ? identifier : "\"" + identifier.replace("\"", "\"\"") + "\"";
    }

    @Override
    public int compareTo(IndexDef o) {
        int t = table.compareTo(o.table);
        if (t != 0) {
            return t;
        }
        int c = String.join(",", columns).compareTo(String.join(",", o.columns));
        return c != 0 ? c : String.join(",", include).compareTo(String.join(",", o.include));
    }

    @Override
    public String toString() {
        return table + "(" + String.join(", ", columns) + ")"
                + (include.isEmpty() ? "" : " INCLUDE (" + String.join(", ", include) + ")");
    }
}
