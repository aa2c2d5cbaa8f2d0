package io.chronoperf.advisor.analyze;

import io.chronoperf.advisor.Fingerprint;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Analyses one statement from a client, safely: {@link SafetyCheck} decides whether it may run
 * under EXPLAIN ANALYZE or is only planned; it runs on a dedicated connection (opened for this
 * analysis and closed after it, so nothing it did can reach a pool) in a READ ONLY transaction
 * that is always rolled back, under statement_timeout and lock_timeout, followed by DISCARD ALL.
 * The statement goes through the extended protocol, where the server itself refuses a second
 * command; values are always bound, never concatenated.
 */
public final class QueryAnalyzer {
    public static final int MAX_SQL = 100_000;
    private static final Pattern DOLLAR_PARAM = Pattern.compile("\\$(\\d+)");
    private static final Pattern QUOTED = Pattern.compile("'(?:[^']|'')*'");

    /** Opens a dedicated connection (ideally as a least-privilege role; see docs/rules.md). */
    @FunctionalInterface
    public interface ConnectionSource {
        Connection open() throws SQLException;
    }

    /**
     * @param whatIfMaxTableBytes the transactional what-if builds indexes only on tables up to this
     *                            size (the build blocks the table's writes while it runs)
     */
    public record Options(Duration statementTimeout, Duration lockTimeout, long whatIfMaxTableBytes) {
        public static final Options DEFAULT = new Options(Duration.ofSeconds(5), Duration.ofSeconds(1), 256L << 20);
    }

    /** Cost, time, rows and buffers of the plan's root. */
    public record PlanSummary(double totalCost, Double actualTimeMs, Double rows, Long sharedHitBlocks,
                              Long sharedReadBlocks, Double planningMs, Double executionMs) {
    }

    /** The analysis. */
    public record Analysis(String fingerprint, String statementType, boolean executed, String executionNote,
                           PlanSummary planSummary, List<Insight> findings, List<IndexRecommendation> missingIndexes,
                           List<Rewrite> rewrites, Double callerExecutionTimeMs) {
    }

    private final ConnectionSource source;
    private final Options options;

    public QueryAnalyzer(ConnectionSource source, Options options) {
        this.source = source;
        this.options = options;
    }

    /**
     * The text rules alone, without a connection or a plan: cheap enough for every statement of a
     * report (the slow-query list attaches them). Empty for SQL that is not one statement.
     */
    public static List<Insight> textFindings(String sql) {
        List<String> statements = SafetyCheck.StatementSplitter.split(sql == null ? "" : sql);
        if (statements.size() != 1) {
            return List.of();
        }
        return TextRules.apply(Fingerprint.of(statements.get(0)), statements.get(0));
    }

