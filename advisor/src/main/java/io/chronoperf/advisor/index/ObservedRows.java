package io.chronoperf.advisor.index;

import io.chronoperf.advisor.analyze.QueryAnalyzer;
import io.chronoperf.advisor.analyze.RepresentativeValues;
import io.chronoperf.runtime.OwnStatements;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What the workload did beats what the planner guesses. A normalized statement is costed with a
 * generic plan, whose row estimate is the planner's average over every value; pg_stat_statements
 * says how many rows the statement really returned a call. When the two are ten times apart or
 * more, the statement is planned with values from pg_stats of each {@link RepresentativeValues.Kind}
 * and costed with those whose estimate comes closest to the observed rows (if much closer than the
 * generic one), so that an index the real calls need is found even when the generic estimate hides
 * it (pgbench: {@code abalance = $1} returns 0.05 rows a call where the generic plan expects all
 * 500,000, since the statistics say the column holds one value). Each such statement is reported
 * with a diagnosis: stale statistics (with the ANALYZE to run) or skew.
 */
public final class ObservedRows {
    /** Estimates this many orders of magnitude from the observed rows are misses (10x). */
    static final double MISS_ORDERS = 1.0;
    /** A table with this share of its rows changed since its last ANALYZE has stale statistics. */
    static final double STALE_SHARE = 0.1;

    private ObservedRows() {}

    /**
     * A statement whose generic estimate is far from what it did.
     *
     * @param plannedWith the kind of values it was costed with instead of the generic plan (lower case), or
     *                    null when no values came closer
     * @param plannedRows the row estimate of the plan it was costed with
     * @param diagnosis   why, as a person would say it, with the command that fixes it when there is one
     */
    public record Miss(
            String query,
            String sql,
            double estimatedRows,
            double observedRows,
            String plannedWith,
            Double plannedRows,
            String diagnosis) {}

    /** The plan to cost, and the miss when there was one. */
    record Fit(QueryAnalyzer.Plannable plan, Miss miss) {}

    /**
     * The plan that fits the statement's observed rows: the generic one when its estimate is within
     * ten times of them (or nothing was observed), values of the closest kind otherwise.
     */
    static Fit fit(Connection c, Workload.Query q, QueryAnalyzer.Plannable generic, List<String> tables)
            throws SQLException {
        if (q.observed() == null || generic.genericParams() == 0 || q.observed().calls() == 0) {
            return new Fit(generic, null);
        }
        double observed = q.observed().rowsPerCall();
        double estimated = rows(c, generic);
        double genericDistance = distance(estimated, observed);
        if (genericDistance < MISS_ORDERS) {
            return new Fit(generic, null);
        }
        QueryAnalyzer.Plannable best = null;
        RepresentativeValues.Kind bestKind = null;
        double bestRows = estimated;
        double bestDistance = genericDistance;
        for (RepresentativeValues.Kind kind : RepresentativeValues.Kind.values()) {
            QueryAnalyzer.Plannable p;
            double r;
            try {
                p = QueryAnalyzer.plannableWith(c, q.sql(), kind);
                if (p == null) {
                    continue;
                }
                r = rows(c, p);
            } catch (SQLException | RuntimeException noPlan) {
                continue; // a value the column's type refuses: another kind may do
            }
            double d = distance(r, observed);
            if (d < bestDistance - 0.5) { // at least ~3x closer than the generic estimate
                best = p;
                bestKind = kind;
                bestRows = r;
                bestDistance = d;
            }
        }
        String diagnosis = diagnose(c, tables, estimated, observed, bestKind);
        Miss miss = new Miss(
                q.id(),
                q.sql(),
                round(estimated),
                round(observed),
                bestKind == null ? null : bestKind.name().toLowerCase(Locale.ROOT),
                best == null ? null : round(bestRows),
                diagnosis);
        return new Fit(best == null ? generic : best, miss);
    }

    private static String diagnose(
            Connection c, List<String> tables, double estimated, double observed, RepresentativeValues.Kind kind)
            throws SQLException {
        List<String> stale = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(OwnStatements.MARK + """
                SELECT schemaname || '.' || relname, n_mod_since_analyze, n_live_tup,
                       greatest(last_analyze, last_autoanalyze)
                  FROM pg_catalog.pg_stat_user_tables
                 WHERE relid = ANY (SELECT to_regclass(t)::oid FROM unnest(?::text[]) t)""")) {
            ps.setArray(1, c.createArrayOf("text", tables.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long changed = rs.getLong(2);
                    long live = Math.max(1, rs.getLong(3));
                    if (rs.getTimestamp(4) == null || changed >= STALE_SHARE * live) {
                        stale.add(String.format(
                                Locale.ROOT,
                                "%s (%,d rows changed since %s, of %,d)",
                                rs.getString(1),
                                changed,
                                rs.getTimestamp(4) == null ? "it was never analyzed" : "its last ANALYZE",
                                live));
                    }
                }
            }
        }
        String what = String.format(
                Locale.ROOT,
                "the planner expects %s rows a call for any value, the workload got %s",
                human(estimated),
                human(observed));
        String costed = kind == null
                ? "; no value from the statistics comes closer, so it is costed generically"
                : "; costed with " + kind.name().toLowerCase(Locale.ROOT) + " values from pg_stats, which come closer";
        if (!stale.isEmpty()) {
            return "stale statistics: " + what + costed + ". Statistics of " + String.join(", ", stale)
                    + " are out of date; run: ANALYZE "
                    + String.join(
                            ", ",
                            stale.stream()
                                    .map(s -> s.substring(0, s.indexOf(' ')))
                                    .toList())
                    + ";";
        }
        return "skew: " + what + costed
                + ". The values this statement is called with are "
                + (observed < estimated ? "rarer" : "commoner")
                + " than the column's average; a generic plan (prepared statements after five calls) fits them badly";
    }

    private static double rows(Connection c, QueryAnalyzer.Plannable p) throws SQLException {
        return QueryAnalyzer.explain(c, p, "")
                .get(0)
                .get("Plan")
                .get("Plan Rows")
                .asDouble();
    }

    /** Orders of magnitude between two row counts, each at least one (the planner's floor). */
    static double distance(double a, double b) {
        return Math.abs(Math.log10(Math.max(1, a)) - Math.log10(Math.max(1, b)));
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }

    private static String human(double v) {
        return v >= 100 ? String.format(Locale.ROOT, "%,.0f", v) : String.format(Locale.ROOT, "%.2f", v);
    }
}
