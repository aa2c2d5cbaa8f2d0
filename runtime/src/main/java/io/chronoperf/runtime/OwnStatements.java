package io.chronoperf.runtime;

import java.util.regex.Pattern;
import javax.sql.DataSource;
import net.ttddyy.dsproxy.support.ProxyDataSourceBuilder;

/**
 * How chrono-perf recognises its own statements in {@code pg_stat_statements}, so that they never
 * count in what it shows of a database (slow queries, the health score, trends, the advisor's
 * workload, N+1 suspects). pg_stat_statements records no application_name; it keeps the first
 * text of each statement, leading comment included, and the role that ran it. A statement is
 * chrono-perf's own when:
 * <ul>
 *   <li>its text starts with {@link #MARK} (the monitor's samples, every EXPLAIN of the analysis,
 *       the what-if and the advisor, trial index builds, the advisor's index builds), or</li>
 *   <li>it names chrono-perf's schema or its session objects ({@code chrono_perf.} tables,
 *       {@code chrono_perf_*} prepared statements, probe functions and trial tables: history
 *       writes, ShedLock, the call resolver), or HypoPG's functions, or</li>
 *   <li>it is an {@code EXPLAIN} (never an application's workload, whoever sent it), or</li>
 *   <li>it ran as the analysis role {@value #ANALYSIS_ROLE}.</li>
 * </ul>
 * The cache's warming runs the admin platform's own queries, which pg_stat_statements cannot tell
 * apart from the same queries run for a user (one query id for both, comments are not part of
 * it): they count as the platform's, which they are.
 */
public final class OwnStatements {
    /** The comment every marked statement starts with; the monitor's is {@code /* chrono-perf monitor *}{@code /}. */
    public static final String MARK = "/* chrono-perf */ ";

    /** The default analysis role (the analysis may be told another: its statements are EXPLAINs anyway). */
    public static final String ANALYSIS_ROLE = "chrono_perf_analyze";

    /**
     * A condition on a {@code pg_stat_statements} row aliased {@code s}: true for statements that
     * are not chrono-perf's own. No bind parameters, so it can be appended to any query.
     */
    public static final String NOT_OWN_SQL = "(s.query NOT LIKE '/* chrono-perf%'"
            + " AND s.query !~* '(\\mchrono_perf(\"?\\.|_)|\\mhypopg_)'"
            + " AND s.query !~* '^\\s*(/\\*.*?\\*/\\s*)*explain\\M'"
            + " AND s.userid IS DISTINCT FROM to_regrole('" + ANALYSIS_ROLE + "')::oid)";

    private static final Pattern OWN_TEXT = Pattern.compile(
            "(?is)^\\s*/\\* chrono-perf.*|.*\\b(chrono_perf(\"?\\.|_)|hypopg_).*|^\\s*(/\\*.*?\\*/\\s*)*explain\\b.*");

    private OwnStatements() {}

    /**
     * The data source with every statement marked on its way out (datasource-proxy's query
     * transformer): for the connections chrono-perf uses for its own work only (its migrations,
     * sampling, advice, task locks), never for the application's requests. Unwraps to the target
     * (a Hikari pool keeps reporting its figures).
     */
    public static DataSource marked(DataSource dataSource) {
        return ProxyDataSourceBuilder.create(dataSource)
                .name("chrono-perf-own")
                .queryTransformer(
                        info -> info.getQuery().startsWith("/* chrono-perf") ? info.getQuery() : MARK + info.getQuery())
                .build();
    }

    /** The statement with chrono-perf's mark in front. */
    public static String mark(String sql) {
        return MARK + sql;
    }

    /**
     * The same test as {@link #NOT_OWN_SQL} on a statement's text alone (for stored history,
     * which keeps no role): true when the text is chrono-perf's own.
     */
    public static boolean isOwn(String text) {
        return text != null && OWN_TEXT.matcher(text).matches();
    }
}
