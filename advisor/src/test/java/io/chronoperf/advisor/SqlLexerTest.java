package io.chronoperf.advisor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The lexer cuts where PostgreSQL cuts: each of these texts is the number of statements the server sees. */
class SqlLexerTest {
    @ParameterizedTest
    @ValueSource(
            strings = {
                "SELECT E'\\''; SELECT pg_terminate_backend(1); SELECT ''", // \' ends nothing in an E string
                "SELECT 1 AS a$x$; DELETE FROM t; SELECT $x$", // $ inside an identifier is no dollar quote
                "SELECT e'\\\\'; DELETE FROM t",
                "SELECT /* a /* nested */ ; */ 1; DELETE FROM t", // nested comments
                "SELECT U&'\\0041'; DELETE FROM t",
                "SELECT $a1$;$a1$; DELETE FROM t",
            })
    void cuts_where_the_server_cuts(String sql) {
        assertThat(SqlLexer.statements(sql)).hasSizeGreaterThan(1);
    }

    @Test
    void one_statement_keeps_its_quotes_and_params() {
        List<SqlLexer.Statement> st = SqlLexer.statements(
                "SELECT ';', \"a;b\", $$;$$, $t$;$t$, E'\\';' FROM x WHERE a = $1 AND b = $12 -- ; not here");
        assertThat(st).hasSize(1);
        assertThat(st.get(0).parameters()).isEqualTo(12);
        assertThat(st.get(0).unterminated()).isFalse();
        assertThat(st.get(0).text()).doesNotContain("not here");
    }

    @Test
    void open_quotes_and_braces_are_reported() {
        assertThat(SqlLexer.statements("SELECT 'open").get(0).unterminated()).isTrue();
        assertThat(SqlLexer.statements("SELECT /* open").get(0).unterminated()).isTrue();
        assertThat(SqlLexer.statements("SELECT {fn user()}").get(0).hasBraces()).isTrue();
        assertThat(SqlLexer.statements("SELECT '{1,2}'::int[]").get(0).hasBraces())
                .isFalse();
    }
}
