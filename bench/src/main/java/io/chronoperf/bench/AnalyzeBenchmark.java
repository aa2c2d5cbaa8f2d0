package io.chronoperf.bench;

import io.chronoperf.advisor.analyze.QueryAnalyzer;
import java.util.List;
import java.util.Locale;

/**
 * The analysis's own cost: admin queries with values, each analysed repeatedly; the overhead is
 * the wall time of an analysis minus the statement's execution time that EXPLAIN ANALYZE reports
 * (so it includes the dedicated connection, the safety check, parsing, rules and what-ifs).
 */
public final class AnalyzeBenchmark {
    static final List<String> QUERIES = List.of(
            "SELECT id, email FROM users WHERE approval_status = 'pending' ORDER BY created_at LIMIT 50",
            "SELECT * FROM users WHERE email = 'james.smith.10@example.com'",
            "SELECT count(*) FROM audit_logs WHERE created_at > now() - interval '1 hour'",
            "SELECT category, count(*) FROM audit_logs WHERE created_at > now() - interval '24 hours' GROUP BY category",
            "SELECT * FROM audit_logs WHERE admin_user_id = 3 ORDER BY created_at DESC LIMIT 50",
            "SELECT host(ip_address), count(*) FROM security_events WHERE created_at > now() - interval '24 hours' GROUP BY 1 ORDER BY 2 DESC LIMIT 20",
            "SELECT * FROM security_events WHERE risk_score > 90 ORDER BY risk_score DESC, created_at DESC LIMIT 50",
            "SELECT p.id, p.name, pg.url FROM projects p JOIN pages pg ON pg.project_id = p.id WHERE p.user_id = 1234",
            "SELECT * FROM backup_executions WHERE status = 'failed' ORDER BY created_at DESC LIMIT 20",
            "SELECT id FROM users WHERE lower(full_name) LIKE '%garcia%' LIMIT 20");

    private final QueryAnalyzer analyzer;

    public AnalyzeBenchmark(QueryAnalyzer analyzer) {
        this.analyzer = analyzer;
    }

    public String run(int rounds) {
        for (String q : QUERIES) { // warm-up
            analyzer.analyze(q, List.of(), null);
        }
        long[] overhead = new long[QUERIES.size() * rounds];
        int k = 0;
        for (int r = 0; r < rounds; r++) {
            for (String q : QUERIES) {
                long t = System.nanoTime();
                QueryAnalyzer.Analysis a = analyzer.analyze(q, List.of(), null);
                long wall = System.nanoTime() - t;
                double exec = a.planSummary() == null || a.planSummary().executionMs() == null ? 0 : a.planSummary().executionMs();
                overhead[k++] = Math.max(0, wall - (long) (exec * 1e6));
            }
        }
        Percentiles p = new Percentiles(overhead);
        return String.format(Locale.ROOT, "analysis overhead over %d analyses of %d admin queries: p50 %.1f ms, p95 %.1f ms,"
                + " p99 %.1f ms (goal p95 <= 50 ms)%n", overhead.length, QUERIES.size(), p.p(50), p.p(95), p.p(99));
    }
}
