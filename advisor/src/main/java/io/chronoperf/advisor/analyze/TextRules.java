package io.chronoperf.advisor.analyze;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Rules over the statement's text (its fingerprint: literals replaced, lower-cased). Patterns
 * rather than a parse tree, so they work on every statement PostgreSQL accepts, including the ones
 * JSqlParser cannot read. Catalogue: docs/rules.md.
 */
final class TextRules {
    private static final Pattern SELECT_STAR = Pattern.compile("^select (?:distinct )?\\*");
    private static final Pattern OFFSET = Pattern.compile("\\boffset \\?");
    private static final Pattern NOT_IN_SUBQUERY = Pattern.compile("\\bnot in\\(select\\b");
    private static final Pattern LEADING_WILDCARD = Pattern.compile("([a-z_.\"]+) i?like \\?");
    private static final Pattern ORDER_BY_RANDOM = Pattern.compile("\\border by random\\(\\)");
    /** A count compared with zero or one: a yes-or-no question answered by counting every match. */
    private static final String COUNT = "count\\(\\s*(?:distinct\\s+)?(?:\\*|[0-9]+|[a-z_][a-z0-9_.\"]*)\\s*\\)";

    private static final String ZERO_TEST_AFTER = "\\s*(?:>\\s*0|>=\\s*1|<>\\s*0|!=\\s*0|=\\s*0|<\\s*1)(?![0-9.])";
    private static final String ZERO_TEST_BEFORE = "(?<![0-9.])(?:0\\s*<|1\\s*<=|0\\s*<>|0\\s*!=|0\\s*=|1\\s*>)\\s*";
    /** A subquery's body: anything with balanced parentheses two deep. */
    private static final String BODY = "(?:[^()]|\\((?:[^()]|\\([^()]*\\))*\\))*";

    private static final Pattern COUNT_EXISTS = Pattern.compile(
            // count(...) > 0 in a select list, CASE or WHERE
            "(?<!having )(?<!having  )" + COUNT + ZERO_TEST_AFTER
                    // (SELECT count(...) FROM ...) > 0, and 0 < (SELECT count(...) ...)
                    + "|\\(\\s*select\\s+" + COUNT + "\\s+from\\b" + BODY + "\\)" + ZERO_TEST_AFTER
                    + "|" + ZERO_TEST_BEFORE + "\\(\\s*select\\s+" + COUNT);
    /** Not functions of a column that hide it from an index: aggregates and set operators. */
    private static final java.util.Set<String> NOT_WRAPPING = java.util.Set.of(
            "count", "sum", "avg", "min", "max", "exists", "any", "all", "in", "array", "row", "values", "not", "and",
            "or", "where", "on", "select", "from", "having", "over", "filter", "using");

    private static final java.util.Set<String> KEYWORDS = java.util.Set.of(
            "and",
            "or",
            "not",
            "null",
            "true",
            "false",
            "interval",
            "case",
            "when",
            "then",
            "else",
            "end",
            "current_date",
            "current_timestamp",
            "localtimestamp",
            "is",
            "as",
            "from",
            "year",
            "month",
            "day",
            "hour",
            "minute",
            "second",
            "epoch",
            "dow",
            "week",
            "quarter",
            "distinct",
            "select",
            "where");
    /** What follows a predicate's left side: a comparison, LIKE, BETWEEN or IN. */
    private static final String CMP =
            "\\s*(?:=|<>|!=|<=|>=|<|>|~~\\*?|!~~|(?:not\\s+)?(?:i?like|between|in|similar)\\b)";

    private static final String ID = "[a-z_][a-z0-9_$]*(?:\\.[a-z_][a-z0-9_$]*)?";
    /** col::type compared. */
    private static final Pattern CAST_ON_COLUMN =
            Pattern.compile("(?<![a-z0-9_$.?'\\)])(" + ID + ")::([a-z_][a-z0-9_ ]*?(?:\\([0-9?, ]*\\))?)" + CMP);
    /** CAST(col AS type) compared. */
    private static final Pattern CAST_CALL_ON_COLUMN =
            Pattern.compile("\\bcast\\(\\s*(" + ID + ")\\s+as\\s+([a-z_][a-z0-9_ ]*)\\)" + CMP);
    /** fn(..., col, ...) compared (the innermost call; outer calls may wrap it). */
    private static final Pattern FUNCTION_CALL =
            Pattern.compile("\\b([a-z_][a-z0-9_]*)\\(([^()]*)\\)(?:\\s*\\))*" + CMP);
    /** col + x compared. */
    private static final Pattern ARITHMETIC_ON_COLUMN = Pattern.compile("(?<![a-z0-9_$.?'\\)])(" + ID
            + ")\\s*([-+*/%])\\s*(?:\\?|\\$\\d+|[0-9.]+|interval\\s*\\?|" + ID + ")" + CMP);

