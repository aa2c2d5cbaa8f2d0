package io.chronoperf.advisor;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * SQL text cut into statements at semicolons outside quotes, dollar quotes and comments (which
 * are dropped), each with the line it starts on: the one splitter of workload files and of the
 * migration linter.
 */
public final class SqlScript {
    /** A statement and the 1-based line it starts on. */
    public record Statement(String sql, int line) {
    }

    private static final Pattern DOLLAR_TAG = Pattern.compile("\\$[A-Za-z_]*\\$");

    private SqlScript() {
    }

    /** Statements with the line each starts on; comments dropped, quoted text and dollar quotes kept whole. */
    public static List<Statement> split(String text) {
        List<Statement> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        int line = 1;
        int startLine = -1;
        int n = text.length();
        for (int i = 0; i < n; i++) {
            char ch = text.charAt(i);
            if (ch == '-' && i + 1 < n && text.charAt(i + 1) == '-') {
                int end = text.indexOf('\n', i);
                i = (end < 0 ? n : end) - 1;
                continue;
            }
            if (ch == '/' && i + 1 < n && text.charAt(i + 1) == '*') {
                int end = text.indexOf("*/", i + 2);
                int stop = end < 0 ? n : end + 2;
                line += (int) text.substring(i, stop).chars().filter(c -> c == '\n').count();
                i = stop - 1;
                current.append(' ');
                continue;
            }
            if (ch == '$') {
                Matcher tag = DOLLAR_TAG.matcher(text).region(i, n);
                if (tag.lookingAt()) {
                    int end = text.indexOf(tag.group(), i + tag.group().length());
                    int stop = end < 0 ? n : end + tag.group().length();
                    if (startLine < 0) {
                        startLine = line;
                    }
                    String body = text.substring(i, stop);
                    line += (int) body.chars().filter(c -> c == '\n').count();
                    current.append(body);
                    i = stop - 1;
                    continue;
                }
            }
            if (ch == '\'' || ch == '"') {
                int end = text.indexOf(ch, i + 1);
                int stop = end < 0 ? n : end + 1;
                String quoted = text.substring(i, stop);
                if (startLine < 0) {
                    startLine = line;
                }
                line += (int) quoted.chars().filter(c -> c == '\n').count();
                current.append(quoted);
                i = stop - 1;
                continue;
            }
            if (ch == '\n') {
                line++;
            }
            if (ch == ';') {
                if (!current.toString().isBlank()) {
                    out.add(new Statement(current.toString(), startLine));
                }
                current.setLength(0);
                startLine = -1;
                continue;
            }
            if (startLine < 0 && !Character.isWhitespace(ch)) {
                startLine = line;
            }
            current.append(ch);
        }
        if (!current.toString().isBlank()) {
            out.add(new Statement(current.toString(), startLine));
        }
        return out;
    }
}
