package io.chronoperf.advisor.nplusone;

import io.chronoperf.advisor.Fingerprint;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds N+1 queries, duplicates, batchable writes and repeated patterns in the statements of one
 * unit (definitions in docs/n-plus-one.md). Groups are keyed by fingerprint and call site, so
 * interleaving other statements does not hide a loop, and the same query from two places is two
 * groups. Stateless and thread-safe.
 */
public final class Detector {
    /** How many repetitions make a finding: 3 by default, as in the definitions. */
    public record Thresholds(int minRepeats, int minPatternRepeats) {
        public static final Thresholds DEFAULT = new Thresholds(3, 3);

        public Thresholds {
            if (minRepeats < 2 || minPatternRepeats < 2) {
                throw new IllegalArgumentException("thresholds must be at least 2");
            }
        }
    }

    private static final Pattern EQUALS_PARAM = Pattern.compile("([A-Za-z_][A-Za-z0-9_.\"]*)\\s*=\\s*(\\?|\\$\\d+)");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\?|\\$\\d+");

    private final Thresholds thresholds;

    public Detector(Thresholds thresholds) {
        this.thresholds = thresholds;
    }

    public List<Finding> detect(List<TraceStatement> unit) {
        if (unit.isEmpty()) {
            return List.of();
        }
        List<String> fps = unit.stream().map(s -> Fingerprint.of(s.sql())).toList();
        Map<String, List<Integer>> groups = new LinkedHashMap<>();
        for (int i = 0; i < unit.size(); i++) {
            groups.computeIfAbsent(
                            fps.get(i) + "\u0000" + Objects.toString(unit.get(i).site(), ""), k -> new ArrayList<>())
                    .add(i);
        }
        List<Finding> findings = new ArrayList<>();
        Set<Integer> explained = new HashSet<>();
        for (List<Integer> group : groups.values()) {
            String fp = fps.get(group.get(0));
            String kind = Fingerprint.kind(fp);
            if (group.size() < thresholds.minRepeats()) {
                continue;
            }
            if (kind.equals("select") && !isPagination(fp) && distinctValues(unit, group) >= 2) {
                findings.add(nPlusOne(unit, fps, group));
                explained.addAll(group);
            } else if (!kind.equals("select") && !kind.equals("other") && singleRow(unit, group, fp)) {
                findings.add(batchable(unit, group, fp));
                explained.addAll(group);
            }
        }
        findings.addAll(duplicates(unit, fps));
        findings.addAll(patterns(unit, fps, explained));
        return findings;
    }

    /** Paging through an ordered result (ORDER BY ... LIMIT) repeats one query by design. */
    private static boolean isPagination(String fp) {
        return fp.contains(" order by ") && fp.contains(" limit");
    }

    /** Distinct parameter lists (or raw texts, when parameters were not recorded). */
    private static long distinctValues(List<TraceStatement> unit, List<Integer> group) {
        return group.stream()
                .map(i -> unit.get(i).params() != null
                        ? (Object) unit.get(i).params()
                        : unit.get(i).sql())
                .distinct()
                .count();
    }

    private static boolean singleRow(List<TraceStatement> unit, List<Integer> group, String fp) {
        if (fp.startsWith("insert") && fp.contains(" select ")) {
            return false; // INSERT ... SELECT is already set-based
        }
        return group.stream()
                .allMatch(i -> unit.get(i).rows() == null || unit.get(i).rows() <= 1);
    }

    private Finding nPlusOne(List<TraceStatement> unit, List<String> fps, List<Integer> group) {
        TraceStatement first = unit.get(group.get(0));
        double total = total(unit, group);
        String source = null;
        for (int i = group.get(0) - 1; i >= 0; i--) {
            TraceStatement s = unit.get(i);
            if (!fps.get(i).equals(fps.get(group.get(0)))
                    && Fingerprint.kind(fps.get(i)).equals("select")
                    && (s.rows() == null || s.rows() >= 2)) {
                source = s.sql(); // the nearest earlier multi-row read: its rows likely fed the loop
                break;
            }
        }
        String rewrite = batchedRewrite(first.sql(), varyingParameter(unit, group));
        String suggestion = "Run the " + group.size() + " lookups as one query: " + rewrite
                + (source == null
                        ? ""
                        : ", binding the keys from the earlier query (or JOIN it: one query instead of "
                                + (group.size() + 1) + ")");
        return new Finding(
                first.unit(),
                Finding.N_PLUS_ONE,
                first.sql(),
                fps.get(group.get(0)),
                first.site(),
                group.size(),
                total,
                suggestion,
                source,
                group.size() - 1,
                total - max(unit, group));
    }

