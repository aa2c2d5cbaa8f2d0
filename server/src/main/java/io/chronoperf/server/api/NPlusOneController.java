package io.chronoperf.server.api;

import io.chronoperf.admin.repository.Bounds;
import io.chronoperf.server.nplusone.NPlusOneLog;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.time.Duration;
import java.util.List;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/admin/performance/query")
@Tag(name = "performance: queries", description = "N+1 findings of the server's own requests")
public class NPlusOneController {
    private final NPlusOneLog log;

    public NPlusOneController(NPlusOneLog log) {
        this.log = log;
    }

    /** The findings of a window, grouped by kind, query and call site. */
    public record Report(int hours, long unitsChecked, long statementsChecked, List<NPlusOneLog.Summary> findings) {
    }

    @GetMapping("/n-plus-one")
    @Operation(summary = "N+1 queries, duplicates, batchable writes and repeated patterns seen in the last hours"
            + " (1 to 168), with occurrences, endpoints and the suggested fix")
    public Report nPlusOne(@RequestParam(required = false) Integer hours) {
        int h = Bounds.range("hours", hours, 1, 168, 24);
        return new Report(h, log.unitsChecked(), log.statementsChecked(), log.summary(Duration.ofHours(h)));
    }
}
