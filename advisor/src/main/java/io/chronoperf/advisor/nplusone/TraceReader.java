package io.chronoperf.advisor.nplusone;

import java.io.BufferedReader;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads statement traces as JSON lines, one statement a line:
 * {@code {"unit": "req-42", "seq": 3, "sql": "...", "params": [17], "duration_ms": 0.8, "rows": 12,
 * "site": "com.acme.ProjectService.list:88", "stack": ["..."], "ts": "..."}}. unit, seq, sql and
 * duration_ms are required. A malformed line is reported with its number and skipped; reading
 * never stops at one.
 */
public final class TraceReader {
    private static final int MAX_SQL = 100_000;
    private final ObjectMapper mapper = JsonMapper.builder().build();

    /** The statements by unit (in seq order) and the problems found, one line each. */
    public record Result(Map<String, List<TraceStatement>> units, List<String> errors, int lines) {}

    public Result read(BufferedReader in) throws IOException {
        Map<String, List<TraceStatement>> units = new LinkedHashMap<>();
        List<String> errors = new ArrayList<>();
        String line;
        int number = 0;
        while ((line = in.readLine()) != null) {
            number++;
            if (line.isBlank()) {
                continue;
            }
            try {
                TraceStatement s = parse(mapper.readTree(line));
                units.computeIfAbsent(s.unit(), k -> new ArrayList<>()).add(s);
            } catch (JacksonException e) {
                errors.add("line " + number + ": not valid JSON (" + e.getOriginalMessage() + ")");
            } catch (IllegalArgumentException e) {
                errors.add("line " + number + ": " + e.getMessage());
            }
        }
        units.values().forEach(list -> list.sort(Comparator.comparingLong(TraceStatement::seq)));
        return new Result(units, errors, number);
    }

    private static TraceStatement parse(JsonNode n) {
        if (!n.isObject()) {
            throw new IllegalArgumentException("expected a JSON object");
        }
        String unit = requiredText(n, "unit", 200);
        JsonNode seq = n.get("seq");
        if (seq == null || !seq.isIntegralNumber()) {
            throw new IllegalArgumentException("seq is required and must be a whole number");
        }
        String sql = requiredText(n, "sql", MAX_SQL);
        JsonNode duration = n.get("duration_ms");
        if (duration == null || !duration.isNumber() || duration.asDouble() < 0) {
            throw new IllegalArgumentException("duration_ms is required and must be a number >= 0");
        }
        List<Object> params = null;
        JsonNode p = n.get("params");
        if (p != null && !p.isNull()) {
            if (!p.isArray()) {
                throw new IllegalArgumentException("params must be an array");
            }
            params = new ArrayList<>();
            for (JsonNode v : p) {
                params.add(
                        v.isNull()
                                ? null
                                : v.isIntegralNumber()
                                        ? (Object) v.asLong()
                                        : v.isNumber()
                                                ? v.asDouble()
                                                : v.isBoolean()
                                                        ? v.asBoolean()
                                                        : v.isString() ? v.asString() : v.toString());
            }
        }
        JsonNode rows = n.get("rows");
        if (rows != null && !rows.isNull() && !rows.isIntegralNumber()) {
            throw new IllegalArgumentException("rows must be a whole number");
        }
        JsonNode site = n.get("site");
        JsonNode stack = n.get("stack");
        String stackHash = stack != null && stack.isArray()
                ? Integer.toHexString(stack.toString().hashCode())
                : null;
        return new TraceStatement(
                unit,
                seq.asLong(),
                sql,
                params,
                duration.asDouble(),
                rows == null || rows.isNull() ? null : rows.asInt(),
                site == null || site.isNull() ? null : site.asString(),
                stackHash);
    }

    private static String requiredText(JsonNode n, String field, int max) {
        JsonNode v = n.get(field);
        if (v == null || !v.isString() || v.asString().isBlank()) {
            throw new IllegalArgumentException(field + " is required and must be a non-empty string");
        }
        if (v.asString().length() > max) {
            throw new IllegalArgumentException(field + " is longer than " + max + " characters");
        }
        return v.asString();
    }
}