    private Finding batchable(List<TraceStatement> unit, List<Integer> group, String fp) {
        TraceStatement first = unit.get(group.get(0));
        double total = total(unit, group);
        String how = fp.startsWith("insert")
                ? "one multi-row INSERT ... VALUES (...), (...) or INSERT ... SELECT FROM unnest(?)"
                : fp.startsWith("update")
                        ? "one UPDATE ... FROM unnest(?::bigint[], ?::text[]) AS v(id, value) WHERE t.id = v.id"
                        : "one DELETE ... WHERE id = ANY(?)";
        return new Finding(
                first.unit(),
                Finding.BATCHABLE_WRITE,
                first.sql(),
                fp,
                first.site(),
                group.size(),
                total,
                "Write the " + group.size() + " rows with " + how + " (or a JDBC batch)",
                null,
                group.size() - 1,
                total - max(unit, group));
    }

    private List<Finding> duplicates(List<TraceStatement> unit, List<String> fps) {
        Map<String, List<Integer>> same = new LinkedHashMap<>();
        for (int i = 0; i < unit.size(); i++) {
            TraceStatement s = unit.get(i);
            if (!Fingerprint.kind(fps.get(i)).equals("select")) {
                continue; // repeating a write is not a reusable result
            }
            String values = s.params() != null ? s.params().toString() : s.sql();
            same.computeIfAbsent(fps.get(i) + "\u0000" + values, k -> new ArrayList<>())
                    .add(i);
        }
        List<Finding> out = new ArrayList<>();
        for (List<Integer> group : same.values()) {
            if (group.size() > 1) {
                TraceStatement first = unit.get(group.get(0));
                double total = total(unit, group);
                out.add(new Finding(
                        first.unit(),
                        Finding.DUPLICATE,
                        first.sql(),
                        fps.get(group.get(0)),
                        first.site(),
                        group.size(),
                        total,
                        "The same query with the same values ran " + group.size()
                                + " times: keep the first result (a local variable, or the request-scoped cache)",
                        null,
                        group.size() - 1,
                        total - total / group.size()));
            }
        }
        return out;
    }

    /** Blocks of 2 to 5 statements repeated consecutively, unless N+1 or batch findings already explain them. */
    private List<Finding> patterns(List<TraceStatement> unit, List<String> fps, Set<Integer> explained) {
        List<Finding> out = new ArrayList<>();
        int i = 0;
        while (i < fps.size()) {
            boolean found = false;
            for (int len = 2; len <= 5 && !found; len++) {
                int reps = 1;
                while (i + len * (reps + 1) <= fps.size()
                        && fps.subList(i, i + len).equals(fps.subList(i + len * reps, i + len * (reps + 1)))) {
                    reps++;
                }
                if (reps >= thresholds.minPatternRepeats()
                        && fps.subList(i, i + len).stream().distinct().count() > 1) {
                    List<Integer> members = new ArrayList<>();
                    for (int k = i; k < i + len * reps; k++) {
                        members.add(k);
                    }
                    if (!explained.containsAll(members)) {
                        TraceStatement first = unit.get(i);
                        double total = total(unit, members);
                        out.add(new Finding(
                                first.unit(),
                                Finding.REPEATED_PATTERN,
                                first.sql(),
                                String.join(" ; ", fps.subList(i, i + len)),
                                first.site(),
                                reps,
                                total,
                                "The same " + len + " statements ran " + reps + " times in a row: fetch each kind once"
                                        + " for all iterations (ANY(?) lookups, one batched write)",
                                null,
                                (len * reps) - len,
                                total - total / reps));
                    }
                    i += len * reps;
                    found = true;
                }
            }
            if (!found) {
                i++;
            }
        }
        return out;
    }

    /** The position of the parameter whose value changes across the group (or 0). */
    private static int varyingParameter(List<TraceStatement> unit, List<Integer> group) {
        List<Object> first = unit.get(group.get(0)).params();
        if (first == null) {
            return 0;
        }
        for (int p = 0; p < first.size(); p++) {
            for (int i : group) {
                List<Object> other = unit.get(i).params();
                if (other != null && p < other.size() && !Objects.equals(other.get(p), first.get(p))) {
                    return p;
                }
            }
        }
        return 0;
    }

    /** {@code col = ?} of the varying placeholder becomes {@code col = ANY(?)}, bound to an array of the keys. */
    static String batchedRewrite(String sql, int parameter) {
        Matcher ph = PLACEHOLDER.matcher(sql);
        int position = -1;
        for (int k = 0; k <= parameter && ph.find(); k++) {
            position = ph.start();
        }
        Matcher eq = EQUALS_PARAM.matcher(sql);
        while (eq.find()) {
            if (eq.start(2) == position) {
                return sql.substring(0, eq.start()) + eq.group(1) + " = ANY(" + eq.group(2) + ")"
                        + sql.substring(eq.end());
            }
        }
        return "WHERE <key> = ANY(?) over the keys of the loop";
    }

    private static double total(List<TraceStatement> unit, List<Integer> group) {
        return group.stream().mapToDouble(i -> unit.get(i).durationMs()).sum();
    }

    private static double max(List<TraceStatement> unit, List<Integer> group) {
        return group.stream().mapToDouble(i -> unit.get(i).durationMs()).max().orElse(0);
    }
}
