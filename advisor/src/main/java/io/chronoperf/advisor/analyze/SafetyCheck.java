package io.chronoperf.advisor.analyze;

import io.chronoperf.advisor.Fingerprint;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.sf.jsqlparser.parser.CCJSqlParserUtil;
import net.sf.jsqlparser.statement.Statement;
import net.sf.jsqlparser.statement.select.PlainSelect;
import net.sf.jsqlparser.statement.select.Select;

/**
 * Decides what may be done with SQL that came from a client, which is treated as hostile:
 * EXECUTE (EXPLAIN ANALYZE: proven read-only), EXPLAIN_ONLY (planned, never run) or REJECT.
 *
 * <p>Read-only is proven, not assumed: one statement; SELECT, VALUES, TABLE or WITH; no
 * data-modifying CTE, no SELECT INTO, no row locks; and every function it calls on the allow list
 * of functions known to have no side effects. Anything a rule cannot prove is planned only.
 * Statements that are not plannable queries (DDL, utility, COPY, transaction control, SET ROLE,
 * DO, CALL...) are rejected with the reason.
 */
public final class SafetyCheck {
    /** What may be done. */
    public enum Verdict { EXECUTE, EXPLAIN_ONLY, REJECT }

    /**
     * @param statementType select, insert, update, delete, merge, or the rejected statement's keyword
     * @param reason        why not EXECUTE (null when it is)
     * @param parsed        whether JSqlParser read the statement (false: checks ran on tokens only)
     */
    public record Decision(Verdict verdict, String statementType, String reason, boolean parsed) {
    }

    private static final Set<String> READ_KEYWORDS = Set.of("select", "with", "values", "table");
    private static final Set<String> PLANNED_WRITES = Set.of("insert", "update", "delete", "merge");
    private static final Pattern FUNCTION_CALL = Pattern.compile("([a-z_][a-z0-9_$]*(?:\\.[a-z_][a-z0-9_$]*)?)\\(");
    private static final Pattern MODIFYING_CTE = Pattern.compile("\\bas(?: not)?(?: materialized)?\\((?:insert|update|delete|merge)\\b");
    /** SELECT ... INTO before the first FROM: creates a table. */
    private static final Pattern SELECT_INTO = Pattern.compile("^select (?:(?!\\bfrom\\b).)*\\binto\\b");
    private static final Pattern ROW_LOCK = Pattern.compile("\\bfor (?:update|share|no key update|key share)\\b");
    /** Words that precede a parenthesis without being function calls. */
    private static final Set<String> NOT_FUNCTIONS = Set.of("in", "exists", "any", "some", "all", "values", "over", "filter",
            "as", "from", "join", "on", "using", "and", "or", "not", "select", "where", "with", "array", "row", "cast",
            "within", "group", "partition", "by", "returning", "lateral", "union", "intersect", "except", "when", "then",
            "else", "is", "between", "like", "ilike", "similar", "distinct", "table", "into", "set", "case", "materialized");
    /** Functions known to read only: aggregates, window, string, math, date, json, network, comparison. */
    private static final Set<String> READ_ONLY_FUNCTIONS = Set.of(
            "count", "sum", "avg", "min", "max", "stddev", "variance", "bool_and", "bool_or", "every", "array_agg",
            "string_agg", "jsonb_agg", "json_agg", "jsonb_object_agg", "percentile_cont", "percentile_disc", "mode",
            "row_number", "rank", "dense_rank", "percent_rank", "cume_dist", "ntile", "lag", "lead", "first_value",
            "last_value", "nth_value", "coalesce", "nullif", "greatest", "least", "lower", "upper", "length",
            "char_length", "octet_length", "substring", "substr", "position", "strpos", "trim", "btrim", "ltrim", "rtrim",
            "replace", "concat", "concat_ws", "left", "right", "lpad", "rpad", "split_part", "regexp_replace",
            "regexp_match", "regexp_matches", "starts_with", "md5", "encode", "decode", "format", "initcap", "reverse",
            "abs", "round", "trunc", "ceil", "ceiling", "floor", "mod", "power", "sqrt", "ln", "log", "exp", "sign",
            "width_bucket", "now", "current_timestamp", "clock_timestamp", "statement_timestamp",
            "transaction_timestamp", "date_trunc", "date_part", "extract", "age", "make_interval", "make_date",
            "to_char", "to_date", "to_timestamp", "to_number", "jsonb_build_object", "json_build_object",
            "jsonb_typeof", "jsonb_array_length", "jsonb_extract_path", "jsonb_extract_path_text", "jsonb_each",
            "jsonb_object_keys", "jsonb_array_elements", "jsonb_path_query", "jsonb_path_exists", "to_jsonb", "to_json",
            "row_to_json", "host", "network", "family", "masklen", "inet", "unnest", "generate_series", "array_length",
            "cardinality", "array_position", "array_to_string", "string_to_array", "num_nonnulls", "num_nulls",
            "pg_catalog.now", "pg_relation_size", "pg_total_relation_size", "pg_size_pretty", "pg_table_size",
            "pg_indexes_size", "pg_get_indexdef", "obj_description", "col_description", "format_type",
            "current_database", "current_schema", "current_user", "session_user", "version", "exists", "date",
            "timezone", "isfinite", "justify_interval", "bit_length", "ascii", "chr", "quote_ident", "quote_literal");

    private SafetyCheck() {
    }

