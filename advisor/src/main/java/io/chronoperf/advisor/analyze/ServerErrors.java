package io.chronoperf.advisor.analyze;

import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/**
 * PostgreSQL's error text, reduced to what cannot leak: a statement can make the server put
 * row data, file contents or settings into an error message (a failing cast of a sub-select,
 * {@code pg_read_file} inside a cast), so the message is replaced by the SQLSTATE, its class, the
 * position in the statement and a sentence of ours. Only a syntax error keeps the server's text:
 * it quotes the statement itself, never data.
 */
final class ServerErrors {
    private static final Map<String, String> SENTENCES = Map.ofEntries(
            Map.entry("42703", "a column the statement names does not exist"),
            Map.entry(
                    "42P01", "a table or view the statement names does not exist, or the analysis role cannot see it"),
            Map.entry("42883", "no function or operator matches these names and argument types"),
            Map.entry("42804", "an expression's type does not match where it is used"),
            Map.entry("42P18", "a parameter's type cannot be determined: add a cast such as $1::int"),
            Map.entry("42P02", "the statement uses a parameter that has no value"),
            Map.entry("42501", "the analysis role may not read an object the statement uses"),
            Map.entry("42702", "a column name is ambiguous: qualify it with its table"),
            Map.entry("42803", "a column must appear in GROUP BY or be used in an aggregate"),
            Map.entry("22P02", "a value has the wrong format for its type"),
            Map.entry("22003", "a number is out of range for its type"),
            Map.entry("22012", "division by zero"),
            Map.entry("22007", "a date or time has the wrong format"),
            Map.entry("22008", "a date or time is out of range"),
            Map.entry("22021", "a value is not valid in the database's encoding"),
            Map.entry("21000", "a sub-select used as a value returned more than one row"),
            Map.entry("25006", "the statement tried to write in a read-only transaction"),
            Map.entry("55P03", "a lock the statement needs is held by another session (lock_timeout)"),
            Map.entry("53200", "the server ran out of memory"),
            Map.entry("54001", "the statement is too complex to plan"));
    private static final Map<String, String> CLASSES = Map.ofEntries(
            Map.entry("22", "data exception"),
            Map.entry("21", "cardinality violation"),
            Map.entry("23", "integrity constraint violation"),
            Map.entry("25", "invalid transaction state"),
            Map.entry("28", "invalid authorization"),
            Map.entry("2B", "dependent privilege descriptors still exist"),
            Map.entry("34", "invalid cursor name"),
            Map.entry("38", "external routine exception"),
            Map.entry("39", "external routine invocation exception"),
            Map.entry("3F", "invalid schema name"),
            Map.entry("40", "transaction rollback"),
            Map.entry("42", "syntax error or access rule violation"),
            Map.entry("53", "insufficient resources"),
            Map.entry("54", "program limit exceeded"),
            Map.entry("55", "object not in prerequisite state"),
            Map.entry("57", "operator intervention"),
            Map.entry("58", "system error"),
            Map.entry("P0", "PL/pgSQL error"),
            Map.entry("XX", "internal error"));

    private ServerErrors() {}

    /** A sentence safe to return to the client: never the server's message, except for a syntax error. */
    static String describe(SQLException e, Duration statementTimeout) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        Integer position = null;
        String serverText = null;
        if (e instanceof PSQLException p && p.getServerErrorMessage() != null) {
            ServerErrorMessage m = p.getServerErrorMessage();
            position = m.getPosition() > 0 ? m.getPosition() : null;
            serverText = m.getMessage();
        }
        String where = position == null ? "" : " (at character " + position + " of the EXPLAIN statement)";
        if ("42601".equals(state) && serverText != null) {
            return serverText + where + " [SQLSTATE 42601]";
        }
        String sentence;
        if ("57014".equals(state)) {
            sentence = "cancelled after the statement timeout of " + statementTimeout.toMillis() + " ms";
        } else if (SENTENCES.containsKey(state)) {
            sentence = SENTENCES.get(state);
        } else {
            String cls = state.length() >= 2 ? CLASSES.getOrDefault(state.substring(0, 2), "error") : "error";
            sentence = cls + " (the server's message is withheld: it can carry data)";
        }
        return sentence + where + " [SQLSTATE " + (state.isEmpty() ? "unknown" : state) + "]";
    }
}
