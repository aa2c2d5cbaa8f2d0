package io.chronoperf.advisor.analyze;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Mechanical rewrites, produced as SQL, for the text rules whose fix needs no knowledge of the
 * schema. The analyzer plans both versions and reports their estimated costs.
 */
final class Rewrites {
    /** One rewrite before costing. */
    record Candidate(String rule, String sql) {}

    /** (SELECT count(*) FROM ...) > 0 becomes EXISTS (SELECT 1 FROM ...). */
    private static final Pattern COUNT_POSITIVE =
            Pattern.compile("(?is)\\(\\s*select\\s+count\\(\\s*\\*\\s*\\)\\s+from\\s+([^()]+?)\\)"
                    + "\\s*(?:>\\s*0|>=\\s*1|<>\\s*0|!=\\s*0)");
    /**
     * x NOT IN (SELECT y FROM t [alias] [WHERE p]) becomes NOT EXISTS (SELECT 1 FROM t [alias] WHERE [p AND] y = x).
     */
    private static final Pattern NOT_IN = Pattern.compile(
            "(?is)([a-z_][a-z0-9_.]*)\\s+not\\s+in\\s*\\(\\s*select\\s+([a-z_][a-z0-9_.]*)\\s+from\\s+([a-z_][a-z0-9_."
                    + "]*)"
                    + "(\\s+(?!where\\b)[a-z_][a-z0-9_]*)?(?:\\s+where\\s+([^()]+?))?\\s*\\)");

    private Rewrites() {}

    static List<Candidate> of(String sql) {
        List<Candidate> out = new ArrayList<>();
        Matcher count = COUNT_POSITIVE.matcher(sql);
        if (count.find()) {
            out.add(new Candidate(
                    "count_for_existence",
                    count.replaceFirst(Matcher.quoteReplacement(
                            "EXISTS (SELECT 1 FROM " + count.group(1).strip() + ")"))));
        }
        Matcher notIn = NOT_IN.matcher(sql);
        // Only when the two sides cannot be confused: a qualified outer column, or different names.
        if (notIn.find() && (notIn.group(1).contains(".") || !notIn.group(1).equalsIgnoreCase(notIn.group(2)))) {
            String alias = notIn.group(4) == null ? "" : notIn.group(4);
            String where = notIn.group(5) == null ? "" : notIn.group(5).strip() + " AND ";
            String replacement = "NOT EXISTS (SELECT 1 FROM " + notIn.group(3) + alias + " WHERE " + where
                    + notIn.group(2) + " = " + notIn.group(1) + ")";
            out.add(new Candidate("not_in_subquery", notIn.replaceFirst(Matcher.quoteReplacement(replacement))));
        }
        return out;
    }
}
