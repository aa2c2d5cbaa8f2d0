package io.chronoperf.advisor.analyze;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Resolves what a statement can call the way PostgreSQL resolves it, by letting PostgreSQL do it:
 * the statement becomes the body of a temporary SQL-standard function ({@code BEGIN ATOMIC}, 14+),
 * which the server parses and analyses with the session's search_path, quoted and U&amp;
 * identifiers, overloads, implicit casts and operators, without running anything. The analysed
 * query tree is stored in {@code pg_proc.prosqlbody}; the transaction is rolled back, so the
 * function never exists outside it. (pg_depend is no help: the server records no dependency on
 * built-in objects, and the dangerous functions are built in.)
 *
 * <p>The tree is then read node by node ({@link NodeTree}) and judged, deny by default: every node
 * kind must be one we know; each function (FUNCEXPR, aggregates, window functions, table
 * sampling) and each operator's function must be on the read-only allow list ({@link #allowed});
 * each type's input and output functions built in, and a domain without CHECK constraints; each
 * relation a table, view, materialized view or sequence without row-level security and without a
 * foreign table under it; a user view is read the same way from its rewrite rule. Anything else,
 * or anything the probe could not resolve, means the statement is planned, never executed.
 */
final class CallResolver {
    /** The verdict: {@code reason} is null when every call is allowed. */
    record Resolution(String reason) {
        boolean allowed() {
            return reason == null;
        }
    }

    private static final int FIRST_NORMAL_OID = 16384;

    /** Built-in stable functions that read nothing but their arguments, the clock and the catalog's names. */
    private static final Set<String> STABLE_ALLOWED = Set.of(
            "now", "transaction_timestamp", "statement_timestamp", "date_trunc", "date_part", "extract", "age", "to_char",
            "to_date", "to_timestamp", "to_number", "timezone", "date_bin", "make_timestamptz", "generate_series",
            "date", "timestamptz", "timestamp", "time", "timetz", "text", "interval", "float8", "float4", "numeric",
            "int2", "int4", "int8", "varchar", "bpchar", "bool", "format", "concat", "concat_ws", "to_json", "to_jsonb",
            "row_to_json", "array_to_json", "json_build_object", "jsonb_build_object", "json_build_array",
            "jsonb_build_array", "json_agg", "jsonb_agg", "json_object_agg", "jsonb_object_agg", "json_object",
            "jsonb_object", "to_tsvector", "to_tsquery", "plainto_tsquery", "phraseto_tsquery", "websearch_to_tsquery",
            "ts_headline", "current_database", "current_schema", "current_schemas", "pg_typeof", "format_type",
            "obj_description", "col_description", "pg_get_indexdef", "pg_get_viewdef", "pg_get_constraintdef",
            "pg_get_expr", "pg_get_userbyid", "has_table_privilege", "has_column_privilege", "has_schema_privilege",
            "pg_column_size", "to_regclass", "to_regtype", "to_regproc", "pg_table_is_visible", "quote_literal",
            "quote_nullable", "array_to_string", "string_to_array", "jsonb_path_query", "jsonb_path_exists",
            "jsonb_path_match", "jsonb_path_query_array", "jsonb_path_query_first", "justify_interval", "isfinite",
            "make_interval", "overlaps", "pg_size_bytes", "lower", "upper", "initcap");
    /** Built-in volatile functions that change nothing and reveal nothing but sizes and the clock. */
    private static final Set<String> VOLATILE_ALLOWED = Set.of(
            "random", "clock_timestamp", "timeofday", "gen_random_uuid", "pg_relation_size", "pg_total_relation_size",
            "pg_table_size", "pg_indexes_size");
    /** Extensions whose immutable functions and operators are allowed (text search and index support). */
    private static final Set<String> EXTENSIONS_ALLOWED = Set.of("pg_trgm", "citext", "btree_gin", "btree_gist");
    /** Built-in table sampling methods. */
    private static final Set<String> TABLESAMPLE_ALLOWED = Set.of("bernoulli", "system");

    private CallResolver() {
    }

