package io.chronoperf.server.api;

import io.chronoperf.advisor.nplusone.StatStatementsSuspects;
import io.chronoperf.runtime.Parameters;
import io.chronoperf.server.nplusone.NPlusOneLog;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import javax.sql.DataSource;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/admin/performance/query")
@Tag(name = "performance: queries", description = "N+1 findings of the server's own requests")
public class NPlusOneController {
    private final NPlusOneLog log;
    private final DataSource dataSource;

    public NPlusOneController(NPlusOneLog log, DataSource dataSource) {
        this.log = log;
        this.dataSource = dataSource;
    }

    /**
     * The findings of a window, grouped by kind, query and call site, from every server process on
     * this database, and the likely N+1 sources of other applications of the same database (from
     * pg_stat_statements).
     */
    public record Report(
            int hours,
            long unitsChecked,
            long statementsChecked,
            List<NPlusOneLog.Summary> findings,
            StatStatementsSuspects.Result otherApplications) {}

    @GetMapping("/n-plus-one")
    @Operation(
            summary = "N+1 queries, duplicates, batchable writes and repeated patterns seen in the last hours"
                    + " (1 to 168), with occurrences, endpoints and the suggested fix; and frequent one-key lookups of "
                    + "other"
                    + " applications from pg_stat_statements (min_calls, default 1000)")
    public Report nPlusOne(
            @RequestParam(required = false) Integer hours,
            @RequestParam(name = "min_calls", required = false) Integer minCalls)
            throws SQLException {
        int h = Parameters.range("hours", hours, 1, 168, 24);
        int calls = Parameters.range("min_calls", minCalls, 10, 1_000_000_000, 1_000);
        StatStatementsSuspects.Result others;
        try (Connection c = dataSource.getConnection()) {
            others = StatStatementsSuspects.find(c, calls, 20);
        }
        Duration window = Duration.ofHours(h);
        NPlusOneLog.Checks checked = log.checks(window);
        return new Report(h, checked.units(), checked.statements(), log.summary(window), others);
    }
}
