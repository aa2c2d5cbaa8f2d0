package io.chronoperf.advisor;

import java.util.ArrayList;
import java.util.List;

/**
 * PostgreSQL's lexical rules, as its own scanner applies them with standard_conforming_strings
 * on: the one place that decides where a statement ends, what is quoted and what is a
 * parameter. Handles '...' with '' (and E'...' with backslash escapes), U&amp;'...', B'', X'',
 * "..." with "", U&amp;"...", $tag$...$tag$ (never inside an identifier, where $ is an identifier
 * character), $n parameters, -- comments and nested block comments.
 *
 * <p>Why our own: the query analysis must cut hostile text exactly where the server and the
 * JDBC driver cut it (a splitter that reads {@code E'\''} or {@code a$x$} differently lets a
 * second statement through); no library exposes PostgreSQL's scanner to Java. JSqlParser's
 * grammar is a parser of its own dialect, not the server's lexer.
 */
public final class SqlLexer {
    /** Token kinds; comments and white space are not tokens. */
    public enum Kind {
        WORD,
        QUOTED_IDENTIFIER,
        STRING,
        NUMBER,
        PARAM,
        OPERATOR,
        PUNCTUATION,
        SEMICOLON
    }

    /** A token: its kind and its [start, end) offsets in the text. */
    public record Token(Kind kind, int start, int end) {}

    /**
     * One statement: {@code text} with comments blanked out (their characters replaced by spaces,
     * new lines kept) and trimmed, the 1-based line it starts on, its tokens with offsets into
     * {@code text}, and whether a quote, dollar quote or comment was left open.
     */
    public record Statement(String text, int line, List<Token> tokens, boolean unterminated) {
        /** The highest $n, 0 without parameters. */
        public int parameters() {
            int max = 0;
            for (Token t : tokens) {
                if (t.kind() == Kind.PARAM) {
                    String digits = text.substring(t.start() + 1, t.end());
                    max = Math.max(max, digits.length() > 6 ? Integer.MAX_VALUE : Integer.parseInt(digits));
                }
            }
            return max;
        }

        /** The text of one token. */
        public String text(Token t) {
            return text.substring(t.start(), t.end());
        }

        /** True when a { or } stands outside quotes: a JDBC escape that the driver would rewrite. */
        public boolean hasBraces() {
            for (Token t : tokens) {
                if (t.kind() == Kind.PUNCTUATION && (text.charAt(t.start()) == '{' || text.charAt(t.start()) == '}')) {
                    return true;
                }
            }
            return false;
        }
    }

    private SqlLexer() {}

    /** Every token of a text, semicolons included, with offsets into it (comments and white space are not tokens). */
    public static List<Token> tokens(String sql) {
        List<Token> all = new ArrayList<>();
        scan(sql == null ? "" : sql, null, all, new boolean[1]);
        return all;
    }

    /** The statements of a text, split at semicolons outside quotes and comments; empty ones dropped. */
    public static List<Statement> statements(String sql) {
        String text = sql == null ? "" : sql;
        StringBuilder blanked = new StringBuilder(text);
        List<Token> all = new ArrayList<>();
        boolean[] open = new boolean[1];
        scan(text, blanked, all, open);
        List<Statement> out = new ArrayList<>();
        String b = blanked.toString();
        int from = 0;
        for (int i = 0; i <= all.size(); i++) {
            if (i == all.size() || all.get(i).kind() == Kind.SEMICOLON) {
                if (i > from) {
                    int start = all.get(from).start();
                    int end = all.get(i - 1).end();
                    List<Token> shifted = new ArrayList<>(i - from);
                    for (Token t : all.subList(from, i)) {
                        shifted.add(new Token(t.kind(), t.start() - start, t.end() - start));
                    }
                    int line = 1
                            + (int) b.substring(0, start)
                                    .chars()
                                    .filter(c -> c == '\n')
                                    .count();
                    out.add(new Statement(
                            b.substring(start, end), line, List.copyOf(shifted), open[0] && i == all.size()));
                }
                from = i + 1;
            }
        }
        return out;
    }