    public static Decision of(String sql) {
        List<String> statements = StatementSplitter.split(sql);
        if (statements.size() != 1) {
            return new Decision(Verdict.REJECT, "multiple", statements.isEmpty() ? "the query is empty"
                    : "send exactly one statement (found " + statements.size() + ")", false);
        }
        String fp = Fingerprint.of(statements.get(0));
        String keyword = firstKeyword(fp);
        if (PLANNED_WRITES.contains(keyword)) {
            return new Decision(Verdict.EXPLAIN_ONLY, keyword, "a data-modifying statement is planned, never executed", parses(sql));
        }
        if (keyword.equals("explain")) {
            return new Decision(Verdict.REJECT, keyword, "send the statement itself, without EXPLAIN: the analysis adds it", false);
        }
        if (!READ_KEYWORDS.contains(keyword)) {
            return new Decision(Verdict.REJECT, keyword, "'" + keyword.toUpperCase(Locale.ROOT) + "' statements are not"
                    + " analysed: only SELECT, VALUES, TABLE and WITH queries (executed when read-only) and INSERT, UPDATE,"
                    + " DELETE, MERGE (planned only)", false);
        }
        boolean parsed = false;
        try {
            Statement st = CCJSqlParserUtil.parse(statements.get(0));
            parsed = true;
            if (st instanceof Select select && select.getPlainSelect() != null) {
                PlainSelect plain = select.getPlainSelect();
                if (plain.getIntoTables() != null && !plain.getIntoTables().isEmpty()) {
                    return new Decision(Verdict.REJECT, "select", "SELECT INTO creates a table: use a plain SELECT", true);
                }
            }
        } catch (Exception | StackOverflowError parserFailure) {
            // JSqlParser does not know every PostgreSQL construct: the token checks below still apply.
        }
        if (SELECT_INTO.matcher(fp).find()) {
            return new Decision(Verdict.REJECT, "select", "SELECT INTO creates a table: use a plain SELECT", parsed);
        }
        if (MODIFYING_CTE.matcher(fp).find()) {
            return new Decision(Verdict.EXPLAIN_ONLY, "select", "a WITH clause modifies data: planned, never executed", parsed);
        }
        if (ROW_LOCK.matcher(fp).find()) {
            return new Decision(Verdict.EXPLAIN_ONLY, "select", "FOR UPDATE/SHARE takes row locks: planned, never executed", parsed);
        }
        Set<String> unknown = new TreeSet<>();
        Matcher m = FUNCTION_CALL.matcher(fp);
        while (m.find()) {
            String name = m.group(1);
            String bare = name.startsWith("pg_catalog.") ? name.substring("pg_catalog.".length()) : name;
            if (!NOT_FUNCTIONS.contains(bare) && !READ_ONLY_FUNCTIONS.contains(bare) && !READ_ONLY_FUNCTIONS.contains(name)) {
                unknown.add(name);
            }
        }
        if (!unknown.isEmpty()) {
            return new Decision(Verdict.EXPLAIN_ONLY, "select", "calls " + String.join(", ", unknown)
                    + ", not known to be free of side effects: planned, never executed", parsed);
        }
        return new Decision(Verdict.EXECUTE, "select", null, parsed);
    }

    private static boolean parses(String sql) {
        try {
            CCJSqlParserUtil.parse(sql);
            return true;
        } catch (Exception | StackOverflowError e) {
            return false;
        }
    }

    private static String firstKeyword(String fp) {
        String s = fp;
        while (s.startsWith("(")) {
            s = s.substring(1).strip();
        }
        int end = 0;
        while (end < s.length() && (Character.isLetter(s.charAt(end)) || s.charAt(end) == '_')) {
            end++;
        }
        return s.substring(0, end);
    }

    /** Splits on semicolons outside quotes, dollar quotes and comments; drops empty statements. */
    static final class StatementSplitter {
        private StatementSplitter() {
        }

        static List<String> split(String sql) {
            List<String> out = new ArrayList<>();
            StringBuilder cur = new StringBuilder();
            int i = 0;
            int n = sql.length();
            while (i < n) {
                char c = sql.charAt(i);
                if (c == '\'' || c == '"') {
                    int end = i + 1;
                    while (end < n && !(sql.charAt(end) == c && (end + 1 >= n || sql.charAt(end + 1) != c))) {
                        end += sql.charAt(end) == c ? 2 : 1;
                    }
                    end = Math.min(n, end + 1);
                    cur.append(sql, i, end);
                    i = end;
                } else if (c == '$') {
                    Matcher tag = Pattern.compile("\\$[A-Za-z_]*\\$").matcher(sql).region(i, n);
                    if (tag.lookingAt()) {
                        int close = sql.indexOf(tag.group(), i + tag.group().length());
                        int end = close < 0 ? n : close + tag.group().length();
                        cur.append(sql, i, end);
                        i = end;
                    } else {
                        cur.append(c);
                        i++;
                    }
                } else if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
                    while (i < n && sql.charAt(i) != '\n') {
                        i++;
                    }
                } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
                    int end = sql.indexOf("*/", i + 2);
                    i = end < 0 ? n : end + 2;
                    cur.append(' ');
                } else if (c == ';') {
                    if (!cur.toString().isBlank()) {
                        out.add(cur.toString().strip());
                    }
                    cur.setLength(0);
                    i++;
                } else {
                    cur.append(c);
                    i++;
                }
            }
            if (!cur.toString().isBlank()) {
                out.add(cur.toString().strip());
            }
            return out;
        }
    }
}
