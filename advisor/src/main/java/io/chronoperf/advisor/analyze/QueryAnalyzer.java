package io.chronoperf.advisor.analyze;

import io.chronoperf.advisor.Fingerprint;
import io.chronoperf.advisor.SqlLexer;
import io.chronoperf.runtime.OwnStatements;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
public final class QueryAnalyzer implements AutoCloseable {
    public static final int MAX_SQL = 100_000;

    /** Opens a dedicated connection (ideally as a least-privilege role; see docs/rules.md). */
    @FunctionalInterface
    public interface ConnectionSource {
        Connection open() throws SQLException;
    }

    /**
     * @param whatIfMaxTableBytes the transactional what-if builds indexes only on tables up to this
     *                            size (the build blocks the table's writes while it runs)
     * @param executeAsPrivileged true: statements may run under EXPLAIN ANALYZE even when the
     *                            analysis connects as a superuser or a role that may read server files
     *                            (off by default: such a session is only planned)
     */
    public record Options(
            Duration statementTimeout, Duration lockTimeout, long whatIfMaxTableBytes, boolean executeAsPrivileged) {
        public static final Options DEFAULT =
                new Options(Duration.ofSeconds(5), Duration.ofSeconds(1), 256L << 20, false);

        public Options withExecuteAsPrivileged(boolean allowed) {
            return new Options(statementTimeout, lockTimeout, whatIfMaxTableBytes, allowed);
        }
    }

    /** Cost, time, rows and buffers of the plan's root. */
    public record PlanSummary(
            double totalCost,
            Double actualTimeMs,
            Double rows,
            Long sharedHitBlocks,
            Long sharedReadBlocks,
            Double planningMs,
            Double executionMs) {}

    /**
     * The analysis.
     *
     * @param plan the whole plan tree as PostgreSQL's EXPLAIN (FORMAT JSON) gives it ("Plan"), with
     *             actual times, rows and buffers when executed
     */
    public record Analysis(
            String fingerprint,
            String statementType,
            boolean executed,
            String executionNote,
            PlanSummary planSummary,
            List<Insight> findings,
            List<IndexRecommendation> missingIndexes,
            List<Rewrite> rewrites,
            Double callerExecutionTimeMs,
            JsonNode plan) {}

    private final ConnectionSource source;
    private final ConnectionSource whatIfSource;
    private final Options options;
    private final java.util.concurrent.LinkedBlockingDeque<Connection> resolvers =
            new java.util.concurrent.LinkedBlockingDeque<>(2);

    /** Analyses and what-ifs on connections from {@code source}. */
    public QueryAnalyzer(ConnectionSource source, Options options) {
        this(source, source, options);
    }

    /**
     * @param source       the analysis's connections (a least-privilege role)
     * @param whatIfSource connections for the transactional what-if where HypoPG is missing (a
     *                     rolled-back CREATE INDEX needs the table's owner); used only for statements
     *                     whose every call {@link CallResolver} allowed, {@code source} otherwise
     */
    public QueryAnalyzer(ConnectionSource source, ConnectionSource whatIfSource, Options options) {
        this.source = source;
        this.whatIfSource = whatIfSource;
        this.options = options;
    }

    /**
     * The text rules alone, without a connection or a plan: cheap enough for every statement of a
     * report (the slow-query list attaches them). Empty for SQL that is not one statement.
     */
    public static List<Insight> textFindings(String sql) {
        List<SqlLexer.Statement> statements = SqlLexer.statements(sql);
        if (statements.size() != 1) {
            return List.of();
        }
        String statement = statements.get(0).text();
        return TextRules.apply(Fingerprint.of(statement), statement);
    }

