package io.chronoperf.advisor.nplusone;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DetectorTest {
    private final Detector detector = new Detector(Detector.Thresholds.DEFAULT);

    @Test
    void the_seed_example_gets_the_source_query_and_an_any_rewrite() {
        List<TraceStatement> unit = new ArrayList<>();
        unit.add(new TraceStatement(
                "req-1", 1, "SELECT * FROM projects WHERE user_id = $1", List.of(7), 1.0, 3, "A.list:1", null));
        for (int i = 0; i < 3; i++) {
            unit.add(new TraceStatement(
                    "req-1",
                    2 + i,
                    "SELECT * FROM pages WHERE project_id = $1",
                    List.of(100 + i),
                    0.8,
                    4,
                    "A.list:2",
                    null));
        }

        List<Finding> findings = detector.detect(unit);

        assertThat(findings).singleElement().satisfies(f -> {
            assertThat(f.kind()).isEqualTo(Finding.N_PLUS_ONE);
            assertThat(f.count()).isEqualTo(3);
            assertThat(f.sourceSql()).isEqualTo("SELECT * FROM projects WHERE user_id = $1");
            assertThat(f.suggestion()).contains("SELECT * FROM pages WHERE project_id = ANY($1)");
            assertThat(f.roundTripsSaved()).isEqualTo(2);
            assertThat(f.totalMs()).isEqualTo(2.4, org.assertj.core.data.Offset.offset(1e-9));
        });
    }

    @Test
    void the_threshold_is_configurable() {
        List<TraceStatement> unit = List.of(
                new TraceStatement("u", 1, "SELECT * FROM t WHERE id = ?", List.of(1), 1, 1, "s", null),
                new TraceStatement("u", 2, "SELECT * FROM t WHERE id = ?", List.of(2), 1, 1, "s", null));

        assertThat(detector.detect(unit)).isEmpty();
        assertThat(new Detector(new Detector.Thresholds(2, 3)).detect(unit)).hasSize(1);
    }

    @Test
    void malformed_trace_lines_are_reported_with_their_number_and_skipped() throws Exception {
        String trace = """
                {"unit": "a", "seq": 1, "sql": "SELECT 1", "duration_ms": 0.1}
                not json
                {"unit": "a", "seq": 2, "duration_ms": 0.1}
                {"unit": "a", "seq": "x", "sql": "SELECT 2", "duration_ms": 0.1}
                {"unit": "a", "seq": 3, "sql": "SELECT 3", "duration_ms": -1}

                {"unit":"a","seq":4,"sql":"SELECT 4","duration_ms":0.2,"params":[1,"x",null,true],"rows":1}
                """;
        TraceReader.Result r = new TraceReader().read(new BufferedReader(new StringReader(trace)));

        assertThat(r.units().get("a")).extracting(TraceStatement::seq).containsExactly(1L, 4L);
        assertThat(r.errors()).hasSize(4);
        assertThat(r.errors().get(0)).startsWith("line 2: not valid JSON");
        assertThat(r.errors().get(1)).isEqualTo("line 3: sql is required and must be a non-empty string");
        assertThat(r.errors().get(2)).startsWith("line 4: seq");
        assertThat(r.errors().get(3)).startsWith("line 5: duration_ms");
    }
}
