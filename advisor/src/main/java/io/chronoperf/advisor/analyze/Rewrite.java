package io.chronoperf.advisor.analyze;

/** A mechanical rewrite with both versions' estimated costs (plain EXPLAIN, nothing executed). */
public record Rewrite(String rule, String sql, double costBefore, double costAfter) {}