    private static void scan(String s, StringBuilder blanked, List<Token> out, boolean[] open) {
        int n = s.length();
        int i = 0;
        while (i < n) {
            char c = s.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '-' && i + 1 < n && s.charAt(i + 1) == '-') {
                int end = s.indexOf('\n', i);
                end = end < 0 ? n : end;
                blank(blanked, i, end);
                i = end;
            } else if (c == '/' && i + 1 < n && s.charAt(i + 1) == '*') {
                int depth = 0;
                int j = i;
                while (j < n) {
                    if (s.startsWith("/*", j)) {
                        depth++;
                        j += 2;
                    } else if (s.startsWith("*/", j)) {
                        depth--;
                        j += 2;
                        if (depth == 0) {
                            break;
                        }
                    } else {
                        j++;
                    }
                }
                if (depth > 0) {
                    open[0] = true;
                }
                blank(blanked, i, j);
                i = j;
            } else if (c == '\'') {
                i = add(out, Kind.STRING, i, quoted(s, i, '\'', false, open));
            } else if (c == '"') {
                i = add(out, Kind.QUOTED_IDENTIFIER, i, quoted(s, i, '"', false, open));
            } else if (c == '$' && i + 1 < n && Character.isDigit(s.charAt(i + 1))) {
                int j = i + 1;
                while (j < n && Character.isDigit(s.charAt(j))) {
                    j++;
                }
                i = add(out, Kind.PARAM, i, j);
            } else if (c == '$') {
                int tagEnd = dollarTagEnd(s, i);
                if (tagEnd < 0) {
                    i = add(out, Kind.OPERATOR, i, i + 1); // a lone $: the server rejects it
                } else {
                    String tag = s.substring(i, tagEnd);
                    int close = s.indexOf(tag, tagEnd);
                    if (close < 0) {
                        open[0] = true;
                    }
                    i = add(out, Kind.STRING, i, close < 0 ? n : close + tag.length());
                }
            } else if (identifierStart(c)) {
                // E'..', U&'..', U&"..", B'..', X'..', N'..': a prefix glued to the quote
                if ((c == 'E' || c == 'e') && i + 1 < n && s.charAt(i + 1) == '\'') {
                    i = add(out, Kind.STRING, i, quoted(s, i + 1, '\'', true, open));
                } else if ((c == 'U' || c == 'u')
                        && i + 2 < n
                        && s.charAt(i + 1) == '&'
                        && (s.charAt(i + 2) == '\'' || s.charAt(i + 2) == '"')) {
                    char q = s.charAt(i + 2);
                    i = add(out, q == '"' ? Kind.QUOTED_IDENTIFIER : Kind.STRING, i, quoted(s, i + 2, q, false, open));
                } else if ((c == 'B' || c == 'b' || c == 'X' || c == 'x' || c == 'N' || c == 'n')
                        && i + 1 < n
                        && s.charAt(i + 1) == '\'') {
                    i = add(out, Kind.STRING, i, quoted(s, i + 1, '\'', false, open));
                } else {
                    int j = i + 1;
                    while (j < n && identifierPart(s.charAt(j))) {
                        j++;
                    }
                    i = add(out, Kind.WORD, i, j);
                }
            } else if (Character.isDigit(c) || (c == '.' && i + 1 < n && Character.isDigit(s.charAt(i + 1)))) {
                int j = i + 1;
                while (j < n
                        && (Character.isLetterOrDigit(s.charAt(j))
                                || s.charAt(j) == '.'
                                || s.charAt(j) == '_'
                                || ((s.charAt(j) == '+' || s.charAt(j) == '-')
                                        && (s.charAt(j - 1) == 'e' || s.charAt(j - 1) == 'E')))) {
                    if (s.charAt(j) == '.' && j + 1 < n && s.charAt(j + 1) == '.') {
                        break; // 1..2 in array slices
                    }
                    j++;
                }
                i = add(out, Kind.NUMBER, i, j);
            } else if (c == ';') {
                i = add(out, Kind.SEMICOLON, i, i + 1);
            } else if ("(),[]{}".indexOf(c) >= 0 || (c == ':' && !(i + 1 < n && s.charAt(i + 1) == ':'))) {
                i = add(out, Kind.PUNCTUATION, i, i + 1);
            } else {
                // an operator: operator characters up to a comment start
                int j = i;
                while (j < n
                        && "+-*/<>=~!@#%^&|`?:".indexOf(s.charAt(j)) >= 0
                        && !(s.startsWith("--", j) || s.startsWith("/*", j))) {
                    j++;
                }
                i = add(out, Kind.OPERATOR, i, Math.max(j, i + 1));
            }
        }
    }

    private static int add(List<Token> out, Kind kind, int start, int end) {
        out.add(new Token(kind, start, end));
        return end;
    }

    /** The end (exclusive) of a quoted run that opens at {@code i}; doubled quotes continue it. */
    private static int quoted(String s, int i, char q, boolean backslashEscapes, boolean[] open) {
        int n = s.length();
        int j = i + 1;
        while (j < n) {
            char c = s.charAt(j);
            if (backslashEscapes && c == '\\') {
                j += 2;
            } else if (c == q) {
                if (j + 1 < n && s.charAt(j + 1) == q) {
                    j += 2;
                } else {
                    return j + 1;
                }
            } else {
                j++;
            }
        }
        open[0] = true;
        return n;
    }

    /** The end of a dollar-quote tag ($$ or $tag$) opening at {@code i}, or -1. */
    private static int dollarTagEnd(String s, int i) {
        int n = s.length();
        int j = i + 1;
        if (j < n && s.charAt(j) == '$') {
            return j + 1;
        }
        if (j >= n || !identifierStart(s.charAt(j))) {
            return -1;
        }
        j++;
        while (j < n && (identifierStart(s.charAt(j)) || Character.isDigit(s.charAt(j)))) {
            j++;
        }
        return j < n && s.charAt(j) == '$' ? j + 1 : -1;
    }

    private static boolean identifierStart(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
    }

    private static boolean identifierPart(char c) {
        return identifierStart(c) || (c >= '0' && c <= '9') || c == '$';
    }

    private static void blank(StringBuilder b, int from, int to) {
        if (b == null) {
            return;
        }
        for (int k = from; k < to; k++) {
            if (b.charAt(k) != '\n') {
                b.setCharAt(k, ' ');
            }
        }
    }
}