    /**
     * Resolves {@code statement} (its own $n parameters, no JDBC placeholders) on {@code c}, inside
     * a transaction of its own that is rolled back; the connection must not be in a transaction.
     */
    static Resolution resolve(Connection c, String statement, int parameters) {
        try {
            if (c.getMetaData().getDatabaseMajorVersion() < 14) {
                return new Resolution("PostgreSQL " + c.getMetaData().getDatabaseMajorVersion()
                        + " cannot resolve the statement's calls for us (14 or later can): planned, never executed");
            }
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.setEscapeProcessing(false);
                s.execute("SET LOCAL statement_timeout = 5000");
                String types = "";
                if (parameters > 0) {
                    // The parameter types PostgreSQL infers from the statement itself.
                    s.execute("PREPARE chrono_perf_probe AS " + statement);
                    try (ResultSet rs = s.executeQuery("SELECT array_to_string(parameter_types::text[], ', ')"
                            + " FROM pg_catalog.pg_prepared_statements WHERE name = 'chrono_perf_probe'")) {
                        rs.next();
                        types = rs.getString(1);
                    }
                    s.execute("DEALLOCATE chrono_perf_probe");
                }
                s.execute("CREATE FUNCTION pg_temp.chrono_perf_probe(" + types + ") RETURNS void LANGUAGE sql"
                        + " BEGIN ATOMIC " + statement + "\n; END");
                long probe;
                try (ResultSet rs = s.executeQuery("SELECT p.oid FROM pg_catalog.pg_proc p"
                        + " WHERE p.proname = 'chrono_perf_probe' AND p.pronamespace = pg_catalog.pg_my_temp_schema()")) {
                    if (!rs.next()) {
                        return new Resolution("the statement's calls could not be resolved: planned, never executed");
                    }
                    probe = rs.getLong(1);
                }
                return judge(c, probe);
            } finally {
                c.rollback();
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            try {
                c.rollback();
                c.setAutoCommit(true);
            } catch (SQLException ignored) {
                // the caller's own statements will fail and say so
            }
            return new Resolution("the statement's calls could not be resolved (SQLSTATE " + e.getSQLState()
                    + "): planned, never executed");
        }
    }

