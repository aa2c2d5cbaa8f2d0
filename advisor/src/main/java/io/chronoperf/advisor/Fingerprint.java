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
 * <p>A single-pass tokenizer rather than a full parser: it runs on every captured statement and
 * must cost microseconds; results are memoised per SQL text (prepared statements repeat).
 */
public final class Fingerprint {
    private static final int MEMO_LIMIT = 10_000;
    private static final Map<String, String> MEMO = new ConcurrentHashMap<>();
    private static final Pattern SPACE_AROUND = Pattern.compile("\\s*([(),=<>])\\s*");
    private static final Pattern IN_LIST = Pattern.compile("\\bin\\(\\?(?:,\\?)+\\)");
    private static final Pattern VALUES_ROWS = Pattern.compile("\\bvalues(\\([?,]+\\))(?:,\\([?,]+\\))+");

    private Fingerprint() {
    }

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
        int n = sql.length();
        int i = 0;
        while (i < n) {
            char c = sql.charAt(i);
            if (Character.isWhitespace(c)) {
                while (i < n && Character.isWhitespace(sql.charAt(i))) {
                    i++;
                }
                if (out.length() > 0 && out.charAt(out.length() - 1) != ' ') {
                    out.append(' '); // one space, also where a comment stood between two spaces
                }
            } else if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
                while (i < n && sql.charAt(i) != '\n') {
                    i++;
                }
            } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
                int end = sql.indexOf("*/", i + 2);
                i = end < 0 ? n : end + 2;
            } else if (c == '\'') {
                i = skipString(sql, i);
                out.append('?');
            } else if (c == '"') {
                int end = sql.indexOf('"', i + 1);
                end = end < 0 ? n : end + 1;
                out.append(sql, i, end);
                i = end;
            } else if (c == '$' && i + 1 < n && Character.isDigit(sql.charAt(i + 1))) {
                i++;
                while (i < n && Character.isDigit(sql.charAt(i))) {
                    i++;
                }
                out.append('?');
            } else if (Character.isDigit(c) && !identifierBefore(out)) {
                while (i < n && (Character.isLetterOrDigit(sql.charAt(i)) || sql.charAt(i) == '.')) {
                    i++;
                }
                out.append('?');
            } else if (Character.isLetter(c) || c == '_') {
                int start = i;
                while (i < n && (Character.isLetterOrDigit(sql.charAt(i)) || sql.charAt(i) == '_')) {
                    i++;
                }
                String word = sql.substring(start, i).toLowerCase(java.util.Locale.ROOT);
                // E'...' and other prefixed strings are literals too.
                if (i < n && sql.charAt(i) == '\'' && (word.equals("e") || word.equals("b") || word.equals("x") || word.equals("n"))) {
                    i = skipString(sql, i);
                    out.append('?');
                } else {
                    out.append(word);
                }
            } else {
                out.append(c);
                i++;
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

    private static boolean identifierBefore(StringBuilder out) {
        if (out.length() == 0) {
            return false;
        }
        char p = out.charAt(out.length() - 1);
        return Character.isLetterOrDigit(p) || p == '_';
    }

    private static int skipString(String sql, int quote) {
        int i = quote + 1;
        while (i < sql.length()) {
            if (sql.charAt(i) == '\'') {
                if (i + 1 < sql.length() && sql.charAt(i + 1) == '\'') {
                    i += 2;
                    continue;
                }
                return i + 1;
            }
            i++;
        }
        return sql.length();
    }
}