    private static final Pattern OR_COLUMNS = Pattern.compile("\\bwhere ([a-z_.\"]+)=\\? or ([a-z_.\"]+)=\\?");
    private static final Pattern ORDER_NO_LIMIT = Pattern.compile("\\border by\\b");

    private TextRules() {}

    /** A column hidden inside a function, a cast or arithmetic on the left of a condition. */
    record Wrapped(String expression, String column) {}

    /** The first column the condition wraps, in any of the forms, or null. */
    static Wrapped wrappedColumn(String fp) {
        int where = conditions(fp);
        if (where < 0) {
            return null;
        }
        String cond = fp.substring(where);
        Matcher cast = CAST_ON_COLUMN.matcher(cond);
        while (cast.find()) {
            if (!KEYWORDS.contains(cast.group(1))) {
                return new Wrapped(cast.group(1) + "::" + cast.group(2).strip(), cast.group(1));
            }
        }
        Matcher castCall = CAST_CALL_ON_COLUMN.matcher(cond);
        if (castCall.find()) {
            return new Wrapped(
                    "cast(" + castCall.group(1) + " as " + castCall.group(2).strip() + ")", castCall.group(1));
        }
        Matcher fn = FUNCTION_CALL.matcher(cond);
        while (fn.find()) {
            if (NOT_WRAPPING.contains(fn.group(1))) {
                continue;
            }
            for (String arg : fn.group(2).split("[,\\s]+")) {
                String a = arg.replaceAll("::.*$", "");
                if (a.matches(ID) && !KEYWORDS.contains(a)) {
                    return new Wrapped(fn.group(1) + "(" + fn.group(2) + ")", a);
                }
            }
        }
        Matcher arithmetic = ARITHMETIC_ON_COLUMN.matcher(cond);
        while (arithmetic.find()) {
            if (!KEYWORDS.contains(arithmetic.group(1))) {
                return new Wrapped(arithmetic.group(1) + " " + arithmetic.group(2) + " ...", arithmetic.group(1));
            }
        }
        return null;
    }

    /** Where the statement's conditions start (its first WHERE, ON or HAVING), or -1. */
    private static int conditions(String fp) {
        Matcher m = Pattern.compile("\\b(?:where|on|having)\\b").matcher(fp);
        return m.find() ? m.end() : -1;
    }

    /** The raw text lower-cased with its whitespace collapsed (the fingerprint hides the constants 0 and 1). */
    private static String normalized(String sql) {
        return sql.toLowerCase(java.util.Locale.ROOT).replaceAll("\\s+", " ");
    }

    /** A "(select ... where ...)" at parenthesis depth 1 before the statement's top-level FROM. */
    static boolean scalarSubqueryInSelectList(String fp) {
        if (!fp.startsWith("select ")) {
            return false;
        }
        int depth = 0;
        for (int i = 0; i < fp.length(); i++) {
            char ch = fp.charAt(i);
            if (ch == '(') {
                if (fp.startsWith("(select ", i)) {
                    int end = closing(fp, i);
                    String inner = fp.substring(i, end);
                    if (inner.contains(" where ")) {
                        return true;
                    }
                }
                depth++;
            } else if (ch == ')') {
                depth--;
            } else if (depth == 0 && (fp.startsWith(" from ", i) || fp.startsWith(")from ", i - 1) && i > 0)) {
                return false;
            }
        }
        return false;
    }

    private static int closing(String s, int open) {
        int depth = 0;
        for (int i = open; i < s.length(); i++) {
            if (s.charAt(i) == '(') {
                depth++;
            } else if (s.charAt(i) == ')' && --depth == 0) {
                return i + 1;
            }
        }
        return s.length();
    }

