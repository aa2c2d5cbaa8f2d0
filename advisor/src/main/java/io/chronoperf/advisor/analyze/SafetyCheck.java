package io.chronoperf.advisor.analyze;

import io.chronoperf.advisor.Fingerprint;
import io.chronoperf.advisor.SqlLexer;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import net.sf.jsqlparser.parser.CCJSqlParserUtil;
import net.sf.jsqlparser.statement.Statement;
import net.sf.jsqlparser.statement.select.PlainSelect;
import net.sf.jsqlparser.statement.select.Select;

/**
 * The first gate for SQL that came from a client, which is treated as hostile, decided on the
 * text alone: EXECUTE (a candidate for EXPLAIN ANALYZE), EXPLAIN_ONLY (planned, never run) or
 * REJECT.
 *
 * <p>One statement as PostgreSQL's lexer and the JDBC driver's both cut it ({@link SqlLexer}), no
 * JDBC escape braces; SELECT, VALUES, TABLE or WITH; no data-modifying CTE, no SELECT INTO, no row
 * locks. Statements that are not plannable queries (DDL, utility, COPY, transaction control, SET
 * ROLE, DO, CALL...) are rejected with the reason; INSERT, UPDATE, DELETE and MERGE are planned.
 * An EXECUTE here is not yet a licence to run: {@link CallResolver} then resolves every function,
 * operator, cast and type the statement can call on the server, and only a statement whose every
 * call is on the read-only allow list runs under EXPLAIN ANALYZE (in a READ ONLY transaction).
 */
public final class SafetyCheck {
    /** What may be done. */
    public enum Verdict {
        EXECUTE,
        EXPLAIN_ONLY,
        REJECT
    }

    /**
     * @param statementType select, insert, update, delete, merge, or the rejected statement's keyword
     * @param reason        why not EXECUTE (null when it is)
     * @param parsed        whether JSqlParser read the statement (false: checks ran on tokens only)
     */
    public record Decision(Verdict verdict, String statementType, String reason, boolean parsed) {}

    private static final Set<String> READ_KEYWORDS = Set.of("select", "with", "values", "table");
    private static final Set<String> PLANNED_WRITES = Set.of("insert", "update", "delete", "merge");
    private static final Pattern MODIFYING_CTE =
            Pattern.compile("\\bas(?: not)?(?: materialized)?\\((?:insert|update|delete|merge)\\b");
    /** SELECT ... INTO before the first FROM: creates a table. */
    private static final Pattern SELECT_INTO = Pattern.compile("^select (?:(?!\\bfrom\\b).)*\\binto\\b");

    private static final Pattern ROW_LOCK = Pattern.compile("\\bfor (?:update|share|no key update|key share)\\b");

    private SafetyCheck() {}

    public static Decision of(String sql) {
        List<SqlLexer.Statement> statements = SqlLexer.statements(sql);
        if (statements.size() != 1) {
            return new Decision(
                    Verdict.REJECT,
                    "multiple",
                    statements.isEmpty()
                            ? "the query is empty"
                            : "send exactly one statement (found " + statements.size() + ")",
                    false);
        }
        SqlLexer.Statement only = statements.get(0);
        if (only.unterminated()) {
            return new Decision(
                    Verdict.REJECT, "unterminated", "a quote, dollar quote or comment is not closed", false);
        }
        if (only.hasBraces()) {
            return new Decision(
                    Verdict.REJECT,
                    "escape",
                    "{ and } outside quotes are JDBC escapes, which are not"
                            + " accepted: quote them or write the SQL without them",
                    false);
        }
        String disagreement = driverDisagrees(only.text());
        if (disagreement != null) {
            return new Decision(Verdict.REJECT, "multiple", disagreement + ": send exactly one statement", false);
        }
        String fp = Fingerprint.of(only.text());
        String keyword = firstKeyword(fp);
        if (PLANNED_WRITES.contains(keyword)) {
            return new Decision(
                    Verdict.EXPLAIN_ONLY,
                    keyword,
                    "a data-modifying statement is planned, never executed",
                    parses(sql));
        }
        if (keyword.equals("explain")) {
            return new Decision(
                    Verdict.REJECT, keyword, "send the statement itself, without EXPLAIN: the analysis adds it", false);
        }
        if (!READ_KEYWORDS.contains(keyword)) {
            return new Decision(
                    Verdict.REJECT,
                    keyword,
                    "'" + keyword.toUpperCase(Locale.ROOT) + "' statements are not"
                            + " analysed: only SELECT, VALUES, TABLE and WITH queries (executed when read-only) and "
                            + "INSERT, UPDATE,"
                            + " DELETE, MERGE (planned only)",
                    false);
        }
        boolean parsed = false;
        try {
            Statement st = CCJSqlParserUtil.parse(only.text());
            parsed = true;
            if (st instanceof Select select && select.getPlainSelect() != null) {
                PlainSelect plain = select.getPlainSelect();
                if (plain.getIntoTables() != null && !plain.getIntoTables().isEmpty()) {
                    return new Decision(
                            Verdict.REJECT, "select", "SELECT INTO creates a table: use a plain SELECT", true);
                }
            }
        } catch (Exception | StackOverflowError parserFailure) {
            // JSqlParser does not know every PostgreSQL construct: the token checks below still apply.
        }
        if (SELECT_INTO.matcher(fp).find()) {
            return new Decision(Verdict.REJECT, "select", "SELECT INTO creates a table: use a plain SELECT", parsed);
        }
        if (MODIFYING_CTE.matcher(fp).find()) {
            return new Decision(
                    Verdict.EXPLAIN_ONLY, "select", "a WITH clause modifies data: planned, never executed", parsed);
        }
        if (ROW_LOCK.matcher(fp).find()) {
            return new Decision(
                    Verdict.EXPLAIN_ONLY,
                    "select",
                    "FOR UPDATE/SHARE takes row locks: planned, never executed",
                    parsed);
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

    /**
     * The JDBC driver cuts and rewrites the text too: it must see exactly one statement and no
     * placeholder of its own, or the text is refused (two lexers that disagree let a second
     * statement through).
     */
    static String driverDisagrees(String statement) {
        try {
            List<org.postgresql.core.NativeQuery> queries =
                    org.postgresql.core.Parser.parseJdbcSql(statement, true, false, true, false, false);
            if (queries.size() != 1) {
                return "the JDBC driver reads " + queries.size() + " statements in this text";
            }
            return null;
        } catch (java.sql.SQLException | RuntimeException e) {
            return "the JDBC driver cannot read this text";
        }
    }
}
