package io.chronoperf.advisor.analyze;

import io.chronoperf.runtime.OwnStatements;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
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
            "now",
            "transaction_timestamp",
            "statement_timestamp",
            "date_trunc",
            "date_part",
            "extract",
            "age",
            "to_char",
            "to_date",
            "to_timestamp",
            "to_number",
            "timezone",
            "date_bin",
            "make_timestamptz",
            "generate_series",
            "date",
            "timestamptz",
            "timestamp",
            "time",
            "timetz",
            "text",
            "interval",
            "float8",
            "float4",
            "numeric",
            "int2",
            "int4",
            "int8",
            "varchar",
            "bpchar",
            "bool",
            "format",
            "concat",
            "concat_ws",
            "to_json",
            "to_jsonb",
            "row_to_json",
            "array_to_json",
            "json_build_object",
            "jsonb_build_object",
            "json_build_array",
            "jsonb_build_array",
            "json_agg",
            "jsonb_agg",
            "json_object_agg",
            "jsonb_object_agg",
            "json_object",
            "jsonb_object",
            "to_tsvector",
            "to_tsquery",
            "plainto_tsquery",
            "phraseto_tsquery",
            "websearch_to_tsquery",
            "ts_headline",
            "current_database",
            "current_schema",
            "current_schemas",
            "pg_typeof",
            "format_type",
            "obj_description",
            "col_description",
            "pg_get_indexdef",
            "pg_get_viewdef",
            "pg_get_constraintdef",
            "pg_get_expr",
            "pg_get_userbyid",
            "has_table_privilege",
            "has_column_privilege",
            "has_schema_privilege",
            "pg_column_size",
            "to_regclass",
            "to_regtype",
            "to_regproc",
            "pg_table_is_visible",
            "quote_literal",
            "quote_nullable",
            "array_to_string",
            "string_to_array",
            "jsonb_path_query",
            "jsonb_path_exists",
            "jsonb_path_match",
            "jsonb_path_query_array",
            "jsonb_path_query_first",
            "justify_interval",
            "isfinite",
            "make_interval",
            "overlaps",
            "pg_size_bytes",
            "lower",
            "upper",
            "initcap");
    /** Built-in volatile functions that change nothing and reveal nothing but sizes and the clock. */
    private static final Set<String> VOLATILE_ALLOWED = Set.of(
            "random",
            "clock_timestamp",
            "timeofday",
            "gen_random_uuid",
            "pg_relation_size",
            "pg_total_relation_size",
            "pg_table_size",
            "pg_indexes_size");
    /** Extensions whose immutable functions and operators are allowed (text search and index support). */
    private static final Set<String> EXTENSIONS_ALLOWED = Set.of("pg_trgm", "citext", "btree_gin", "btree_gist");
    /** Built-in table sampling methods. */
    private static final Set<String> TABLESAMPLE_ALLOWED = Set.of("bernoulli", "system");

    private CallResolver() {}

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
                s.execute(OwnStatements.MARK + "SET LOCAL statement_timeout = 5000");
                String types = "";
                if (parameters > 0) {
                    // The parameter types PostgreSQL infers from the statement itself.
                    s.execute("PREPARE chrono_perf_probe AS " + statement);
                    try (ResultSet rs =
                            s.executeQuery(OwnStatements.MARK + "SELECT array_to_string(parameter_types::text[], ', ')"
                                    + " FROM pg_catalog.pg_prepared_statements WHERE name = 'chrono_perf_probe'")) {
                        rs.next();
                        types = rs.getString(1);
                    }
                    s.execute(OwnStatements.MARK + "DEALLOCATE chrono_perf_probe");
                }
                s.execute("CREATE FUNCTION pg_temp.chrono_perf_probe(" + types + ") RETURNS void LANGUAGE sql"
                        + " BEGIN ATOMIC " + statement + "\n; END");
                return judge(c);
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

    /**
     * Reads the tree of the probe (and of every user view it reads) and judges each call, type and
     * relation: a handful of catalog queries, each over all the objects of its kind at once.
     */
    private static Resolution judge(Connection c) throws SQLException {
        Set<String> denied = new TreeSet<>();
        NodeTree.Refs refs = new NodeTree.Refs();
        try (PreparedStatement ps =
                c.prepareStatement(OwnStatements.MARK + "SELECT p.prosqlbody::text FROM pg_catalog.pg_proc p"
                        + " WHERE p.proname = 'chrono_perf_probe' AND p.pronamespace = "
                        + "pg_catalog.pg_my_temp_schema()")) {
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next() || rs.getString(1) == null) {
                    return new Resolution("the statement's calls could not be resolved: planned, never executed");
                }
                NodeTree.read(rs.getString(1), refs);
            }
        }
        Set<Long> judgedRelations = new HashSet<>();
        for (int round = 0; round < 16; round++) {
            List<Long> fresh = new ArrayList<>();
            for (long r : refs.relations) {
                if (judgedRelations.add(r)) {
                    fresh.add(r);
                }
            }
            if (fresh.isEmpty()) {
                break;
            }
            List<Long> views = relations(c, fresh, denied);
            if (views.isEmpty()) {
                break;
            }
            try (PreparedStatement ps =
                    c.prepareStatement(OwnStatements.MARK + "SELECT ev_action::text FROM pg_catalog.pg_rewrite"
                            + " WHERE ev_class::bigint = ANY (?) AND ev_type = '1'")) {
                ps.setArray(1, oids(c, views));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        NodeTree.read(rs.getString(1), refs);
                    }
                }
            }
        }
        for (String node : refs.unknownNodes) {
            denied.add("the construct " + node);
        }
        Set<Long> operatorFunctions = operators(c, refs.operators, denied);
        functions(c, refs.functions, operatorFunctions, denied);
        types(c, refs.types, denied);
        if (denied.isEmpty()) {
            return new Resolution(null);
        }
        return new Resolution(
                "uses " + String.join(", ", denied) + ", not on the read-only allow list: planned, never executed");
    }

    private static java.sql.Array oids(Connection c, Collection<Long> oids) throws SQLException {
        return c.createArrayOf("int8", oids.toArray());
    }

    /** The functions behind the operators. */
    private static Set<Long> operators(Connection c, Set<Long> operators, Set<String> denied) throws SQLException {
        Set<Long> functions = new LinkedHashSet<>();
        if (operators.isEmpty()) {
            return functions;
        }
        Set<Long> found = new HashSet<>();
        try (PreparedStatement ps = c.prepareStatement(OwnStatements.MARK
                + "SELECT oid::bigint, oprcode::oid::bigint FROM pg_catalog.pg_operator WHERE oid::bigint = ANY (?)")) {
            ps.setArray(1, oids(c, operators));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (rs.getLong(2) != 0) {
                        found.add(rs.getLong(1));
                        functions.add(rs.getLong(2));
                    }
                }
            }
        }
        if (found.size() < operators.size()) {
            denied.add("an unresolved operator");
        }
        return functions;
    }

    /** Judges every function called directly (the strict list) and every operator's function. */
    private static void functions(Connection c, Set<Long> direct, Set<Long> ofOperators, Set<String> denied)
            throws SQLException {
        Set<Long> all = new LinkedHashSet<>(direct);
        all.addAll(ofOperators);
        if (all.isEmpty()) {
            return;
        }
        Set<Long> found = new HashSet<>();
        try (PreparedStatement ps = c.prepareStatement(OwnStatements.MARK + """
                SELECT p.oid::bigint, n.nspname, p.proname, p.provolatile,
                       (SELECT e.extname FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_extension e ON e.oid =
                           d.refobjid
                        WHERE d.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass AND d.objid = p.oid
                          AND d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass AND d.deptype = 'e' LIMIT
                              1),
                       p.prorettype = 'pg_catalog.tsm_handler'::pg_catalog.regtype
                FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
                WHERE p.oid::bigint = ANY (?)""")) {
            ps.setArray(1, oids(c, all));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long oid = rs.getLong(1);
                    found.add(oid);
                    String schema = rs.getString(2);
                    String name = rs.getString(3);
                    String volatility = rs.getString(4);
                    String extension = rs.getString(5);
                    boolean ofOperator = !direct.contains(oid);
                    boolean ok = ofOperator
                            ? (oid < FIRST_NORMAL_OID && !"v".equals(volatility))
                                    || allowed(oid, schema, name, volatility, extension, false)
                            : allowed(oid, schema, name, volatility, extension, rs.getBoolean(6));
                    if (!ok) {
                        denied.add((ofOperator ? "the operator function " : "the function ") + schema + "." + name
                                + " (" + volatilityName(volatility) + ")");
                    }
                }
            }
        }
        if (found.size() < all.size()) {
            denied.add("an unresolved function");
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

    /** Judges every type (and, for domains, their base types) by its I/O functions and constraints. */
    private static void types(Connection c, Set<Long> types, Set<String> denied) throws SQLException {
        Set<Long> current = new LinkedHashSet<>(types);
        Set<Long> seen = new HashSet<>();
        for (int depth = 0; depth < 8 && !current.isEmpty(); depth++) {
            seen.addAll(current);
            Set<Long> bases = new LinkedHashSet<>();
            Set<Long> found = new HashSet<>();
            try (PreparedStatement ps = c.prepareStatement(OwnStatements.MARK + """
                    SELECT t.oid::bigint, t.typname, t.typtype, t.typbasetype::bigint,
                           GREATEST(t.typinput::oid, t.typoutput::oid, t.typreceive::oid, t.typsend::oid)::bigint,
                           EXISTS (SELECT 1 FROM pg_catalog.pg_constraint k WHERE k.contypid = t.oid)
                    FROM pg_catalog.pg_type t WHERE t.oid::bigint = ANY (?)""")) {
                ps.setArray(1, oids(c, current));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        found.add(rs.getLong(1));
                        if (rs.getLong(5) >= FIRST_NORMAL_OID) {
                            denied.add("the type " + rs.getString(2) + " (input or output function not built in)");
                        } else if (rs.getBoolean(6)) {
                            denied.add("the domain " + rs.getString(2) + " (its CHECK constraints run functions)");
                        } else if ("d".equals(rs.getString(3)) && !seen.contains(rs.getLong(4))) {
                            bases.add(rs.getLong(4));
                        }
                    }
                }
            }
            if (found.size() < current.size()) {
                denied.add("an unresolved type");
            }
            current = bases;
        }
    }

    /** Judges relations and every table under them; returns the user views among them (to be read in turn). */
    private static List<Long> relations(Connection c, List<Long> relations, Set<String> denied) throws SQLException {
        List<Long> userViews = new ArrayList<>();
        Set<Long> found = new HashSet<>();
        try (PreparedStatement ps = c.prepareStatement(OwnStatements.MARK + """
                WITH RECURSIVE tree(root, oid) AS (
                    SELECT r::oid, r::oid FROM unnest(?::bigint[]) AS r
                  UNION
                    SELECT t.root, i.inhrelid FROM tree t JOIN pg_catalog.pg_inherits i ON i.inhparent = t.oid)
                SELECT t.root::bigint, c.oid::bigint, c.relname, c.relkind, c.relrowsecurity
                FROM tree t JOIN pg_catalog.pg_class c ON c.oid = t.oid""")) {
            ps.setArray(1, oids(c, relations));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long root = rs.getLong(1);
                    long oid = rs.getLong(2);
                    found.add(root);
                    String kind = rs.getString(4);
                    if ("f".equals(kind)) {
                        denied.add("the foreign table " + rs.getString(3) + " (reading it calls another server)");
                    } else if (rs.getBoolean(5)) {
                        denied.add("the table " + rs.getString(3) + " (row-level security policies run expressions)");
                    } else if (!Set.of("r", "p", "v", "m", "S").contains(kind)) {
                        denied.add("the relation " + rs.getString(3) + " of kind " + kind);
                    } else if ("v".equals(kind) && oid == root && oid >= FIRST_NORMAL_OID) {
                        userViews.add(oid);
                    }
                }
            }
        }
        if (found.size() < relations.size()) {
            denied.add("an unresolved relation");
        }
        return userViews;
    }
}
