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
            "SELECT category, count(*) FROM audit_logs WHERE created_at > now() - interval '24 hours' GROUP BY "
                    + "category",
            "SELECT * FROM audit_logs WHERE admin_user_id = 3 ORDER BY created_at DESC LIMIT 50",
            "SELECT host(ip_address), count(*) FROM security_events WHERE created_at > now() - interval '24 hours' "
                    + "GROUP BY 1 ORDER BY 2 DESC LIMIT 20",
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
                double exec = a.planSummary() == null || a.planSummary().executionMs() == null
                        ? 0
                        : a.planSummary().executionMs();
                overhead[k++] = Math.max(0, wall - (long) (exec * 1e6));
            }
        }
        Percentiles p = new Percentiles(overhead);
        return String.format(
                Locale.ROOT,
                "analysis overhead over %d analyses of %d admin queries: p50 %.1f ms, p95 %.1f ms,"
                        + " p99 %.1f ms (goal p95 <= 50 ms)%n",
                overhead.length,
                QUERIES.size(),
                p.p(50),
                p.p(95),
                p.p(99));
    }

    /**
     * Analyses up to {@code limit} distinct statements taken from pg_stat_statements (normalized,
     * with $n and no values). With {@code fill}, first runs that many distinct admin query shapes
     * once each, so that a fresh database has them to offer.
     */
    public String runStatStatements(QueryAnalyzer.ConnectionSource source, int limit, boolean fill)
            throws java.sql.SQLException {
        try (java.sql.Connection c = source.open();
                java.sql.Statement s = c.createStatement()) {
            s.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
            if (fill) {
                String[] tables = {"users", "audit_logs", "security_events", "backup_executions", "projects", "pages"};
                String[][] columns = {
                    {"id", "email", "risk_score", "created_at", "approval_status"},
                    {"id", "category", "severity", "action", "created_at"},
                    {"id", "event_type", "risk_score", "ip_address", "created_at"},
                    {"id", "status", "size_bytes", "backup_id", "created_at"},
                    {"id", "name", "status", "user_id", "created_at"},
                    {"id", "url", "status", "project_id", "created_at"}
                };
                int made = 0;
                for (int t = 0; t < tables.length && made < limit; t++) {
                    for (int mask = 1; mask < 32 && made < limit; mask++) {
                        for (int w = 0; w < 6 && made < limit; w++) {
                            StringBuilder cols = new StringBuilder();
                            for (int b = 0; b < 5; b++) {
                                if ((mask & (1 << b)) != 0) {
                                    cols.append(cols.length() == 0 ? "" : ", ").append(columns[t][b]);
                                }
                            }
                            String where = switch (w) {
                                case 0 -> "id = 42";
                                case 1 -> "id > 100 ORDER BY id LIMIT 10";
                                case 2 -> "created_at > now() - interval '1 hour' LIMIT 20";
                                case 3 -> "id BETWEEN 10 AND 20";
                                case 4 -> "id IN (1, 2, 3)";
                                default -> "id < 5";
                            };
                            s.execute("SELECT " + cols + " FROM " + tables[t] + " WHERE "
                                    + where); // our own fixed shapes
                            made++;
                        }
                    }
                }
            }
        }
        List<String> statements = new java.util.ArrayList<>();
        try (java.sql.Connection c = source.open();
                java.sql.PreparedStatement ps = c.prepareStatement("""
                SELECT query FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
                 WHERE d.datname = current_database() AND query ~* '^\\s*select' ORDER BY calls DESC LIMIT ?""")) {
            ps.setInt(1, limit);
            try (java.sql.ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    statements.add(rs.getString(1));
                }
            }
        }
        int planned = 0;
        int executed = 0;
        int refused = 0;
        long start = System.nanoTime();
        for (String q : statements) {
            try {
                QueryAnalyzer.Analysis a = analyzer.analyze(q, List.of(), null);
                if (a.planSummary() != null) {
                    planned++;
                }
                if (a.executed()) {
                    executed++;
                }
            } catch (io.chronoperf.advisor.analyze.InvalidQueryException e) {
                refused++;
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return String.format(
                Locale.ROOT,
                "%d distinct statements from pg_stat_statements analysed in %.1f s (goal <= 60 s):"
                        + " %d planned (%d executed), %d refused%n",
                statements.size(),
                seconds,
                planned,
                executed,
                refused);
    }
}
