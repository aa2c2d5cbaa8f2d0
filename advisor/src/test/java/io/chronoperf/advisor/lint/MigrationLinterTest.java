package io.chronoperf.advisor.lint;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class MigrationLinterTest {
    final MigrationLinter linter = new MigrationLinter();

    List<String> rules(String sql) {
        return linter.lintFile("V9__x.sql", sql).stream()
                .map(MigrationLinter.Finding::rule)
                .toList();
    }

    @Test
    void each_production_mistake_is_named_with_its_line() {
        List<MigrationLinter.Finding> f = linter.lintFile("V9__bad.sql", """
                -- a comment; with a semicolon
                CREATE INDEX users_email ON users (email);
                BEGIN;
                CREATE INDEX CONCURRENTLY orders_total ON orders (total);
                COMMIT;
                SET lock_timeout = '5s';
                CREATE INDEX CONCURRENTLY IF NOT EXISTS recent_logins ON logins (at) WHERE at > now() - interval
                    '1 day';
                ALTER TABLE users ADD COLUMN tier text NOT NULL;
                ALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid();
                ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);
                ALTER TABLE orders ALTER COLUMN total SET NOT NULL;
                ALTER TABLE orders ALTER COLUMN total TYPE numeric(12,2);
                ALTER TABLE orders RENAME COLUMN total TO amount;
                DROP INDEX users_email;
                VACUUM FULL orders;
                """);
        assertThat(f)
                .extracting(MigrationLinter.Finding::rule)
                .contains(
                        "ML001", "ML002", "ML003", "ML004", "ML005", "ML006", "ML007", "ML008", "ML009", "ML010",
                        "ML011", "ML012", "ML013");
        assertThat(f).filteredOn(x -> x.rule().equals("ML001")).singleElement().satisfies(x -> {
            assertThat(x.line()).isEqualTo(2);
            assertThat(x.fix()).contains("CONCURRENTLY");
        });
        assertThat(f).filteredOn(x -> x.rule().equals("ML005")).singleElement().satisfies(x -> {
            assertThat(x.line()).isEqualTo(7);
            assertThat(x.message()).contains("now()");
        });
        // lock_timeout is set from line 6 on: only the statements before it are reported for ML004
        assertThat(f)
                .filteredOn(x -> x.rule().equals("ML004"))
                .allSatisfy(x -> assertThat(x.line()).isLessThan(6));
    }

    @Test
    void a_safe_migration_and_a_new_table_pass() {
        assertThat(rules("""
                SET lock_timeout = '5s';
                CREATE TABLE widgets (id bigint PRIMARY KEY, owner bigint NOT NULL, at timestamptz NOT NULL DEFAULT
                    now());
                CREATE INDEX widgets_owner ON widgets (owner);
                ALTER TABLE widgets ADD CONSTRAINT widgets_owner_fk FOREIGN KEY (owner) REFERENCES users (id);
                CREATE INDEX CONCURRENTLY IF NOT EXISTS users_created ON users (created_at);
                ALTER TABLE users ADD COLUMN tier text NOT NULL DEFAULT 'free';
                ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;
                ALTER TABLE orders VALIDATE CONSTRAINT orders_user_fk;
                CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1; $$;
                """)).isEmpty();
    }

    @Test
    void the_projects_own_migrations_have_no_error() throws Exception {
        for (Path dir : List.of(
                Path.of("..", "admin", "src", "main", "resources", "db", "migration"),
                Path.of("..", "monitor", "src", "main", "resources", "db", "chrono-perf", "monitor"),
                Path.of("..", "advisor", "src", "main", "resources", "db", "chrono-perf", "advisor"),
                Path.of("..", "server", "src", "main", "resources", "db", "chrono-perf", "server"))) {
            List<MigrationLinter.Finding> f = linter.lint(dir);

            assertThat(f)
                    .as(dir.toString())
                    .filteredOn(x -> x.severity().equals("error"))
                    .isEmpty();
        }
    }
}
