package io.chronoperf.advisor;

import java.util.ArrayList;
import java.util.List;

/**
 * SQL text cut into statements at semicolons outside quotes, dollar quotes and comments (by
 * {@link SqlLexer}; comments blanked), each with the line it starts on: the one splitter of workload files and of the
 * migration linter.
 */
public final class SqlScript {
    /** A statement and the 1-based line it starts on. */
    public record Statement(String sql, int line) {}

    private SqlScript() {}

    /** Statements with the line each starts on; comments blanked, quoted text and dollar quotes kept whole. */
    public static List<Statement> split(String text) {
        List<Statement> out = new ArrayList<>();
        for (SqlLexer.Statement st : SqlLexer.statements(text)) {
            out.add(new Statement(st.text(), st.line()));
        }
        return out;
    }
}