    public Analysis analyze(String sql, List<Object> params, Double callerMs) {
        if (sql == null || sql.isBlank()) {
            throw new InvalidQueryException("query is required");
        }
        if (sql.length() > MAX_SQL) {
            throw new InvalidQueryException(
                    "query is " + sql.length() + " characters long; at most " + MAX_SQL + " are analysed");
        }
        SafetyCheck.Decision decision = SafetyCheck.of(sql);
        if (decision.verdict() == SafetyCheck.Verdict.REJECT) {
            throw new InvalidQueryException("This statement is not analysed: " + decision.reason());
        }
        String statement = SqlLexer.statements(sql).get(0).text(); // may be adapted for planning below
        String fingerprint = Fingerprint.of(statement);
        int placeholders = placeholders(statement);
        if (placeholders > 0) {
            statement = intervalParameters(statement); // before the resolution: what is resolved is what runs
        }
        List<Object> values = params == null ? List.of() : params;
        if (!values.isEmpty() && values.size() != placeholders) {
            throw new InvalidQueryException(
                    "params has " + values.size() + " values but the query uses $1.." + "$" + placeholders);
        }
        List<Insight> findings = new ArrayList<>(TextRules.apply(fingerprint, statement));
        boolean execute = decision.verdict() == SafetyCheck.Verdict.EXECUTE;
        String note = decision.reason();
        // Every call resolved by the server and on the allow list, or the statement is only planned.
        // Every call resolved by the server and on the allow list, or the statement is only planned.
        CallResolver.Resolution resolution;
        String refusal = null;
        Connection resolver = resolverConnection();
        try {
            resolution = CallResolver.resolve(resolver, statement, placeholders);
            if (execute) {
                refusal = resolution.allowed() ? privileged(resolver) : resolution.reason();
            }
            release(resolver);
        } catch (SQLException | RuntimeException e) {
            closeQuietly(resolver);
            throw e instanceof SQLException s ? unavailable(s) : (RuntimeException) e;
        }
        if (refusal != null) {
            execute = false;
            note = refusal;
        }
        // Planning a write needs the write privilege, which the analysis role has not: a write whose
        // every call is allowed is planned (never executed) on the owner's connection.
        boolean write =
                decision.verdict() == SafetyCheck.Verdict.EXPLAIN_ONLY && !"select".equals(decision.statementType());
        Connection analysis;
        try {
            analysis = (write && resolution.allowed() ? whatIfSource : source).open();
        } catch (SQLException e) {
            throw unavailable(e);
        }
        try (Connection c = analysis) {
            try {
                c.setAutoCommit(false);
                try (Statement s = c.createStatement()) {
                    s.execute(OwnStatements.MARK + "SET TRANSACTION READ ONLY");
                    s.execute(OwnStatements.MARK + "SET LOCAL statement_timeout = "
                            + options.statementTimeout().toMillis());
                    s.execute(OwnStatements.MARK + "SET LOCAL lock_timeout = "
                            + options.lockTimeout().toMillis());
                }
                JsonNode explained;
                String costSql;
                List<Object> costBound = List.of();
                if (placeholders > 0 && values.isEmpty()) {
                    // A normalized statement (a drill-down from pg_stat_statements): typical values from
                    // pg_stats, so that it gets findings and index candidates like the same statement
                    // with values; a generic plan (below) only where a parameter has none.
                    List<Object> representative =
                            RepresentativeValues.of(c, statement, placeholders, RepresentativeValues.Kind.TYPICAL);
                    if (representative != null) {
                        values = representative;
                        note = (note == null ? "" : note + "; ") + "values taken from pg_stats (no params given): "
                                + representative;
                    } // otherwise: a generic plan, below
                }
                if (placeholders > 0 && values.isEmpty()) {
                    // A generic plan without values: the extended protocol would plan with whatever is
                    // bound, so PREPARE the statement and EXECUTE it with NULLs under
                    // plan_cache_mode = force_generic_plan (the values are then never looked at).
                    try (PreparedStatement ps =
                            c.prepareStatement("PREPARE chrono_perf_generic AS " + jdbcText(statement))) {
                        ps.execute();
                    }
                    try (Statement s = c.createStatement()) {
                        s.execute(OwnStatements.MARK + "SET LOCAL plan_cache_mode = force_generic_plan");
                    }
                    String nulls = String.join(", ", java.util.Collections.nCopies(placeholders, "NULL"));
                    explained =
                            explain(c, "EXPLAIN (FORMAT JSON) EXECUTE chrono_perf_generic(" + nulls + ")", List.of());
                    costSql = null; // the prepared statement lives on this connection only: no what-if
                    execute = false;
                    note = "planned generically (no values given)";
                } else if (placeholders > 0) {
                    // $n become JDBC placeholders bound to the values: the server infers each type from
                    // its context, and the values never enter the SQL text.
                    List<Object> bound = new ArrayList<>();
                    String text = bindable(statement, values, bound);
                    warm(c, "EXPLAIN (FORMAT JSON) " + text, bound);
                    explained = explain(
                            c, "EXPLAIN (" + (execute ? "ANALYZE, BUFFERS, " : "") + "FORMAT JSON) " + text, bound);
                    costSql = "EXPLAIN (FORMAT JSON) " + text;
                    costBound = bound;
                } else {
                    warm(c, "EXPLAIN (FORMAT JSON) " + jdbcText(statement), List.of());
                    explained = explain(
                            c,
                            "EXPLAIN (" + (execute ? "ANALYZE, BUFFERS, " : "") + "FORMAT JSON) " + jdbcText(statement),
                            List.of());
                    costSql = "EXPLAIN (FORMAT JSON) " + jdbcText(statement);
                }
                JsonNode root = explained.get(0);
                PlanNode plan = PlanNode.of(root.get("Plan"));
                Double planning =
                        root.has("Planning Time") ? root.get("Planning Time").asDouble() : null;
                Double execution =
                        root.has("Execution Time") ? root.get("Execution Time").asDouble() : null;
                JsonNode top = root.get("Plan");
                findings.addAll(PlanRules.apply(plan, planning));
                findings.addAll(PlanRules.staleStatistics(c, plan));
                PlanSummary summary = new PlanSummary(
                        plan.totalCost(),
                        plan.actualTotalTime(),
                        plan.actualRows(),
                        top.has("Shared Hit Blocks")
                                ? top.get("Shared Hit Blocks").asLong()
                                : null,
                        top.has("Shared Read Blocks")
                                ? top.get("Shared Read Blocks").asLong()
                                : null,
                        planning,
                        execution);
                List<Rewrite> rewrites = new ArrayList<>();
                for (Rewrites.Candidate candidate : Rewrites.of(statement)) {
                    if (SafetyCheck.of(candidate.sql()).verdict() == SafetyCheck.Verdict.REJECT) {
                        continue;
                    }
                    try {
                        List<Object> rewriteBound = new ArrayList<>();
                        String text = placeholders > 0 && !values.isEmpty()
                                ? bindable(candidate.sql(), values, rewriteBound)
                                : jdbcText(candidate.sql());
                        double after = explain(c, "EXPLAIN (FORMAT JSON) " + text, rewriteBound)
                                .get(0)
                                .get("Plan")
                                .get("Total Cost")
                                .asDouble();
                        rewrites.add(new Rewrite(candidate.rule(), candidate.sql(), plan.totalCost(), after));
                    } catch (SQLException rewriteFailed) {
                        break; // the transaction is aborted; a rewrite that does not plan is not offered
                    }
                }
                c.rollback();
                List<IndexRecommendation> indexes = costSql == null
                        ? List.of()
                        : MissingIndexes.find(
                                plan,
                                resolution.allowed() ? whatIfSource : source,
                                costSql,
                                costBound,
                                plan.totalCost(),
                                options.whatIfMaxTableBytes());
                return new Analysis(
                        fingerprint,
                        decision.statementType(),
                        execute,
                        note,
                        summary,
                        findings,
                        indexes,
                        rewrites,
                        callerMs,
                        top);
            } catch (SQLException e) {
                throw new InvalidQueryException("PostgreSQL could not " + (execute ? "run" : "plan")
                        + " the statement: " + ServerErrors.describe(e, options.statementTimeout()));
            } finally {
                reset(c);
            }
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    /**
     * A connection for the call resolution: kept between analyses (at most two idle), because the
     * resolution runs nothing of the statement (it only creates, in a transaction that is rolled
     * back, a function that is never called) and a warm session resolves in a few milliseconds
     * where a new one pays for its temporary schema and cold catalog caches. The statement itself
     * always runs on a connection of its own.
     */
    private Connection resolverConnection() {
        Connection c;
        while ((c = resolvers.pollFirst()) != null) {
            try {
                if (c.isValid(2)) {
                    return c;
                }
            } catch (SQLException invalid) {
                // closed below
            }
            closeQuietly(c);
        }
        try {
            c = source.open();
            try (Statement s = c.createStatement()) {
                // told apart from the analyses' own sessions, which never outlive their analysis
                s.execute(OwnStatements.MARK + "SET application_name = 'chrono-perf-resolve'");
            }
            return c;
        } catch (SQLException e) {
            if (c != null) {
                closeQuietly(c);
            }
            throw unavailable(e);
        }
    }

    /** Closes the kept resolver sessions. */
    @Override
    public void close() {
        Connection c;
        while ((c = resolvers.pollFirst()) != null) {
            closeQuietly(c);
        }
    }

    private void release(Connection c) {
        try {
            if (!c.isClosed() && c.getAutoCommit() && resolvers.offerFirst(c)) {
                return;
            }
        } catch (SQLException broken) {
            // closed below
        }
        closeQuietly(c);
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException ignored) {
            // nothing more to do
        }
    }

    private static io.chronoperf.runtime.ChronoPerfException unavailable(SQLException e) {
        return new io.chronoperf.runtime.ChronoPerfException(
                io.chronoperf.runtime.ErrorCode.SERVICE_UNAVAILABLE,
                "Cannot open a connection for the analysis (SQLSTATE " + e.getSQLState() + "): is the database up, and"
                        + " may the analysis role log in? See docs/rules.md",
                e);
    }

    /**
     * Why statements may not run on this session: it is a superuser, or it may read or write the
     * server's files or run programs there; null when it may (or when the options allow it).
     */
    private String privileged(Connection c) throws SQLException {
        if (options.executeAsPrivileged()) {
            return null;
        }
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(OwnStatements.MARK + "SELECT current_user, r.rolsuper,"
                        + " pg_catalog.pg_has_role(current_user, 'pg_read_server_files', 'USAGE')"
                        + " OR pg_catalog.pg_has_role(current_user, 'pg_write_server_files', 'USAGE')"
                        + " OR pg_catalog.pg_has_role(current_user, 'pg_execute_server_program', 'USAGE')"
                        + " FROM pg_catalog.pg_roles r WHERE r.rolname = current_user")) {
            if (!rs.next()) {
                return "the analysis role could not be checked: planned, never executed";
            }
            if (rs.getBoolean(2) || rs.getBoolean(3)) {
                return "the analysis connects as " + rs.getString(1) + ", a "
                        + (rs.getBoolean(2) ? "superuser" : "role that may read server files")
                        + ": planned, never executed (give the analysis a"
                        + " least-privilege role, see docs/rules.md)";
            }
            return null;
        }
    }

