package io.chronoperf.advisor;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FingerprintTest {
    @Test
    void literals_and_parameters_become_placeholders() {
        assertThat(Fingerprint.of("SELECT * FROM pages WHERE project_id = 17 AND title = 'It''s'"))
                .isEqualTo(Fingerprint.of("select *   from pages where project_id = $1 and title = ?"))
                .isEqualTo("select * from pages where project_id=? and title=?");
    }

    @Test
    void in_lists_and_multi_row_values_collapse() {
        assertThat(Fingerprint.of("SELECT * FROM t WHERE id IN (1, 2, 3)"))
                .isEqualTo(Fingerprint.of("SELECT * FROM t WHERE id IN ($1)"));
        assertThat(Fingerprint.of("INSERT INTO t (a, b) VALUES (1, 'x'), (2, 'y')"))
                .isEqualTo(Fingerprint.of("INSERT INTO t (a, b) VALUES (?, ?)"));
    }

    @Test
    void comments_and_case_do_not_matter_but_identifiers_with_digits_do() {
        assertThat(Fingerprint.of("/* hint */ SELECT id FROM T1 -- note\n WHERE x = 1"))
                .isEqualTo("select id from t1 where x=?");
        assertThat(Fingerprint.of("SELECT * FROM queue_1")).isNotEqualTo(Fingerprint.of("SELECT * FROM queue_2"));
    }

    @Test
    void kind_comes_from_the_first_keyword() {
        assertThat(Fingerprint.kind(Fingerprint.of("WITH x AS (SELECT 1) SELECT * FROM x")))
                .isEqualTo("select");
        assertThat(Fingerprint.kind(Fingerprint.of("UPDATE t SET a = 1"))).isEqualTo("update");
    }

    @Test
    void strings_are_cut_where_postgresql_cuts_them() {
        // E'\'' is one string, a dollar quote is one string, a nested comment is one comment: the copy
        // of the lexer that fingerprinting used to have read each of them differently from the server
        assertThat(Fingerprint.of("SELECT * FROM t WHERE a = E'it\\'s' OR b = 'x'"))
                .isEqualTo("select * from t where a=? or b=?");
        assertThat(Fingerprint.of("SELECT $q$ it's; -- here $q$ FROM t WHERE id = 1"))
                .isEqualTo("select ? from t where id=?");
        assertThat(Fingerprint.of("SELECT /* outer /* inner */ still comment */ id FROM t"))
                .isEqualTo("select id from t");
        assertThat(Fingerprint.of("SELECT \"Mixed\" FROM t WHERE x::int = 2"))
                .isEqualTo("select \"Mixed\" from t where x::int=?");
    }
}
