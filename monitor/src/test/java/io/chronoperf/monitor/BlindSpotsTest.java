package io.chronoperf.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import io.chronoperf.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A database without pg_stat_statements or HypoPG is named with the commands that fix it, and the
 * score says it is partial. Before, the score read 100/100 and the slow-query list was empty with
 * nothing saying why.
 */
class BlindSpotsTest {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    @Test
    void missing_extensions_are_named_with_the_commands_and_go_once_added() throws SQLException {
        try (Connection c = db.dataSource().getConnection();
                Statement s = c.createStatement()) {
            s.execute("DROP EXTENSION IF EXISTS pg_stat_statements");
            List<BlindSpots.BlindSpot> before = BlindSpots.of(c);
            StatementSummary statements = StatementSummary.of(c);
            DatabaseCollector.Snapshot snapshot = new DatabaseCollector(DatabaseCollector.Options.DEFAULT).collect(c);
            HealthScore.Result score =
                    HealthScore.of(snapshot, statements, HealthScore.CacheWindow.sinceReset(snapshot), false);

            assertThat(before)
                    .filteredOn(b -> b.name().equals("pg_stat_statements"))
                    .singleElement()
                    .satisfies(b -> {
                        assertThat(b.state()).isIn("not_created", "not_preloaded", "not_available");
                        assertThat(b.fix()).anyMatch(f -> f.startsWith("CREATE EXTENSION pg_stat_statements"));
                        assertThat(b.effect()).contains("slow queries");
                    });
            assertThat(statements.available()).isFalse();
            assertThat(score.partial()).isTrue();
            assertThat(score.notMeasured()).anyMatch(n -> n.contains("pg_stat_statements"));

            boolean preloaded = before.stream()
                    .noneMatch(
                            b -> b.state().equals("not_preloaded") || b.state().equals("not_available"));
            if (preloaded) { // the local server and the embedded one preload it
                s.execute("CREATE EXTENSION pg_stat_statements");
                assertThat(BlindSpots.of(c)).noneMatch(b -> b.name().equals("pg_stat_statements"));
                assertThat(StatementSummary.of(c).available()).isTrue();
            }
            BlindSpots.BlindSpot hypopg = before.stream()
                    .filter(b -> b.name().equals("hypopg"))
                    .findFirst()
                    .orElseThrow();
            assertThat(hypopg.effect()).contains("blocks the table's writers");
            assertThat(hypopg.fix()).last().isEqualTo("CREATE EXTENSION hypopg;");
            if (hypopg.state().equals("not_created")) {
                s.execute("CREATE EXTENSION hypopg");
                assertThat(BlindSpots.of(c)).noneMatch(b -> b.name().equals("hypopg"));
            } else {
                assertThat(hypopg.fix().get(0)).contains("hypopg");
            }
        }
    }
}