    /** Reads the tree of the probe (and of every user view it reads) and judges each call, type and relation. */
    private static Resolution judge(Connection c, long probe) throws SQLException {
        Set<String> denied = new TreeSet<>();
        NodeTree.Refs refs = new NodeTree.Refs();
        try (PreparedStatement ps = c.prepareStatement("SELECT prosqlbody::text FROM pg_catalog.pg_proc WHERE oid = ?")) {
            ps.setLong(1, probe);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next() || rs.getString(1) == null) {
                    return new Resolution("the statement's calls could not be resolved: planned, never executed");
                }
                NodeTree.read(rs.getString(1), refs);
            }
        }
        Set<Long> seenViews = new java.util.HashSet<>();
        for (int round = 0; round < 16; round++) {
            List<Long> views = new ArrayList<>();
            for (long relation : List.copyOf(refs.relations)) {
                if (relation(c, relation, denied) && seenViews.add(relation)) {
                    views.add(relation);
                }
            }
            if (views.isEmpty()) {
                break;
            }
            for (long view : views) {
                try (PreparedStatement ps = c.prepareStatement(
                        "SELECT ev_action::text FROM pg_catalog.pg_rewrite WHERE ev_class = ? AND ev_type = '1'")) {
                    ps.setLong(1, view);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            NodeTree.read(rs.getString(1), refs);
                        }
                    }
                }
            }
        }
        for (String node : refs.unknownNodes) {
            denied.add("the construct " + node);
        }
        Set<Long> operatorFunctions = new java.util.LinkedHashSet<>();
        for (long op : refs.operators) {
            operator(c, op, operatorFunctions, denied);
        }
        for (long f : refs.functions) {
            function(c, f, false, denied);
        }
        for (long f : operatorFunctions) {
            function(c, f, true, denied);
        }
        for (long t : refs.types) {
            type(c, t, denied);
        }
        if (denied.isEmpty()) {
            return new Resolution(null);
        }
        return new Resolution("uses " + String.join(", ", denied)
                + ", not on the read-only allow list: planned, never executed");
    }

    private static void operator(Connection c, long oid, Set<Long> functions, Set<String> denied) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT oprcode::oid::bigint, oprname FROM pg_catalog.pg_operator WHERE oid = ?")) {
            ps.setLong(1, oid);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next() || rs.getLong(1) == 0) {
                    denied.add("an unresolved operator");
                    return;
                }
                functions.add(rs.getLong(1));
            }
        }
    }

    private static void function(Connection c, long oid, boolean ofOperator, Set<String> denied) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT n.nspname, p.proname, p.provolatile, p.prokind,
                       (SELECT e.extname FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_extension e ON e.oid = d.refobjid
                        WHERE d.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass AND d.objid = p.oid
                          AND d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass AND d.deptype = 'e' LIMIT 1),
                       p.prorettype = 'pg_catalog.tsm_handler'::pg_catalog.regtype
                FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace WHERE p.oid = ?""")) {
            ps.setLong(1, oid);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    denied.add("an unresolved function");
                    return;
                }
                String schema = rs.getString(1);
                String name = rs.getString(2);
                String volatility = rs.getString(3);
                String extension = rs.getString(5);
                boolean sampler = rs.getBoolean(6);
                boolean ok = ofOperator
                        ? (oid < FIRST_NORMAL_OID && !"v".equals(volatility)) || allowed(oid, schema, name, volatility, extension, false)
                        : allowed(oid, schema, name, volatility, extension, sampler);
                if (!ok) {
                    denied.add((ofOperator ? "the operator function " : "the function ") + schema + "." + name
                            + " (" + volatilityName(volatility) + ")");
                }
            }
        }
    }

    /**
     * The allow list of functions called by name: built-in immutable functions, and the named
     * stable and volatile ones; see docs/rules.md. (A built-in operator's function may be immutable
     * or stable: comparisons and arithmetic of time zones, never a side effect.)
     */
    static boolean allowed(long oid, String schema, String name, String volatility, String extension, boolean sampler) {
        if (oid < FIRST_NORMAL_OID && "pg_catalog".equals(schema)) {
            if (sampler) {
                return TABLESAMPLE_ALLOWED.contains(name);
            }
            return switch (volatility) {
                case "i" -> true;
                case "s" -> STABLE_ALLOWED.contains(name);
                case "v" -> VOLATILE_ALLOWED.contains(name);
                default -> false;
            };
        }
        return extension != null && EXTENSIONS_ALLOWED.contains(extension) && "i".equals(volatility);
    }

    private static String volatilityName(String v) {
        return switch (v) {
            case "i" -> "immutable";
            case "s" -> "stable";
            default -> "volatile";
        };
    }

    private static void type(Connection c, long oid, Set<String> denied) throws SQLException {
        long current = oid;
        for (int depth = 0; depth < 8 && current != 0; depth++) {
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT t.typname, t.typtype, t.typbasetype::bigint,
                           GREATEST(t.typinput::oid, t.typoutput::oid, t.typreceive::oid, t.typsend::oid)::bigint,
                           EXISTS (SELECT 1 FROM pg_catalog.pg_constraint k WHERE k.contypid = t.oid)
                    FROM pg_catalog.pg_type t WHERE t.oid = ?""")) {
                ps.setLong(1, current);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        denied.add("an unresolved type");
                        return;
                    }
                    if (rs.getLong(4) >= FIRST_NORMAL_OID) {
                        denied.add("the type " + rs.getString(1) + " (input or output function not built in)");
                        return;
                    }
                    if (rs.getBoolean(5)) {
                        denied.add("the domain " + rs.getString(1) + " (its CHECK constraints run functions)");
                        return;
                    }
                    current = "d".equals(rs.getString(2)) ? rs.getLong(3) : 0;
                }
            }
        }
    }

    /** Judges a relation and every table under it; true when it is a user view (to be read in turn). */
    private static boolean relation(Connection c, long oid, Set<String> denied) throws SQLException {
        boolean userView = false;
        try (PreparedStatement ps = c.prepareStatement("""
                WITH RECURSIVE tree(oid) AS (
                    SELECT ?::oid
                  UNION
                    SELECT i.inhrelid FROM tree t JOIN pg_catalog.pg_inherits i ON i.inhparent = t.oid)
                SELECT c.relname, c.relkind, c.relrowsecurity, c.oid::bigint
                FROM tree t JOIN pg_catalog.pg_class c ON c.oid = t.oid""")) {
            ps.setLong(1, oid);
            try (ResultSet rs = ps.executeQuery()) {
                boolean found = false;
                while (rs.next()) {
                    found = true;
                    String kind = rs.getString(2);
                    if ("f".equals(kind)) {
                        denied.add("the foreign table " + rs.getString(1) + " (reading it calls another server)");
                    } else if (rs.getBoolean(3)) {
                        denied.add("the table " + rs.getString(1) + " (row-level security policies run expressions)");
                    } else if (!Set.of("r", "p", "v", "m", "S").contains(kind)) {
                        denied.add("the relation " + rs.getString(1) + " of kind " + kind);
                    } else if ("v".equals(kind) && rs.getLong(4) == oid && oid >= FIRST_NORMAL_OID) {
                        userView = true;
                    }
                }
                if (!found) {
                    denied.add("an unresolved relation");
                }
            }
        }
        return userView;
    }
}
