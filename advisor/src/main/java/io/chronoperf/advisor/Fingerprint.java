package io.chronoperf.advisor;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * A statement's fingerprint: the SQL with literals and {@code $n} / {@code ?} parameters replaced
 * by {@code ?}, comments dropped, white space collapsed, identifiers and keywords lower-cased
 * (quoted identifiers kept as written) and IN lists and multi-row VALUES collapsed to one item.
 * Two executions of the same code path have the same fingerprint whatever their values.
 *
 * <p>On the tokens of {@link SqlLexer} (PostgreSQL's own lexical rules: E'' strings, dollar
 * quotes, nested comments), not a parser: it runs on every captured statement and must cost
 * microseconds; results are memoised per SQL text (prepared statements repeat).
 */
public final class Fingerprint {
    private static final int MEMO_LIMIT = 10_000;
    private static final Map<String, String> MEMO = new ConcurrentHashMap<>();
    private static final Pattern SPACE_AROUND = Pattern.compile("\\s*([(),=<>])\\s*");
    private static final Pattern IN_LIST = Pattern.compile("\\bin\\(\\?(?:,\\?)+\\)");
    private static final Pattern VALUES_ROWS = Pattern.compile("\\bvalues(\\([?,]+\\))(?:,\\([?,]+\\))+");

    private Fingerprint() {}

    public static String of(String sql) {
        String cached = MEMO.get(sql);
        if (cached != null) {
            return cached;
        }
        String fp = compute(sql);
        if (MEMO.size() >= MEMO_LIMIT) {
            MEMO.clear(); // crude but bounded: a workload with more than 10k distinct texts inlines values
        }
        MEMO.put(sql, fp);
        return fp;
    }

    static String compute(String sql) {
        StringBuilder out = new StringBuilder(sql.length());
        int previousEnd = -1;
        for (SqlLexer.Token t : SqlLexer.tokens(sql)) {
            if (previousEnd >= 0 && t.start() > previousEnd) {
                out.append(' '); // white space or a comment stood between: one space
            }
            previousEnd = t.end();
            switch (t.kind()) {
                case STRING, NUMBER, PARAM -> out.append('?');
                case WORD -> {
                    for (int k = t.start(); k < t.end(); k++) { // keywords and unquoted names fold to lower case
                        out.append(Character.toLowerCase(sql.charAt(k)));
                    }
                }
                default -> out.append(sql, t.start(), t.end()); // quoted identifiers as written, operators, punctuation
            }
        }
        String s = SPACE_AROUND.matcher(out.toString().strip()).replaceAll("$1");
        s = IN_LIST.matcher(s).replaceAll("in(?)");
        s = VALUES_ROWS.matcher(s).replaceAll("values$1");
        if (s.endsWith(";")) {
            s = s.substring(0, s.length() - 1).strip();
        }
        return s;
    }

    /** The statement's kind, from its first keyword: select, insert, update, delete or other. */
    public static String kind(String fingerprint) {
        String f = fingerprint.startsWith("with ") ? "select" : fingerprint;
        for (String k : new String[] {"select", "insert", "update", "delete"}) {
            if (f.startsWith(k)) {
                return k;
            }
        }
        return "other";
    }
}