    public Analysis analyze(String sql, List<Object> params, Double callerMs) {
        if (sql == null || sql.isBlank()) {
            throw new InvalidQueryException("query is required");
        }
        if (sql.length() > MAX_SQL) {
            throw new InvalidQueryException("query is " + sql.length() + " characters long; at most " + MAX_SQL + " are analysed");
        }
        SafetyCheck.Decision decision = SafetyCheck.of(sql);
        if (decision.verdict() == SafetyCheck.Verdict.REJECT) {
            throw new InvalidQueryException("This statement is not analysed: " + decision.reason());
        }
        String statement = SafetyCheck.StatementSplitter.split(sql).get(0); // may be adapted for planning below
        String fingerprint = Fingerprint.of(statement);
        int placeholders = placeholders(statement);
        List<Object> values = params == null ? List.of() : params;
        if (!values.isEmpty() && values.size() != placeholders) {
            throw new InvalidQueryException("params has " + values.size() + " values but the query uses $1.." + "$" + placeholders);
        }
        List<Insight> findings = new ArrayList<>(TextRules.apply(fingerprint, statement));
        boolean execute = decision.verdict() == SafetyCheck.Verdict.EXECUTE;
        String note = decision.reason();
        try (Connection c = source.open()) {
            try {
                c.setAutoCommit(false);
                try (Statement s = c.createStatement()) {
                    s.execute("SET TRANSACTION READ ONLY");
                    s.execute("SET LOCAL statement_timeout = " + options.statementTimeout().toMillis());
                    s.execute("SET LOCAL lock_timeout = " + options.lockTimeout().toMillis());
                }
                JsonNode explained;
                String costSql;
                List<Object> costBound = List.of();
                if (placeholders > 0 && values.isEmpty() && c.getMetaData().getDatabaseMajorVersion() < 16) {
                    // Before 16 there is no generic plan: plan with representative values from pg_stats.
                    List<Object> representative = RepresentativeValues.of(c, statement, placeholders);
                    if (representative != null) {
                        values = representative;
                        statement = intervalParameters(statement);
                        note = (note == null ? "" : note + "; ") + "values taken from pg_stats (no params given)";
                    } // otherwise: a generic plan, below
                }
                if (placeholders > 0 && values.isEmpty()) {
                    // A generic plan without values: the extended protocol would plan with whatever is
                    // bound, so PREPARE the statement and EXECUTE it with NULLs under
                    // plan_cache_mode = force_generic_plan (the values are then never looked at).
                    try (PreparedStatement ps = c.prepareStatement("PREPARE chrono_perf_generic AS " + jdbcText(statement))) {
                        ps.execute();
                    }
                    try (Statement s = c.createStatement()) {
                        s.execute("SET LOCAL plan_cache_mode = force_generic_plan");
                    }
                    String nulls = String.join(", ", java.util.Collections.nCopies(placeholders, "NULL"));
                    explained = explain(c, "EXPLAIN (FORMAT JSON) EXECUTE chrono_perf_generic(" + nulls + ")", List.of());
                    costSql = null; // the prepared statement lives on this connection only: no what-if
                    execute = false;
                    note = "planned generically (no values given)";
                } else if (placeholders > 0) {
                    // $n become JDBC placeholders bound to the values: the server infers each type from
                    // its context, and the values never enter the SQL text.
                    List<Object> bound = new ArrayList<>();
                    String text = bindable(statement, values, bound);
                    explained = explain(c, "EXPLAIN (" + (execute ? "ANALYZE, BUFFERS, " : "") + "FORMAT JSON) " + text, bound);
                    costSql = "EXPLAIN (FORMAT JSON) " + text;
                    costBound = bound;
                } else {
                    explained = explain(c, "EXPLAIN (" + (execute ? "ANALYZE, BUFFERS, " : "") + "FORMAT JSON) " + jdbcText(statement), List.of());
                    costSql = "EXPLAIN (FORMAT JSON) " + jdbcText(statement);
                }
                JsonNode root = explained.get(0);
                PlanNode plan = PlanNode.of(root.get("Plan"));
                Double planning = root.has("Planning Time") ? root.get("Planning Time").asDouble() : null;
                Double execution = root.has("Execution Time") ? root.get("Execution Time").asDouble() : null;
                JsonNode top = root.get("Plan");
                findings.addAll(PlanRules.apply(plan, planning));
                findings.addAll(PlanRules.staleStatistics(c, plan));
                PlanSummary summary = new PlanSummary(plan.totalCost(), plan.actualTotalTime(), plan.actualRows(),
                        top.has("Shared Hit Blocks") ? top.get("Shared Hit Blocks").asLong() : null,
                        top.has("Shared Read Blocks") ? top.get("Shared Read Blocks").asLong() : null, planning, execution);
                List<Rewrite> rewrites = new ArrayList<>();
                for (Rewrites.Candidate candidate : Rewrites.of(statement)) {
                    if (SafetyCheck.of(candidate.sql()).verdict() == SafetyCheck.Verdict.REJECT) {
                        continue;
                    }
                    try {
                        List<Object> rewriteBound = new ArrayList<>();
                        String text = placeholders > 0 && !values.isEmpty() ? bindable(candidate.sql(), values, rewriteBound)
                                : jdbcText(candidate.sql());
                        double after = explain(c, "EXPLAIN (FORMAT JSON) " + text, rewriteBound).get(0).get("Plan")
                                .get("Total Cost").asDouble();
                        rewrites.add(new Rewrite(candidate.rule(), candidate.sql(), plan.totalCost(), after));
                    } catch (SQLException rewriteFailed) {
                        break; // the transaction is aborted; a rewrite that does not plan is not offered
                    }
                }
                c.rollback();
                List<IndexRecommendation> indexes = costSql == null ? List.of()
                        : MissingIndexes.find(plan, source, costSql, costBound, plan.totalCost(), options.whatIfMaxTableBytes());
                return new Analysis(fingerprint, decision.statementType(), execute, note, summary, findings, indexes,
                        rewrites, callerMs);
            } catch (SQLException e) {
                throw new InvalidQueryException("PostgreSQL could not " + (execute ? "run" : "plan") + " the statement: "
                        + firstLine(e.getMessage()));
            } finally {
                reset(c);
            }
        } catch (SQLException e) {
            throw new io.chronoperf.runtime.ChronoPerfException(io.chronoperf.runtime.ErrorCode.SERVICE_UNAVAILABLE,
                    "Cannot open a connection for the analysis: " + e.getMessage(), e);
        }
    }

