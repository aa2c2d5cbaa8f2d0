package io.chronoperf.advisor.nplusone;

import static org.assertj.core.api.Assertions.assertThat;

import io.chronoperf.advisor.Fingerprint;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Precision and recall of the detector on the labelled corpus (src/test/resources/n1-corpus:
 * 51 units covering classic loops, two queries per row, the same query from two sites, pairs
 * below the threshold, duplicates, batchable and set-based writes, pagination, interleaving,
 * repeated patterns, clean units and inlined literals). Each kind needs both at least 0.95.
 */
class CorpusTest {
    @Test
    void precision_and_recall_are_at_least_95_percent_for_every_kind() throws Exception {
        TraceReader.Result trace;
        try (BufferedReader in = resource("n1-corpus/trace.jsonl")) {
            trace = new TraceReader().read(in);
        }
        assertThat(trace.errors()).isEmpty();
        assertThat(trace.units()).hasSizeGreaterThanOrEqualTo(40);

        Set<String> expected = new HashSet<>();
        try (BufferedReader in = resource("n1-corpus/labels.jsonl")) {
            String line;
            while ((line = in.readLine()) != null) {
                JsonNode n = JsonMapper.builder().build().readTree(line);
                List<String> fps = new ArrayList<>();
                n.get("sql").forEach(s -> fps.add(Fingerprint.of(s.asString())));
                expected.add(n.get("unit").asString() + "|" + n.get("kind").asString() + "|" + String.join(" ; ", fps));
            }
        }
        Set<String> actual = new HashSet<>();
        Detector detector = new Detector(Detector.Thresholds.DEFAULT);
        for (List<TraceStatement> unit : trace.units().values()) {
            for (Finding f : detector.detect(unit)) {
                actual.add(f.unit() + "|" + f.kind() + "|" + f.fingerprint());
            }
        }

        Map<String, double[]> byKind = new TreeMap<>(); // tp, fp, fn
        for (String kind :
                List.of(Finding.N_PLUS_ONE, Finding.DUPLICATE, Finding.BATCHABLE_WRITE, Finding.REPEATED_PATTERN)) {
            byKind.put(kind, new double[3]);
        }
        for (String a : actual) {
            byKind.get(a.split("\\|")[1])[expected.contains(a) ? 0 : 1]++;
        }
        for (String e : expected) {
            if (!actual.contains(e)) {
                byKind.get(e.split("\\|")[1])[2]++;
            }
        }
        StringBuilder report = new StringBuilder();
        byKind.forEach((kind, c) -> report.append(String.format(
                "%s: precision %.3f recall %.3f (tp %d, fp %d, fn %d)%n",
                kind, c[0] / (c[0] + c[1]), c[0] / (c[0] + c[2]), (int) c[0], (int) c[1], (int) c[2])));
        System.out.print(report);
        Set<String> falsePositives = new HashSet<>(actual);
        falsePositives.removeAll(expected);
        Set<String> falseNegatives = new HashSet<>(expected);
        falseNegatives.removeAll(actual);
        assertThat(byKind.values())
                .as(report + "false positives " + falsePositives + "\nfalse negatives " + falseNegatives)
                .allSatisfy(c -> {
                    assertThat(c[0] / (c[0] + c[1])).isGreaterThanOrEqualTo(0.95);
                    assertThat(c[0] / (c[0] + c[2])).isGreaterThanOrEqualTo(0.95);
                });
    }

    private static BufferedReader resource(String name) {
        return new BufferedReader(new InputStreamReader(
                CorpusTest.class.getClassLoader().getResourceAsStream(name), StandardCharsets.UTF_8));
    }
}
