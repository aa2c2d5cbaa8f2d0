package io.chronoperf.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.chronoperf.testkit.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class CliTest {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    @TempDir
    Path home;

    @Test
    void help_lists_every_command() {
        Run r = run("--help");

        assertThat(r.status).isZero();
        assertThat(r.out).contains("serve", "token", "seed", "migrate", "bench", "config");
    }

    @Test
    void token_prints_a_jwt_and_refuses_an_unknown_role_with_status_3() {
        Run ok = run("token", "--home", home.toString(), "--role", "viewer", "--ttl", "2h");
        Run bad = run("token", "--home", home.toString(), "--role", "root");

        assertThat(ok.status).isZero();
        assertThat(ok.out.strip().split("\\.")).hasSize(3);
        assertThat(bad.status).isEqualTo(3);
        assertThat(bad.err).contains("role must be admin or viewer").doesNotContain("Exception");
    }

    @Test
    void unknown_options_are_usage_errors_not_stack_traces() {
        Run r = run("seed", "--scale", "huge", "--db-url", db.endpoint().jdbcUrl());

        assertThat(r.status).isEqualTo(3);
        assertThat(r.err).contains("Unknown scale 'huge'").doesNotContain("\tat ");
    }

    @Test
    void seed_migrates_and_loads_the_small_scale() throws Exception {
        Run r = run(
                "seed",
                "--scale",
                "small",
                "--db-url",
                db.endpoint().jdbcUrl(),
                "--db-user",
                db.endpoint().user());

        assertThat(r.status).as(r.err).isZero();
        assertThat(r.out).contains("rows/s");
        try (Connection c = db.dataSource().getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*) FROM users")) {
            rs.next();
            assertThat(rs.getLong(1)).isEqualTo(2_000);
        }
        Run again = run(
                "seed",
                "--scale",
                "small",
                "--db-url",
                db.endpoint().jdbcUrl(),
                "--db-user",
                db.endpoint().user());
        assertThat(again.status).isEqualTo(3);
        assertThat(again.err).contains("--replace");
    }

    @Test
    void an_unreachable_database_is_status_4() {
        Run r = run("migrate", "--db-url", "jdbc:postgresql://127.0.0.1:1/none?connectTimeout=1", "--db-user", "x");

        assertThat(r.status).isEqualTo(4);
        assertThat(r.err).contains("Cannot connect");
    }

    @Test
    void n1_reads_a_trace_reports_findings_as_json_and_skips_malformed_lines() throws Exception {
        Path trace = home.resolve("trace.jsonl");
        java.nio.file.Files.writeString(trace, """
                {"unit":"r42","seq":1,"sql":"SELECT id FROM projects WHERE user_id=$1","params":[7],"duration_ms":1}
                {"unit":"r42","seq":2,"sql":"SELECT * FROM pages WHERE project_id = $1","params":[1],"duration_ms":0.8}
                this line is broken
                {"unit":"r42","seq":3,"sql":"SELECT * FROM pages WHERE project_id = $1","params":[2],"duration_ms":0.7}
                {"unit":"r42","seq":4,"sql":"SELECT * FROM pages WHERE project_id = $1","params":[3],"duration_ms":0.9}
                """);

        Run r = run("n1", "--trace", trace.toString(), "--json");

        assertThat(r.status).isZero();
        assertThat(r.err).contains("line 3: not valid JSON");
        assertThat(r.out)
                .contains("\"kind\" : \"n_plus_one\"")
                .contains("project_id = ANY($1)")
                .contains("\"count\" : 3");
        assertThat(run("n1", "--trace", home.resolve("missing.jsonl").toString()).status)
                .isEqualTo(6);
    }

    @Test
    void health_reports_any_database_with_an_exit_status_from_its_verdict() {
        Run r = run(
                "health",
                "--db-url",
                db.endpoint().jdbcUrl(),
                "--db-user",
                db.endpoint().user());
        Run json = run(
                "health",
                "--json",
                "--db-url",
                db.endpoint().jdbcUrl(),
                "--db-user",
                db.endpoint().user());

        assertThat(r.status).isBetween(0, 2);
        assertThat(r.out).containsAnyOf("HEALTHY", "WARNING", "CRITICAL").contains("sessions");
        assertThat(json.status).isEqualTo(r.status);
        assertThat(json.out).contains("\"score\"").contains("\"components\"");
    }

    private record Run(int status, String out, String err) {}

    /** Issue 12: a start failure is one line with the README's exit status (4: a service does not answer). */
    @Test
    void serve_against_a_database_that_does_not_answer_says_so_in_one_line_with_status_4() throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Run r = run(
                "serve",
                "--home",
                home.toString(),
                "--port",
                "0",
                "--no-redis",
                "--db-url",
                "jdbc:postgresql://127.0.0.1:" + port + "/nowhere",
                "--db-user",
                "nobody");

        assertThat(r.status).isEqualTo(4);
        String ours = r.err.lines()
                .filter(l -> l.startsWith("chrono-perf:"))
                .reduce((a, b) -> b)
                .orElse("");
        assertThat(ours).contains("database").contains("CHRONO_PERF_DB_URL");
        assertThat(r.err).doesNotContain("\tat ").doesNotContain("Caused by");
    }

    /** Issue 17: a cache namespace is a constant of the application; a wrong name in the settings stops the start. */
    @Test
    void a_wrong_cache_namespace_name_fails_the_start_with_one_line() {
        Run r = run(
                "serve",
                "--home",
                home.toString(),
                "--port",
                "0",
                "--no-redis",
                "--cache-ttl",
                "user=PT1M",
                "--db-url",
                db.endpoint().jdbcUrl(),
                "--db-user",
                db.endpoint().user());

        assertThat(oneLineConfigurationError(r))
                .contains("CHRONO_PERF_CACHE_TTL names 'user', which is not a cache namespace; use one of")
                .contains("users");
    }

    @Test
    void a_replica_url_that_is_not_a_postgresql_one_fails_the_start_with_one_line() {
        Run r = run(
                "serve",
                "--home",
                home.toString(),
                "--port",
                "0",
                "--no-redis",
                "--db-replica-urls",
                "redis://127.0.0.1:6379",
                "--db-url",
                db.endpoint().jdbcUrl(),
                "--db-user",
                db.endpoint().user());

        assertThat(oneLineConfigurationError(r))
                .contains(
                        "CHRONO_PERF_DB_REPLICA_URLS: 'redis://127.0.0.1:6379' does not start with jdbc:postgresql://");
    }

    /** A start refused for its configuration: exit 3, one line of ours, no stack trace. Returns the line. */
    private static String oneLineConfigurationError(Run r) {
        assertThat(r.status).isEqualTo(3);
        List<String> ours =
                r.err.lines().filter(l -> l.startsWith("chrono-perf:")).toList();
        assertThat(ours).hasSize(1);
        assertThat(r.err).doesNotContain("\tat ").doesNotContain("Caused by");
        return ours.get(0);
    }

    private static Run run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int status = Main.run(args);
            return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }
}
