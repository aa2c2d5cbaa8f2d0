package io.chronoperf.advisor.analyze;

/**
 * A missing index verified by a what-if: the statement's estimated cost without and with it.
 *
 * @param method hypopg (hypothetical index) or copy (built on a copy of the table, rolled back)
 */
public record IndexRecommendation(
        String ddl, double costBefore, double costAfter, double estimatedImprovementPct, String method) {}
