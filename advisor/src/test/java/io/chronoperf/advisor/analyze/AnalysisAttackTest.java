package io.chronoperf.advisor.analyze;

import static org.assertj.core.api.Assertions.assertThat;

import io.chronoperf.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.json.JsonMapper;

/**
 * The attacks of issue 14 and more, each identifier form, operators, casts, views, table
 * functions, VALUES, CTEs, ORDER BY and sub-selects: run against the default analyzer (least
 * privilege) and against a superuser session with executions allowed, where the server-side call
 * resolution is the only guard. Nothing may run, change or come back: another session survives,
 * pg_stat_statements is not reset, no advisory lock or large object is left, the sequence does
 * not move, and no response carries file contents, a setting, a password field or row data.
 */
class AnalysisAttackTest {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    static Connection victim;
    static String dataDirectory;

    /** Every statement calls something that must not run; %s is the victim's application_name. */
    static final List<String> ATTACKS = List.of(
            "SELECT \"pg_terminate_backend\"(pid) FROM pg_stat_activity WHERE application_name = 'chrono-victim'",
            "SELECT \"pg_catalog\".\"pg_terminate_backend\"(pid) FROM pg_stat_activity WHERE application_name = "
                    + "'chrono-victim'",
            "SELECT PG_CATALOG.PG_TERMINATE_BACKEND(pid) FROM pg_stat_activity WHERE application_name = "
                    + "'chrono-victim'",
            "SELECT U&\"pg_termin\\0061te_backend\"(pid) FROM pg_stat_activity WHERE application_name = "
                    + "'chrono-victim'",
            "SELECT U&\"pg!005fterminate!005fbackend\" UESCAPE '!' (pid) FROM pg_stat_activity WHERE application_name "
                    + "= 'chrono-victim'",
            "VALUES ((SELECT \"pg_terminate_backend\"(pid) FROM pg_stat_activity WHERE application_name = "
                    + "'chrono-victim'))",
            "WITH k AS (SELECT \"pg_terminate_backend\"(pid) AS t FROM pg_stat_activity WHERE application_name = "
                    + "'chrono-victim') SELECT * FROM k",
            "SELECT 1 ORDER BY (SELECT bool_or(\"pg_terminate_backend\"(pid)) FROM pg_stat_activity WHERE "
                    + "application_name = 'chrono-victim')",
            "SELECT * FROM (SELECT \"pg_terminate_backend\"(pid) FROM pg_stat_activity WHERE application_name = "
                    + "'chrono-victim') s",
            "SELECT E'\\''; SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = "
                    + "'chrono-victim'; SELECT ''",
            "SELECT 1 AS a$x$; SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = "
                    + "'chrono-victim'; SELECT $x$",
            "SELECT pid === 0 FROM pg_stat_activity WHERE application_name = 'chrono-victim'", // user operator
            "SELECT pid::evil_t FROM pg_stat_activity WHERE application_name = 'chrono-victim'", // user cast
            "SELECT * FROM evil_view", // view calling it
            "SELECT * FROM evil_srf()", // table function
            "SELECT lower(pid) FROM pg_stat_activity WHERE application_name = 'chrono-victim'", // shadowing overload
            "SELECT pid::evil_d FROM pg_stat_activity WHERE application_name = 'chrono-victim'", // domain CHECK
            "SELECT * FROM guarded", // row-level security
            "SELECT \"pg_stat_statements_reset\"()",
            "SELECT \"pg_advisory_lock\"(4242)",
            "SELECT \"lo_import\"('/etc/hostname')",
            "SELECT \"nextval\"('attack_seq')",
            "SELECT \"set_config\"('work_mem', '1GB', false)",
            "SELECT U&\"pg\\005fsleep\"(3)",
            "SELECT replace(\"pg_read_file\"('/etc/passwd'), chr(10), ' ')::int",
            "SELECT \"current_setting\"('data_directory')::int",
            "SELECT (SELECT string_agg(usename || ':' || coalesce(passwd, ''), ',') FROM pg_shadow)::int",
            "SELECT (SELECT string_agg(email, ',') FROM people)::int",
            "SELECT (SELECT string_agg(email, ',') FROM people)::regclass",
            "SELECT * FROM pg_ls_dir('.')",
            "SELECT query_to_xml('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = "
                    + "''chrono-victim''', true, true, '')",
            "SELECT {fn user()}");