    /**
     * @param fingerprint the statement's fingerprint
     * @param sql         the raw text (for the LIKE pattern, which the fingerprint hides)
     */
    static List<Insight> apply(String fingerprint, String sql) {
        List<Insight> out = new ArrayList<>();
        if (SELECT_STAR.matcher(fingerprint).find()) {
            out.add(new Insight(
                    "select_star",
                    "low",
                    "SELECT * reads every column",
                    "select list *",
                    "List the columns the caller uses: less I/O, index-only scans become possible, schema "
                            + "changes break nothing"));
        }
        if (OFFSET.matcher(fingerprint).find()) {
            out.add(new Insight(
                    "offset_pagination",
                    "medium",
                    "OFFSET pagination reads and discards every skipped row",
                    "offset clause",
                    "Keyset pagination: WHERE (sort_key, id) < ($last_sort_key, $last_id) ORDER BY sort_key "
                            + "DESC, id DESC LIMIT n"));
        }
        if (NOT_IN_SUBQUERY.matcher(fingerprint).find()) {
            out.add(new Insight(
                    "not_in_subquery",
                    "medium",
                    "NOT IN (subquery) cannot use an anti-join, and a NULL in the subquery empties the result",
                    "not in(select",
                    "NOT EXISTS (SELECT 1 FROM ... WHERE ...): an anti-join, and NULL-safe"));
        }
        Matcher like = Pattern.compile("(?i)([a-z_.\"]+(?:\\([^()]*\\))?)\\s+(i?like)\\s+'%")
                .matcher(sql);
        if (like.find()) {
            out.add(new Insight(
                    "leading_wildcard_like",
                    "medium",
                    like.group(2).toUpperCase() + " with a leading % cannot use a B-tree index",
                    like.group(1) + " " + like.group(2) + " '%...'",
                    "A trigram index: CREATE INDEX ... USING gin (" + like.group(1) + " gin_trgm_ops)"));
        }
        if (ORDER_BY_RANDOM.matcher(fingerprint).find()) {
            out.add(new Insight(
                    "order_by_random",
                    "medium",
                    "ORDER BY random() sorts the whole input to pick a few rows",
                    "order by random()",
                    "TABLESAMPLE SYSTEM (p) or a random key range"));
        }
        if (COUNT_EXISTS.matcher(normalized(sql)).find()) {
            out.add(new Insight(
                    "count_for_existence",
                    "low",
                    "COUNT compared with 0 or 1 counts every match to answer yes or no",
                    "count(...) > 0",
                    "EXISTS (SELECT 1 FROM ... WHERE ...): stops at the first row"));
        }
        Wrapped wrapped = wrappedColumn(fingerprint);
        if (wrapped != null) {
            out.add(new Insight(
                    "function_on_column",
                    "medium",
                    wrapped.expression() + " in a condition cannot use a plain index on " + wrapped.column(),
                    wrapped.expression(),
                    "An expression index ON (" + wrapped.expression()
                            + "), or compare the bare column (a range of " + wrapped.column()
                            + " instead of a function or cast of it; the cast on the other side)"));
        }
        Matcher or = OR_COLUMNS.matcher(fingerprint);
        if (or.find() && !or.group(1).equals(or.group(2))) {
            out.add(new Insight(
                    "or_across_columns",
                    "low",
                    "OR across " + or.group(1) + " and " + or.group(2) + " often defeats single-column indexes",
                    or.group(0),
                    "UNION ALL of two indexed queries (or a BitmapOr over two indexes)"));
        }
        if (sql.chars().filter(ch -> ch == ',').count() > 200 && fingerprint.contains("in(?)")) {
            out.add(new Insight(
                    "huge_in_list",
                    "low",
                    "An IN list of hundreds of values is planned and parsed every time",
                    "IN list with " + sql.chars().filter(ch -> ch == ',').count() + " commas",
                    "= ANY($1) with one array parameter"));
        }
        if (fingerprint.startsWith("select distinct ") && fingerprint.contains(" join ")) {
            out.add(new Insight(
                    "distinct_join",
                    "low",
                    "DISTINCT over a JOIN often hides a fan-out: the join multiplies rows"
                            + " and DISTINCT removes them again",
                    "select distinct ... join",
                    "Join only what the result needs; test existence with EXISTS (a semi-join) instead of "
                            + "joining and de-duplicating"));
        }
        if (scalarSubqueryInSelectList(fingerprint)) {
            out.add(new Insight(
                    "correlated_subquery",
                    "medium",
                    "A subquery in the select list runs once per result row",
                    "(select ... where ...) before the top-level from",
                    "A JOIN (or LEFT JOIN LATERAL) with GROUP BY computes it once for all rows"));
        }
        if (ORDER_NO_LIMIT.matcher(fingerprint).find()
                && !fingerprint.contains(" limit")
                && fingerprint.startsWith("select")
                && !fingerprint.contains(" fetch ")) {
            out.add(new Insight(
                    "order_without_limit",
                    "low",
                    "ORDER BY without LIMIT sorts every row for the caller",
                    "order by, no limit",
                    "Add a LIMIT (and keyset pagination) unless the caller needs every row"));
        }
        return out;
    }
}
