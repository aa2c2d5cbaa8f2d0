package io.chronoperf.server.api;

import io.chronoperf.advisor.analyze.QueryAnalyzer;
import io.chronoperf.runtime.InvalidParameterException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/admin/performance/query")
@Tag(
        name = "performance: queries",
        description = "Safe analysis of one statement: EXPLAIN ANALYZE when proven read-only")
public class QueryAnalysisController {

    private final io.chronoperf.server.watch.Databases databases;

    public QueryAnalysisController(io.chronoperf.server.watch.Databases databases) {
        this.databases = databases;
    }

    /**
     * Body of an analysis: params are positional values for $1..$n, as a list, or an object keyed
     * by position ({"1": 42}) as in the seed's example.
     */
    public record AnalyzeRequest(String query, Object params, Double executionTimeMs) {}

    @PostMapping("/analyze")
    @Operation(
            summary = "Analyse one statement (admin only): fingerprint, plan summary, findings with rule ids;"
                    + " executed under EXPLAIN ANALYZE only when proven read-only, in a rolled-back READ ONLY "
                    + "transaction")
    public QueryAnalyzer.Analysis analyze(
            @RequestBody(required = false) AnalyzeRequest body, @RequestParam(required = false) String database) {
        QueryAnalyzer on = databases.analyzer(databases.resolve(database));
        if (body == null || body.query() == null || body.query().isBlank()) {
            throw new InvalidParameterException(
                    "query",
                    "query is required, e.g. {\"query\": \"SELECT * FROM users WHERE id = $1\", \"params\": [1]}");
        }
        if (body.query().length() > QueryAnalyzer.MAX_SQL) {
            throw new InvalidParameterException(
                    "query",
                    "query is " + body.query().length() + " characters long; at most " + QueryAnalyzer.MAX_SQL
                            + " are analysed");
        }
        return on.analyze(body.query(), params(body.params()), body.executionTimeMs());
    }

    private static List<Object> params(Object raw) {
        if (raw == null) {
            return List.of();
        }
        if (raw instanceof List<?> list) {
            return new ArrayList<>(list);
        }
        if (raw instanceof Map<?, ?> map) {
            TreeMap<Integer, Object> byPosition = new TreeMap<>();
            for (Map.Entry<?, ?> e : map.entrySet()) {
                try {
                    byPosition.put(Integer.parseInt(String.valueOf(e.getKey()).replace("$", "")), e.getValue());
                } catch (NumberFormatException bad) {
                    throw new InvalidParameterException(
                            "params", "params keys must be positions (\"1\", \"2\"...), not '" + e.getKey() + "'");
                }
            }
            List<Object> out = new ArrayList<>();
            int expected = 1;
            for (Map.Entry<Integer, Object> e : byPosition.entrySet()) {
                if (e.getKey() != expected++) {
                    throw new InvalidParameterException("params", "params positions must be 1..n without gaps");
                }
                out.add(e.getValue());
            }
            return out;
        }
        throw new InvalidParameterException("params", "params must be a list of values or an object keyed by position");
    }
}