    @BeforeAll
    static void setUp() throws SQLException {
        try (Connection c = db.dataSource().getConnection();
                Statement s = c.createStatement()) {
            s.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
            s.execute("CREATE TABLE people (id int PRIMARY KEY, email text)");
            s.execute("INSERT INTO people VALUES (1, 'alice@secret.example'), (2, 'bob@secret.example')");
            s.execute("CREATE SEQUENCE attack_seq");
            s.execute("CREATE FUNCTION kill_victim() RETURNS boolean LANGUAGE sql AS"
                    + " $$SELECT bool_or(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE "
                    + "application_name = 'chrono-victim'$$");
            s.execute("CREATE FUNCTION evil_eq(int, int) RETURNS boolean LANGUAGE sql AS $$SELECT kill_victim()$$");
            s.execute("CREATE OPERATOR === (LEFTARG = int, RIGHTARG = int, FUNCTION = evil_eq)");
            s.execute("CREATE TYPE evil_t AS (a int)");
            s.execute("CREATE FUNCTION evil_cast(int) RETURNS evil_t LANGUAGE sql AS $$SELECT ROW(CASE WHEN "
                    + "kill_victim() THEN 1 END)::evil_t$$");
            s.execute("CREATE CAST (int AS evil_t) WITH FUNCTION evil_cast(int)");
            s.execute("CREATE VIEW evil_view AS SELECT kill_victim()");
            s.execute("CREATE FUNCTION evil_srf() RETURNS SETOF boolean LANGUAGE sql AS $$SELECT kill_victim()$$");
            s.execute("CREATE FUNCTION public.lower(int) RETURNS boolean LANGUAGE sql AS $$SELECT kill_victim()$$");
            s.execute("CREATE FUNCTION evil_check(int) RETURNS boolean LANGUAGE sql AS $$SELECT kill_victim() IS NOT "
                    + "NULL$$");
            s.execute("CREATE DOMAIN evil_d AS int CHECK (evil_check(VALUE))");
            s.execute("CREATE TABLE guarded (id int)");
            s.execute("INSERT INTO guarded VALUES (1)");
            s.execute("ALTER TABLE guarded ENABLE ROW LEVEL SECURITY");
            s.execute("ALTER TABLE guarded FORCE ROW LEVEL SECURITY");
            s.execute("CREATE POLICY evil ON guarded USING (kill_victim() IS NOT NULL)");
            try (ResultSet rs = s.executeQuery("SELECT current_setting('data_directory')")) {
                rs.next();
                dataDirectory = rs.getString(1);
            }
        }
        Properties p = new Properties();
        p.setProperty("user", db.endpoint().user());
        if (db.endpoint().password() != null) {
            p.setProperty("password", db.endpoint().password());
        }
        p.setProperty("ApplicationName", "chrono-victim");
        victim = DriverManager.getConnection(db.endpoint().jdbcUrl(), p);
    }

    @AfterAll
    static void tearDown() throws SQLException {
        if (victim != null) {
            victim.close();
        }
    }

    @Test
    void the_default_analyzer_runs_none_of_them_and_leaks_nothing() throws SQLException {
        attack(TestAnalyzers.leastPrivilege(db));
    }

    @Test
    void the_call_resolution_alone_stops_them_on_a_superuser_session() throws SQLException {
        attack(TestAnalyzers.superuserAllowed(db));
    }

