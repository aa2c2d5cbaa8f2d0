package io.chronoperf.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.chronoperf.advisor.index.Workload;
import io.chronoperf.advisor.nplusone.StatStatementsSuspects;
import io.chronoperf.monitor.History;
import io.chronoperf.monitor.StatementSummary;
import io.chronoperf.runtime.OwnStatements;
import io.chronoperf.server.ServerFixture.Response;
import io.chronoperf.server.monitor.MonitorService;
import io.chronoperf.server.schedule.TasksConfig.BackgroundTasks;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/**
 * chrono-perf's own statements (samples, EXPLAIN ANALYZE of the analysis, the what-if and the
 * advisor, history writes, ShedLock) never appear in what it shows of the database: slow queries,
 * the statement history behind trends, the health score's statement counts, the advisor's
 * workload and the N+1 suspects. Before, the analysis's EXPLAIN runs filled the slow-query list.
 */
class OwnStatementsTest {
    @RegisterExtension
    static final ServerFixture server = new ServerFixture();

    @Test
    void after_the_analysis_the_advisor_and_optimize_the_lists_hold_only_the_applications_statements()
            throws Exception {
        BackgroundTasks tasks = server.bean(BackgroundTasks.class);
        Instant from = Instant.now();
        try (Connection c = server.database().dataSource().getConnection();
                Statement s = c.createStatement()) {
            s.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
        }
        tasks.sample();
        try (Connection c = server.database().dataSource().getConnection();
                Statement s = c.createStatement()) {
            for (int i = 0; i < 3; i++) {
                s.execute("SELECT pg_sleep(0.25), 'the application''s slow statement'");
            }
        }
        String admin = server.token("admin");
        for (String sql : List.of(
                "SELECT count(*) FROM generate_series(1, 1500000) g",
                "SELECT * FROM users WHERE full_name LIKE '%a%' ORDER BY risk_score DESC LIMIT 20",
                "SELECT count(*) FROM audit_logs WHERE details->>'reason' = 'x'")) {
            Response r = server.post(
                    "/api/v1/admin/performance/query/analyze",
                    "{\"query\": \"" + sql.replace("\"", "\\\"") + "\"}",
                    admin);
            assertThat(r.status()).as(r.body()).isEqualTo(200);
        }
        assertThat(server.get("/api/v1/admin/performance/indexes/recommendations?budget_mb=100", admin)
                        .status())
                .isEqualTo(200);
        assertThat(server.post("/api/v1/admin/performance/system/optimize", "{\"force\": true}", admin)
                        .status())
                .isEqualTo(200);
        tasks.analysis();
        tasks.sample();

        Response slow = server.get("/api/v1/admin/performance/database/slow-queries?hours=1", admin);
        assertThat(slow.status()).isEqualTo(200);
        List<String> slowTexts = texts(slow.json().get("queries"));
        assertThat(slowTexts).isNotEmpty();
        assertThat(slowTexts.get(0)).contains("pg_sleep");
        assertThat(slowTexts).noneMatch(OwnStatementsTest::looksOwn);

        MonitorService monitor = server.bean(MonitorService.class);
        try (Connection c = server.database().dataSource().getConnection()) {
            List<History.StatementDelta> deltas =
                    monitor.history().statementDeltas(c, from, Instant.now().plusSeconds(1));
            assertThat(deltas).isNotEmpty().noneMatch(d -> looksOwn(d.query()));
            // the same filter straight on pg_stat_statements: what the score and the advisor read
            Workload workload = Workload.fromStatStatements(c, 500);
            assertThat(workload.queries()).isNotEmpty().noneMatch(q -> looksOwn(q.sql()));
            assertThat(StatStatementsSuspects.find(c, 1, 500).suspects()).noneMatch(q -> looksOwn(q.query()));
            try (Statement s = c.createStatement();
                    var rs = s.executeQuery(
                            "SELECT count(*) FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid"
                                    + " WHERE d.datname = current_database() AND NOT " + OwnStatements.NOT_OWN_SQL)) {
                rs.next();
                assertThat(rs.getLong(1))
                        .as("own statements are in pg_stat_statements, recognised")
                        .isPositive();
            }
            StatementSummary summary = StatementSummary.of(c);
            assertThat(summary.available()).isTrue();
        }
    }

    private static boolean looksOwn(String text) {
        String t = text.toLowerCase(java.util.Locale.ROOT);
        return t.contains("explain")
                || t.contains("chrono_perf")
                || t.contains("chrono-perf")
                || t.contains("hypopg")
                || t.contains("shedlock");
    }

    private static List<String> texts(JsonNode queries) {
        List<String> out = new ArrayList<>();
        queries.forEach(q -> out.add(q.get("statement").get("query").asString()));
        return out;
    }
}
