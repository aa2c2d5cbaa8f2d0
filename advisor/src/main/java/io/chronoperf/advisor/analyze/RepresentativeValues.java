package io.chronoperf.advisor.analyze;

import io.chronoperf.runtime.OwnStatements;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Values for a normalized statement's {@code $n} (as pg_stat_statements holds them), from pg_stats:
 * for each {@code column op $n}, a value of the column in one of the statement's tables, of the
 * {@link Kind} asked for. A placeholder it cannot place gets no value, and the statement is then
 * not planned with values. Used where there is no generic plan (before PostgreSQL 16, for the
 * analysis) and where the workload's observed rows say the generic plan's estimate is far off
 * (the advisor).
 */
public final class RepresentativeValues {
    /** Which value of a column to take. */
    public enum Kind {
        /** The most common value (or the middle of the histogram when there is no list of them). */
        COMMON,
        /** A value from the middle of the histogram (not one of the most common), else the least common listed. */
        TYPICAL,
        /**
         * A value the statistics have not seen: one past the largest for numbers, the histogram's
         * last bound otherwise. The planner expects few rows for it, as for the rare values a
         * workload may send to a column that statistics describe by its commonest value.
         */
        RARE
    }

    private static final Pattern COMPARISON = Pattern.compile("(?i)([a-z_][a-z0-9_]*\\.)?([a-z_][a-z0-9_]*)\\s*"
            + "(?:=|<>|!=|<=|>=|<|>|\\blike\\b|\\bilike\\b)\\s*\\$(\\d+)");
    private static final Pattern TABLES = Pattern.compile("(?i)\\b(?:from|join)\\s+([a-z_][a-z0-9_.]*)");
    private static final Pattern IN_LIST =
            Pattern.compile("(?i)([a-z_][a-z0-9_]*)\\s+in\\s*\\(((?:\\s*\\$\\d+\\s*,?)+)\\)");
    private static final Pattern BETWEEN =
            Pattern.compile("(?i)([a-z_][a-z0-9_]*)\\s+between\\s+\\$(\\d+)\\s+and\\s+\\$(\\d+)");
    private static final Pattern INTERVAL = Pattern.compile("(?i)(?:interval\\s+\\$(\\d+)|\\$(\\d+)::interval)");
    private static final Pattern LIMIT_OFFSET = Pattern.compile("(?i)\\b(limit|offset)\\s+\\$(\\d+)");

    private RepresentativeValues() {}

    /** Common values in $n order, or null when one placeholder has no representative value. */
    static List<Object> of(Connection c, String sql, int placeholders) throws SQLException {
        return of(c, sql, placeholders, Kind.COMMON);
    }

    /** Values of this kind in $n order, or null when one placeholder has none. */
    static List<Object> of(Connection c, String sql, int placeholders, Kind kind) throws SQLException {
        Object[] values = new Object[placeholders];
        boolean[] found = new boolean[placeholders];
        Matcher lo = LIMIT_OFFSET.matcher(sql);
        while (lo.find()) {
            int n = Integer.parseInt(lo.group(2));
            if (n >= 1 && n <= placeholders) {
                values[n - 1] = lo.group(1).equalsIgnoreCase("limit") ? 50 : 0;
                found[n - 1] = true;
            }
        }
        Matcher iv = INTERVAL.matcher(sql);
        while (iv.find()) {
            int n = Integer.parseInt(iv.group(1) != null ? iv.group(1) : iv.group(2));
            if (n >= 1 && n <= placeholders) {
                values[n - 1] = "1 hour";
                found[n - 1] = true;
            }
        }
        List<String> tables = new ArrayList<>();
        Matcher t = TABLES.matcher(sql);
        while (t.find()) {
            String name = t.group(1);
            tables.add(name.substring(name.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT));
        }
        Matcher m = COMPARISON.matcher(sql);
        while (m.find()) {
            int n = Integer.parseInt(m.group(3));
            if (n < 1 || n > placeholders || found[n - 1]) {
                continue;
            }
            String value = statsValue(c, tables, m.group(2).toLowerCase(Locale.ROOT), kind);
            if (value != null) {
                values[n - 1] = value;
                found[n - 1] = true;
            }
        }
        Matcher in = IN_LIST.matcher(sql);
        while (in.find()) {
            String value = statsValue(c, tables, in.group(1).toLowerCase(Locale.ROOT), kind);
            Matcher each = Pattern.compile("\\$(\\d+)").matcher(in.group(2));
            while (each.find() && value != null) {
                int n = Integer.parseInt(each.group(1));
                if (n >= 1 && n <= placeholders && !found[n - 1]) {
                    values[n - 1] = value;
                    found[n - 1] = true;
                }
            }
        }
        Matcher between = BETWEEN.matcher(sql);
        while (between.find()) {
            String value = statsValue(c, tables, between.group(1).toLowerCase(Locale.ROOT), kind);
            for (int g = 2; g <= 3 && value != null; g++) {
                int n = Integer.parseInt(between.group(g));
                if (n >= 1 && n <= placeholders && !found[n - 1]) {
                    values[n - 1] = value;
                    found[n - 1] = true;
                }
            }
        }
        for (boolean f : found) {
            if (!f) {
                return null;
            }
        }
        return java.util.Arrays.asList(values);
    }

    private static String statsValue(Connection c, List<String> tables, String column, Kind kind) throws SQLException {
        List<String> common;
        List<String> histogram;
        try (PreparedStatement ps = c.prepareStatement(OwnStatements.MARK + """
                SELECT most_common_vals::text::text[], histogram_bounds::text::text[]
                  FROM pg_catalog.pg_stats
                 WHERE schemaname = current_schema() AND tablename = ANY(?) AND attname = ?
                 LIMIT 1""")) {
            ps.setArray(1, c.createArrayOf("text", tables.toArray()));
            ps.setString(2, column);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                common = texts(rs.getArray(1));
                histogram = texts(rs.getArray(2));
            }
        }
        String middle = histogram.isEmpty() ? null : histogram.get(Math.max(0, histogram.size() / 2 - 1));
        return switch (kind) {
            case COMMON -> !common.isEmpty() ? common.get(0) : middle;
            case TYPICAL -> middle != null ? middle : common.isEmpty() ? null : common.get(common.size() - 1);
            case RARE -> rare(common, histogram);
        };
    }

    private static String rare(List<String> common, List<String> histogram) {
        java.math.BigDecimal max = null;
        List<String> all = new ArrayList<>(common);
        all.addAll(histogram);
        for (String v : all) {
            try {
                java.math.BigDecimal d = new java.math.BigDecimal(v);
                max = max == null || d.compareTo(max) > 0 ? d : max;
            } catch (NumberFormatException notANumber) {
                max = null;
                break;
            }
        }
        if (max != null) {
            return max.add(java.math.BigDecimal.ONE).toPlainString();
        }
        return histogram.isEmpty() ? null : histogram.get(histogram.size() - 1);
    }

    private static List<String> texts(java.sql.Array array) throws SQLException {
        return array == null ? List.of() : java.util.Arrays.asList((String[]) array.getArray());
    }
}