    @Test
    void the_default_analysis_role_is_no_superuser_and_cannot_read_server_files() throws SQLException {
        try (Connection c = TestAnalyzers.setup(db).source().open();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT current_user, rolsuper,"
                        + " pg_has_role(current_user, 'pg_read_server_files', 'USAGE'), has_table_privilege('people', "
                        + "'SELECT')"
                        + " FROM pg_roles WHERE rolname = current_user")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo(AnalysisRole.NAME);
            assertThat(rs.getBoolean(2)).as("superuser").isFalse();
            assertThat(rs.getBoolean(3)).as("may read server files").isFalse();
            assertThat(rs.getBoolean(4)).as("may read the watched tables").isTrue();
        }
    }

    @Test
    void allowed_reads_still_run_under_explain_analyze() {
        QueryAnalyzer analyzer = TestAnalyzers.leastPrivilege(db);
        for (String sql : List.of(
                "SELECT id, email FROM people WHERE id = $1",
                "SELECT count(*) FROM people WHERE lower(email) LIKE '%secret%' AND id > 0",
                "SELECT date_trunc('day', now() - interval '1 day'), to_char(now(), 'YYYY'), coalesce(max(id), 0) FROM "
                        + "people",
                "WITH p AS (SELECT id FROM people ORDER BY id DESC LIMIT 1) SELECT * FROM p",
                "VALUES (1, 'a'), (2, 'b')",
                "SELECT \"id\" FROM \"public\".\"people\" WHERE \"id\" IN (1, 2)")) {
            QueryAnalyzer.Analysis a = analyzer.analyze(sql, sql.contains("$1") ? List.of("1") : List.of(), null);
            assertThat(a.executed()).as(sql + " (" + a.executionNote() + ")").isTrue();
        }
    }

    @Test
    void a_syntax_error_keeps_the_servers_text_and_other_errors_do_not() {
        QueryAnalyzer analyzer = TestAnalyzers.leastPrivilege(db);
        String syntax = message(analyzer, "SELECT FROM FROM people");
        assertThat(syntax).contains("syntax error").contains("42601");
        String cast = message(analyzer, "SELECT email::int FROM people");
        assertThat(cast).contains("22P02").doesNotContain("alice").doesNotContain("secret.example");
    }

    private void attack(QueryAnalyzer analyzer) throws SQLException {
        String statsResetBefore = scalar("SELECT stats_reset::text FROM pg_stat_statements_info");
        String seqBefore = scalar("SELECT last_value || '/' || is_called FROM attack_seq");
        String objectsBefore = scalar("SELECT count(*) FROM pg_largeobject_metadata");
        JsonMapper json = JsonMapper.builder().build();
        List<String> executed = new ArrayList<>();
        List<String> leaks = new ArrayList<>();
        for (String sql : ATTACKS) {
            String response;
            try {
                QueryAnalyzer.Analysis a = analyzer.analyze(sql, List.of(), null);
                if (a.executed()) {
                    executed.add(sql);
                }
                response = json.writeValueAsString(a);
            } catch (InvalidQueryException refused) {
                response = refused.getMessage();
            } catch (io.chronoperf.runtime.ChronoPerfException other) {
                response = other.getMessage();
            }
            for (String secret : List.of("root:", "alice@", "secret.example", "SCRAM-SHA-256", "md5", dataDirectory)) {
                if (response.contains(secret)) {
                    leaks.add(sql + " -> " + secret);
                }
            }
        }
        assertThat(executed).as("attacks that ran under EXPLAIN ANALYZE").isEmpty();
        assertThat(leaks).as("responses that carried a secret").isEmpty();
        try (Statement s = victim.createStatement();
                ResultSet rs = s.executeQuery("SELECT 1")) {
            assertThat(rs.next()).as("the other session survived").isTrue();
        }
        assertThat(scalar("SELECT stats_reset::text FROM pg_stat_statements_info"))
                .isEqualTo(statsResetBefore);
        assertThat(scalar("SELECT last_value || '/' || is_called FROM attack_seq"))
                .isEqualTo(seqBefore);
        assertThat(scalar("SELECT count(*) FROM pg_largeobject_metadata")).isEqualTo(objectsBefore);
        assertThat(scalar("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"))
                .isEqualTo("0");
        assertThat(scalar("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'chrono-perf-analyze'"))
                .isEqualTo("0");
    }

    private static String message(QueryAnalyzer analyzer, String sql) {
        try {
            analyzer.analyze(sql, List.of(), null);
            return "";
        } catch (InvalidQueryException e) {
            return e.getMessage();
        }
    }

    private static String scalar(String sql) throws SQLException {
        try (Connection c = db.dataSource().getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
