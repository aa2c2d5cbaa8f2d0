package io.chronoperf.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.chronoperf.admin.StrategicIndexes.Applied;
import io.chronoperf.admin.StrategicIndexes.Outcome;
import io.chronoperf.testkit.TestDatabase;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code migrate --strategic-indexes}: the 46 indexes onto an admin platform that exists already
 * (its own migrations made its tables, not ours), some of whose tables and columns differ.
 */
class StrategicIndexesApplyTest {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    @Test
    void the_indexes_go_onto_the_tables_that_exist_and_the_others_are_skipped_with_the_reason() throws Exception {
        try (Connection c = db.dataSource().getConnection();
                Statement s = c.createStatement();
                InputStream v1 = getClass().getResourceAsStream("/db/migration/V1__admin_schema.sql")) {
            s.execute(new String(v1.readAllBytes(), StandardCharsets.UTF_8)); // the platform, made by its own tooling
            s.execute("ALTER TABLE users DROP COLUMN risk_score");
            s.execute("DROP TABLE pages");
            s.execute("CREATE INDEX idx_users_locked ON users (updated_at)"); // one of its own, by the same name
            s.execute("INSERT INTO users (email, full_name) SELECT 'u' || g || '@x.org', 'U ' || g FROM "
                    + "generate_series(1, 2000) g");
        }
        List<Applied> progress = new ArrayList<>();

        List<Applied> applied = StrategicIndexes.applyTo(db.dataSource(), Duration.ofSeconds(5), progress::add);

        assertThat(progress).isEqualTo(applied);
        assertThat(applied).hasSize(46);
        assertThat(applied)
                .filteredOn(a -> a.name().equals("idx_users_risk_keyset"))
                .singleElement()
                .satisfies(a -> {
                    assertThat(a.outcome()).isEqualTo(Outcome.SKIPPED);
                    assertThat(a.reason())
                            .contains("risk_score")
                            .contains("does not exist")
                            .contains("users");
                });
        assertThat(applied)
                .filteredOn(a -> a.table().equals("pages"))
                .isNotEmpty()
                .allSatisfy(a -> assertThat(a.reason()).isEqualTo("table pages is not there"));
        assertThat(applied)
                .filteredOn(a -> a.name().equals("idx_users_locked"))
                .singleElement()
                .satisfies(a -> assertThat(a.outcome()).isEqualTo(Outcome.PRESENT));
        assertThat(applied)
                .filteredOn(a -> a.name().equals("idx_users_email_trgm"))
                .singleElement()
                .satisfies(a -> assertThat(a.outcome()).isEqualTo(Outcome.CREATED));
        assertThat(applied).noneMatch(a -> a.outcome() == Outcome.FAILED);
        long created =
                applied.stream().filter(a -> a.outcome() == Outcome.CREATED).count();
        assertThat(created).isGreaterThan(30);

        try (Connection c = db.dataSource().getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*) FILTER (WHERE NOT indisvalid), count(*) FILTER (WHERE"
                        + " obj_description(indexrelid, 'pg_class') LIKE 'strategic:%') FROM pg_index")) {
            rs.next();
            assertThat(rs.getLong(1)).as("invalid indexes").isZero();
            assertThat(rs.getLong(2)).as("commented strategic indexes").isEqualTo(created);
        }
        try (Connection c = db.dataSource().getConnection();
                ResultSet rs = c.getMetaData().getTables(null, "public", "flyway_schema_history", null)) {
            assertThat(rs.next())
                    .as("no Flyway history made in the platform's schema")
                    .isFalse();
        }

        // again: what was built is present, nothing is built twice
        List<Applied> again = StrategicIndexes.applyTo(db.dataSource(), Duration.ofSeconds(5), a -> {});
        assertThat(again).noneMatch(a -> a.outcome() == Outcome.CREATED || a.outcome() == Outcome.FAILED);
    }

    @Test
    void the_script_keeps_one_statement_per_line_with_its_comment() {
        assertThat(StrategicIndexes.scriptedCount()).isEqualTo(46);
    }
}
