package io.chronoperf.server.api;

import io.chronoperf.advisor.index.IndexAdvisor;
import io.chronoperf.advisor.index.IndexApplier;
import io.chronoperf.runtime.InvalidParameterException;
import io.chronoperf.runtime.Parameters;
import io.chronoperf.server.advisor.AdvisorService;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/admin/performance/indexes")
@Tag(
        name = "performance: indexes",
        description = "Workload-wide index advice from pg_stat_statements, hygiene, and apply with proof")
public class IndexController {
    private final io.chronoperf.server.watch.Databases databases;

    public IndexController(io.chronoperf.server.watch.Databases databases) {
        this.databases = databases;
    }

    @GetMapping("/recommendations")
    @Operation(
            summary =
                    "Indexes for the database's workload (pg_stat_statements, weighted by calls) under a storage budget"
                            + " (budget_mb 1 to 1048576, default 600; max_width 1 to 4, default 2; max_indexes 0 to "
                            + "100, 0 = no limit),"
                            + " verified by the planner (HypoPG or rolled-back builds), with index hygiene")
    public IndexAdvisor.Advice recommendations(
            @RequestParam(required = false) String database,
            @RequestParam(name = "budget_mb", required = false) Integer budgetMb,
            @RequestParam(name = "max_width", required = false) Integer maxWidth,
            @RequestParam(name = "max_indexes", required = false) Integer maxIndexes)
            throws SQLException {
        return databases.advisor(databases.resolve(database)).advise(options(budgetMb, maxWidth, maxIndexes));
    }

    /**
     * Body of an apply request: the confirmation, the advice's parameters, and optionally which of
     * its recommendations to create (their DDL as the advice printed it; all of them by default).
     */
    public record ApplyRequest(
            Boolean confirm, Integer budgetMb, Integer maxWidth, Integer maxIndexes, List<String> indexes) {}

    @PostMapping("/apply")
    @Operation(
            summary =
                    "Create the current recommendations (or the listed ones among them) with CREATE INDEX CONCURRENTLY,"
                            + " check each is valid, and time the read-only workload before and after; needs confirm: "
                            + "true (admin only)."
                            + " Never drops an index")
    public IndexApplier.Outcome apply(
            @RequestBody(required = false) ApplyRequest body, @RequestParam(required = false) String database)
            throws SQLException {
        AdvisorService advisor = databases.advisor(databases.resolve(database));
        if (body == null || !Boolean.TRUE.equals(body.confirm())) {
            throw new InvalidParameterException(
                    "confirm", "creating indexes changes the database: send \"confirm\": true to do it");
        }
        IndexAdvisor.Advice advice = advisor.advise(options(body.budgetMb(), body.maxWidth(), body.maxIndexes()));
        List<IndexAdvisor.Recommendation> chosen = new ArrayList<>();
        if (body.indexes() == null || body.indexes().isEmpty()) {
            chosen.addAll(advice.indexes());
        } else {
            for (String ddl : body.indexes()) {
                IndexAdvisor.Recommendation r = advice.indexes().stream()
                        .filter(x -> x.ddl().equals(ddl))
                        .findFirst()
                        .orElseThrow(() -> new InvalidParameterException(
                                "indexes",
                                "not a current recommendation: " + ddl
                                        + " (GET indexes/recommendations lists them; only those can be applied)"));
                chosen.add(r);
            }
        }
        if (chosen.isEmpty()) {
            throw new InvalidParameterException(
                    "indexes", "there is nothing to apply: the advice recommends no index for this workload");
        }
        return advisor.apply(chosen);
    }

    private static IndexAdvisor.Options options(Integer budgetMb, Integer maxWidth, Integer maxIndexes) {
        int budget = Parameters.range("budget_mb", budgetMb, 1, 1 << 20, 600);
        int width = Parameters.range("max_width", maxWidth, 1, 4, 2);
        int count = Parameters.range("max_indexes", maxIndexes, 0, 100, 0);
        IndexAdvisor.Options d = IndexAdvisor.Options.DEFAULT;
        return new IndexAdvisor.Options(
                (long) budget << 20, width, count, d.minImprovementPct(), d.maxTableBytes(), d.unusedIndexMin());
    }
}