    /**
     * Runs an EXPLAIN (FORMAT JSON) statement with its values bound untyped; returns the JSON. The
     * statement goes out marked as chrono-perf's own ({@link OwnStatements}).
     */
    public static JsonNode explain(Connection c, String explainSql, List<Object> values) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(OwnStatements.mark(explainSql))) {
            for (int i = 0; i < values.size(); i++) {
                Object v = values.get(i);
                if (v == null) {
                    ps.setNull(i + 1, Types.NULL);
                } else {
                    ps.setObject(
                            i + 1, String.valueOf(v), Types.OTHER); // untyped: the server casts to the parameter's type
                }
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return JsonMapper.builder().build().readTree(rs.getString(1));
            }
        }
    }

    /**
     * Plans the statement once, unmeasured: each analysis runs on a connection of its own, whose
     * catalog caches are cold, and the first plan's time is mostly their filling (12 to 16 ms
     * against 2 for a query over 200 partitions). The planning time reported is then a warm one,
     * as the application's long-lived connections see it.
     */
    private static void warm(Connection c, String explainSql, List<Object> values) throws SQLException {
        explain(c, explainSql, values);
    }

    /** Always roll back, then forget everything the session may hold (prepared statements, locks, settings). */
    private static void reset(Connection c) {
        try {
            c.rollback();
            c.setAutoCommit(true);
            try (Statement s = c.createStatement()) {
                s.execute(OwnStatements.MARK + "DISCARD ALL");
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
            try (ResultSet rs = s.executeQuery(OwnStatements.MARK
                    + "SELECT 1 FROM pg_catalog.pg_prepared_statements WHERE name = '" + GENERIC_NAME + "'")) {
                if (rs.next()) { // left over by a call whose transaction was rolled back
                    s.execute(OwnStatements.MARK + "DEALLOCATE " + GENERIC_NAME);
                }
            }
            s.execute("PREPARE " + GENERIC_NAME + " AS " + p.sql());
            try {
                s.execute(OwnStatements.MARK + "SET plan_cache_mode = force_generic_plan");
                return explain(
                        c,
                        "EXPLAIN (FORMAT JSON) EXECUTE " + GENERIC_NAME + "("
                                + String.join(", ", java.util.Collections.nCopies(p.genericParams(), "NULL")) + ")",
                        List.of());
            } finally {
                try {
                    s.execute(OwnStatements.MARK + "RESET plan_cache_mode");
                    s.execute(OwnStatements.MARK + "DEALLOCATE " + GENERIC_NAME);
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
     * The statement with values of this kind for its $n from pg_stats (a custom plan), or null
     * when one parameter has none.
     */
    public static Plannable plannableWith(Connection c, String statement, RepresentativeValues.Kind kind)
            throws SQLException {
        int placeholders = placeholders(statement);
        if (placeholders == 0) {
            return new Plannable(jdbcText(statement), List.of(), 0);
        }
        String fixed = intervalParameters(statement);
        List<Object> values = RepresentativeValues.of(c, fixed, placeholders, kind);
        if (values == null) {
            return null;
        }
        List<Object> bound = new ArrayList<>();
        return new Plannable(bindable(fixed, values, bound), bound, 0);
    }

    /**
     * pg_stat_statements writes a constant interval '1 hour' as "interval $1", which does not parse
     * with a parameter: it is planned as $1::interval.
     */
    private static String intervalParameters(String statement) {
        return statement.replaceAll("(?i)\\binterval\\s+\\$(\\d+)", "\\$$1::interval");
    }

    /**
     * The driver reads ? as a JDBC placeholder; PostgreSQL operators such as jsonb's ? are doubled to stay operators.
     */
    private static String jdbcText(String statement) {
        return render(statement, null, null);
    }

    /** The statement with $n replaced by ? (and operator ? doubled), and the values in placeholder order. */
    static String bindable(String statement, List<Object> values, List<Object> bound) {
        return render(statement, values, bound);
    }

    /** The statement's text token by token: $n bound to values (when given), ? in operators doubled. */
    private static String render(String statement, List<Object> values, List<Object> bound) {
        List<SqlLexer.Statement> parts = SqlLexer.statements(statement);
        if (parts.isEmpty()) {
            return statement;
        }
        SqlLexer.Statement st = parts.get(0);
        String text = st.text();
        StringBuilder out = new StringBuilder(text.length() + 8);
        int at = 0;
        for (SqlLexer.Token t : st.tokens()) {
            out.append(text, at, t.start());
            String token = st.text(t);
            if (t.kind() == SqlLexer.Kind.PARAM && values != null) {
                int index = token.length() > 7 ? Integer.MAX_VALUE : Integer.parseInt(token.substring(1));
                if (index < 1 || index > values.size()) {
                    throw new InvalidQueryException("$" + index + " has no value: params holds " + values.size());
                }
                bound.add(values.get(index - 1));
                out.append('?');
            } else if (t.kind() == SqlLexer.Kind.OPERATOR) {
                out.append(token.replace("?", "??"));
            } else {
                out.append(token);
            }
            at = t.end();
        }
        out.append(text, at, text.length());
        return out.toString();
    }

    static int placeholders(String sql) {
        List<SqlLexer.Statement> parts = SqlLexer.statements(sql);
        return parts.isEmpty() ? 0 : parts.get(0).parameters();
    }
}
