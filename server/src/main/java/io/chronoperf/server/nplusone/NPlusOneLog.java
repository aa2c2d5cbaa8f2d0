package io.chronoperf.server.nplusone;

import io.chronoperf.advisor.nplusone.Finding;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The N+1 findings of the server's own requests, in memory: the newest {@value #CAPACITY} findings
 * with when and where they happened. Thread-safe (synchronized; findings are rare and small).
 */
public final class NPlusOneLog {
    static final int CAPACITY = 10_000;

    private record Entry(Instant at, String endpoint, Finding finding) {}

    /** Findings of one kind, query and call site over a window. */
    public record Summary(
            String kind,
            String fingerprint,
            String sql,
            String site,
            long occurrences,
            int maxCount,
            double totalMs,
            List<String> endpoints,
            String suggestion,
            String sourceSql,
            Instant lastSeen) {}

    private final Deque<Entry> entries = new ArrayDeque<>();
    private final java.util.concurrent.atomic.LongAdder units = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder statements = new java.util.concurrent.atomic.LongAdder();

    /** Counts a checked unit, findings or not (so that "no findings" can be told from "not capturing"). */
    public void checked(int statementCount) {
        units.increment();
        statements.add(statementCount);
    }

    public long unitsChecked() {
        return units.sum();
    }

    public long statementsChecked() {
        return statements.sum();
    }

    private final Clock clock;

    public NPlusOneLog(Clock clock) {
        this.clock = clock;
    }

    public synchronized void record(String endpoint, List<Finding> findings) {
        Instant now = clock.instant();
        for (Finding f : findings) {
            if (entries.size() >= CAPACITY) {
                entries.removeFirst();
            }
            entries.addLast(new Entry(now, endpoint, f));
        }
    }

    /** The findings of the last {@code hours}, grouped, the most frequent first. */
    public synchronized List<Summary> summary(Duration window) {
        Instant since = clock.instant().minus(window);
        Map<String, List<Entry>> groups = new LinkedHashMap<>();
        for (Entry e : entries) {
            if (e.at().isAfter(since)) {
                Finding f = e.finding();
                groups.computeIfAbsent(
                                f.kind() + "\u0000" + f.fingerprint() + "\u0000" + f.site(), k -> new ArrayList<>())
                        .add(e);
            }
        }
        List<Summary> out = new ArrayList<>();
        for (List<Entry> group : groups.values()) {
            Entry last = group.get(group.size() - 1);
            Finding f = last.finding();
            out.add(new Summary(
                    f.kind(),
                    f.fingerprint(),
                    f.sql(),
                    f.site(),
                    group.size(),
                    group.stream().mapToInt(e -> e.finding().count()).max().orElse(0),
                    group.stream().mapToDouble(e -> e.finding().totalMs()).sum(),
                    List.copyOf(
                            new TreeSet<>(group.stream().map(Entry::endpoint).toList())),
                    f.suggestion(),
                    f.sourceSql(),
                    last.at()));
        }
        out.sort(Comparator.comparingLong(Summary::occurrences).reversed());
        return out;
    }
}
