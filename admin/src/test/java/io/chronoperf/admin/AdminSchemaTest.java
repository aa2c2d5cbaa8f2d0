package io.chronoperf.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chronoperf.runtime.ChronoPerfException;
import io.chronoperf.runtime.ErrorCode;
import io.chronoperf.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AdminSchemaTest {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    @Test
    @Order(1)
    void fresh_database_gets_the_schema_and_46_valid_strategic_indexes() throws SQLException {
        AdminSchema.Report report = AdminSchema.of(db.dataSource()).migrate();

        assertThat(report.migrationsApplied()).isEqualTo(7);
        assertThat(report.schemaVersion()).isEqualTo("7");
        List<String[]> strategic = query("""
                SELECT c.relname, i.indisvalid::text
                  FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid
                 WHERE pg_catalog.obj_description(c.oid, 'pg_class') LIKE 'strategic:%'""");
        assertThat(strategic).hasSize(46);
        assertThat(strategic).allSatisfy(row -> assertThat(row[1]).as(row[0] + " valid").isEqualTo("true"));
        assertThat(StrategicIndexes.list(db.dataSource())).hasSize(46)
                .allSatisfy(ix -> assertThat(ix.purpose()).isNotBlank());
    }

    @Test
    @Order(2)
    void second_migration_is_a_no_op() {
        AdminSchema.Report report = AdminSchema.of(db.dataSource()).migrate();

        assertThat(report.migrationsApplied()).isZero();
        assertThat(report.rebuiltIndexes()).isEmpty();
    }

    @Test
    @Order(3)
    void failed_concurrent_build_leaves_an_invalid_index_that_the_next_run_rebuilds() throws SQLException {
        execute("INSERT INTO users (email, full_name) VALUES ('a@example.com', 'Same Name'), ('b@example.com', 'Same Name')");
        AdminSchema withUnique = AdminSchema.of(db.dataSource()).withLocations("classpath:db/duplicates");

        assertThatThrownBy(withUnique::migrate)
                .isInstanceOf(ChronoPerfException.class)
                .hasMessageContaining("idx_test_unique_full_name")
                .satisfies(e -> assertThat(((ChronoPerfException) e).code()).isEqualTo(ErrorCode.MIGRATION));
        assertThat(withUnique.invalidIndexes()).containsExactly("idx_test_unique_full_name");

        // Not fixed yet: the rebuild fails again, says what to do, and the index stays reported.
        assertThatThrownBy(withUnique::migrate)
                .hasMessageContaining("could not be rebuilt")
                .hasMessageContaining("remove the duplicate rows");
        assertThat(withUnique.invalidIndexes()).containsExactly("idx_test_unique_full_name");

        execute("DELETE FROM users WHERE email = 'b@example.com'");
        AdminSchema.Report report = withUnique.migrate();

        assertThat(report.rebuiltIndexes()).containsExactly("idx_test_unique_full_name");
        assertThat(withUnique.invalidIndexes()).isEmpty();
        assertThat(query("SELECT indisvalid::text FROM pg_catalog.pg_index WHERE indexrelid = 'idx_test_unique_full_name'::regclass"))
                .singleElement().satisfies(row -> assertThat(row[0]).isEqualTo("true"));
        assertThat(report.schemaVersion()).isEqualTo("100");
    }

    private static void execute(String sql) throws SQLException {
        try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static List<String[]> query(String sql) throws SQLException {
        try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            List<String[]> rows = new ArrayList<>();
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                String[] row = new String[n];
                for (int i = 0; i < n; i++) {
                    row[i] = rs.getString(i + 1);
                }
                rows.add(row);
            }
            return rows;
        }
    }
}
