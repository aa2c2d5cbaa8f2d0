package io.chronoperf.advisor.analyze;

/**
 * One finding of the analysis, with a stable rule id (catalogue: docs/rules.md).
 *
 * @param evidence the numbers that triggered it
 */
public record Insight(String rule, String severity, String message, String evidence, String suggestion) {}