    /** Runs an EXPLAIN (FORMAT JSON) statement with its values bound untyped; returns the JSON. */
    public static JsonNode explain(Connection c, String explainSql, List<Object> values) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(explainSql)) {
            for (int i = 0; i < values.size(); i++) {
                Object v = values.get(i);
                if (v == null) {
                    ps.setNull(i + 1, Types.NULL);
                } else {
                    ps.setObject(i + 1, String.valueOf(v), Types.OTHER); // untyped: the server casts to the parameter's type
                }
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return JsonMapper.builder().build().readTree(rs.getString(1));
            }
        }
    }

    /** Always roll back, then forget everything the session may hold (prepared statements, locks, settings). */
    private static void reset(Connection c) {
        try {
            c.rollback();
            c.setAutoCommit(true);
            try (Statement s = c.createStatement()) {
                s.execute("DISCARD ALL");
            }
        } catch (SQLException ignored) {
            // the connection is closed right after; the server ends the session and its state with it
        }
    }

    /**
     * A statement ready for EXPLAIN: {@code sql} is the JDBC text and {@code values} are bound to its placeholders;
     * {@code genericParams} &gt; 0 means a generic plan of a server-side prepared statement ({@code sql}
     * is then the statement's own text).
     */
    public record Plannable(String sql, List<Object> values, int genericParams) {
        /** True when the statement can be executed as planned (values known). */
        public boolean executable() {
            return genericParams == 0;
        }
    }

    /**
     * EXPLAIN (FORMAT JSON) of a plannable statement, with {@code options} (e.g. "ANALYZE, ") when
     * it is executable. A generic plan before 16 is PREPAREd, explained through EXECUTE with NULLs
     * under plan_cache_mode = force_generic_plan, and DEALLOCATEd at once, so that each call plans
     * afresh (a what-if index must not meet a cached plan).
     */
    private static final String GENERIC_NAME = "chrono_perf_generic_plan";

    public static JsonNode explain(Connection c, Plannable p, String options) throws SQLException {
        if (p.genericParams() == 0) {
            return explain(c, "EXPLAIN (" + options + "FORMAT JSON) " + p.sql(), p.values());
        }
        // One constant name: every EXPLAIN EXECUTE then has the same text, so pg_stat_statements keeps
        // one entry for them (a name per call made an entry per call and evicted the user's statements).
        try (Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT 1 FROM pg_catalog.pg_prepared_statements WHERE name = '" + GENERIC_NAME + "'")) {
                if (rs.next()) { // left over by a call whose transaction was rolled back
                    s.execute("DEALLOCATE " + GENERIC_NAME);
                }
            }
            s.execute("PREPARE " + GENERIC_NAME + " AS " + p.sql());
            try {
                s.execute("SET plan_cache_mode = force_generic_plan");
                return explain(c, "EXPLAIN (FORMAT JSON) EXECUTE " + GENERIC_NAME + "("
                        + String.join(", ", java.util.Collections.nCopies(p.genericParams(), "NULL")) + ")", List.of());
            } finally {
                try {
                    s.execute("RESET plan_cache_mode");
                    s.execute("DEALLOCATE " + GENERIC_NAME);
                } catch (SQLException inAbortedTransaction) {
                    // the caller's rollback undoes the SET; the next call deallocates the name first
                }
            }
        }
    }

    /**
     * How to plan a statement that may carry $n parameters without values (pg_stat_statements'
     * normalized texts): as it is without parameters; a generic plan (PREPARE, EXECUTE under
     * force_generic_plan) on PostgreSQL 16+; before 16, with representative values from pg_stats,
     * or a generic plan when a parameter has no representative value.
     */
    public static Plannable plannable(Connection c, String statement) throws SQLException {
        return plannable(c, statement, false);
    }

    /**
     * As {@link #plannable(Connection, String)}; with {@code generic}, a generic plan on every
     * version (before 16 through PREPARE), never representative values: the plan for any value.
     */
    public static Plannable plannable(Connection c, String statement, boolean generic) throws SQLException {
        int placeholders = placeholders(statement);
        if (placeholders == 0) {
            return new Plannable(jdbcText(statement), List.of(), 0);
        }
        String fixed = intervalParameters(statement);
        if (generic || c.getMetaData().getDatabaseMajorVersion() >= 16) {
            // PREPARE and EXECUTE under force_generic_plan on every version: EXPLAIN (GENERIC_PLAN)
            // would need the simple query protocol, as the driver's extended protocol binds $n itself
            return new Plannable(fixed, List.of(), placeholders); // PREPAREd through a plain Statement: no ? doubling
        }
        List<Object> representative = RepresentativeValues.of(c, statement, placeholders);
        if (representative == null) {
            // no representative value for some parameter: a generic plan through PREPARE
            return new Plannable(fixed, List.of(), placeholders);
        }
        List<Object> bound = new ArrayList<>();
        String text = bindable(fixed, representative, bound);
        return new Plannable(text, bound, 0);
    }

    /**
     * pg_stat_statements writes a constant interval '1 hour' as "interval $1", which does not parse
     * with a parameter: it is planned as $1::interval.
     */
    private static String intervalParameters(String statement) {
        return statement.replaceAll("(?i)\\binterval\\s+\\$(\\d+)", "\\$$1::interval");
    }

    /** The driver reads ? as a JDBC placeholder; PostgreSQL operators such as jsonb's ? are doubled to stay operators. */
    private static String jdbcText(String statement) {
        StringBuilder out = new StringBuilder(statement.length() + 8);
        boolean quoted = false;
        for (char ch : statement.toCharArray()) {
            if (ch == '\'') {
                quoted = !quoted; // '' inside a literal toggles twice: still right
            }
            out.append(ch);
            if (ch == '?' && !quoted) {
                out.append('?');
            }
        }
        return out.toString();
    }

    /** The statement with $n replaced by ? (and literal ? doubled), and the values in placeholder order. */
    static String bindable(String statement, List<Object> values, List<Object> bound) {
        StringBuilder out = new StringBuilder(statement.length() + 8);
        boolean quoted = false;
        int n = statement.length();
        for (int i = 0; i < n; i++) {
            char ch = statement.charAt(i);
            if (ch == '\'') {
                quoted = !quoted;
            }
            if (!quoted && ch == '$' && i + 1 < n && Character.isDigit(statement.charAt(i + 1))) {
                int j = i + 1;
                while (j < n && Character.isDigit(statement.charAt(j))) {
                    j++;
                }
                int index = Integer.parseInt(statement.substring(i + 1, Math.min(j, i + 6)));
                if (index < 1 || index > values.size()) {
                    throw new InvalidQueryException("$" + index + " has no value: params holds " + values.size());
                }
                bound.add(values.get(index - 1));
                out.append('?');
                i = j - 1;
                continue;
            }
            out.append(ch);
            if (ch == '?' && !quoted) {
                out.append('?');
            }
        }
        return out.toString();
    }

    static int placeholders(String sql) {
        Matcher m = DOLLAR_PARAM.matcher(QUOTED.matcher(sql).replaceAll("''"));
        int max = 0;
        while (m.find()) {
            max = Math.max(max, Integer.parseInt(m.group(1)));
        }
        return max;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unknown error";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
