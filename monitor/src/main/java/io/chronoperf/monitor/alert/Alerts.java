package io.chronoperf.monitor.alert;

import io.chronoperf.monitor.Observation;
import io.chronoperf.monitor.internal.Sql;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Evaluates the rules against an observation and keeps the alerts in {@code chrono_perf.alerts} (monitor V1):
 * at most one open alert per rule (a unique partial index, so that several instances evaluating
 * at once still open it once and only the instance that opened it notifies); a rule whose metric
 * is absent leaves its alert as it is. Transitions go to the sinks; repeats only refresh the
 * stored value and peak.
 */
public final class Alerts {
    private final List<Rule> rules;
    private final List<AlertSink> sinks;

    public Alerts(List<Rule> rules, List<AlertSink> sinks) {
        this.rules = List.copyOf(rules);
        this.sinks = List.copyOf(sinks);
    }

    /**
     * The same rules for a watched database: its alerts are kept in its own store, and what the
     * sinks get names it ("[database shop] ...").
     */
    public Alerts forDatabase(String name) {
        List<AlertSink> named = sinks.stream()
                .<AlertSink>map(sink -> alert -> sink.send(new Alert(
                        alert.id(),
                        alert.rule(),
                        alert.metric(),
                        alert.severity(),
                        alert.state(),
                        alert.value(),
                        alert.peak(),
                        alert.threshold(),
                        "[database " + name + "] " + alert.message(),
                        alert.startedAt(),
                        alert.lastSeenAt(),
                        alert.resolvedAt())))
                .toList();
        return new Alerts(rules, named);
    }

    public List<Rule> rules() {
        return rules;
    }

    /** Applies the observation; returns the transitions (fired and resolved alerts), already sent to the sinks. */
    public List<Alert> evaluate(Connection store, Observation o) throws SQLException {
        List<Alert> transitions = new ArrayList<>();
        Timestamp at = Timestamp.from(o.at());
        for (Rule rule : rules) {
            Double value = o.get(rule.metric());
            if (value == null) {
                continue;
            }
            Alert open = open(store, rule.name());
            if (open == null && rule.breached(value)) {
                try (PreparedStatement ps = Sql.prepare(store, """
                        INSERT INTO chrono_perf.alerts (rule, metric, severity, value, peak, threshold, message,
                            started_at, last_seen_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                        ON CONFLICT (rule) WHERE resolved_at IS NULL DO NOTHING
                        RETURNING id""")) {
                    ps.setString(1, rule.name());
                    ps.setString(2, rule.metric().key());
                    ps.setString(3, rule.severity());
                    ps.setDouble(4, value);
                    ps.setDouble(5, value);
                    ps.setDouble(6, rule.fire());
                    ps.setString(7, rule.summary());
                    ps.setTimestamp(8, at);
                    ps.setTimestamp(9, at);
                    try (ResultSet rs = ps.executeQuery()) {
                        if (rs.next()) {
                            transitions.add(new Alert(
                                    rs.getLong(1),
                                    rule.name(),
                                    rule.metric().key(),
                                    rule.severity(),
                                    "firing",
                                    value,
                                    value,
                                    rule.fire(),
                                    rule.summary(),
                                    o.at(),
                                    o.at(),
                                    null));
                        }
                    }
                }
            } else if (open != null) {
                boolean resolved = rule.recovered(value);
                try (PreparedStatement ps = Sql.prepare(store, """
                        UPDATE chrono_perf.alerts
                           SET value = ?, last_seen_at = ?, resolved_at = CASE WHEN ? THEN ?::timestamptz END,
                               peak = CASE WHEN ? THEN greatest(peak, ?) ELSE least(peak, ?) END
                         WHERE id = ? AND resolved_at IS NULL""")) {
                    ps.setDouble(1, value);
                    ps.setTimestamp(2, at);
                    ps.setBoolean(3, resolved);
                    ps.setTimestamp(4, at);
                    ps.setBoolean(5, rule.above());
                    ps.setDouble(6, value);
                    ps.setDouble(7, value);
                    ps.setLong(8, open.id());
                    if (ps.executeUpdate() == 1 && resolved) {
                        double peak = rule.above() ? Math.max(open.peak(), value) : Math.min(open.peak(), value);
                        transitions.add(new Alert(
                                open.id(),
                                open.rule(),
                                open.metric(),
                                open.severity(),
                                "resolved",
                                value,
                                peak,
                                open.threshold(),
                                open.message(),
                                open.startedAt(),
                                o.at(),
                                o.at()));
                    }
                }
            }
        }
        for (Alert t : transitions) {
            for (AlertSink sink : sinks) {
                sink.send(t);
            }
        }
        return transitions;
    }

    /** Open alerts first, then those resolved within the window, newest first. */
    public List<Alert> list(Connection store, Instant since, int limit) throws SQLException {
        List<Alert> out = new ArrayList<>();
        try (PreparedStatement ps = Sql.prepare(store, SELECT + """
                 WHERE resolved_at IS NULL OR resolved_at >= ?
                 ORDER BY (resolved_at IS NULL) DESC, started_at DESC LIMIT ?""")) {
            ps.setTimestamp(1, Timestamp.from(since));
            ps.setInt(2, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(read(rs));
                }
            }
        }
        return out;
    }

    /** Removes alerts resolved before the retention; returns how many. */
    public long cleanUp(Connection store, Instant now, Duration retention) throws SQLException {
        try (PreparedStatement ps = Sql.prepare(store, "DELETE FROM chrono_perf.alerts WHERE resolved_at < ?")) {
            ps.setTimestamp(1, Timestamp.from(now.minus(retention)));
            return ps.executeUpdate();
        }
    }

    private static final String SELECT = """
            SELECT id, rule, metric, severity, value, peak, threshold, message, started_at, last_seen_at, resolved_at
              FROM chrono_perf.alerts
            """;

    private static Alert open(Connection store, String rule) throws SQLException {
        try (PreparedStatement ps = Sql.prepare(store, SELECT + " WHERE rule = ? AND resolved_at IS NULL")) {
            ps.setString(1, rule);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? read(rs) : null;
            }
        }
    }

    private static Alert read(ResultSet rs) throws SQLException {
        Timestamp resolved = rs.getTimestamp(11);
        return new Alert(
                rs.getLong(1),
                rs.getString(2),
                rs.getString(3),
                rs.getString(4),
                resolved == null ? "firing" : "resolved",
                rs.getDouble(5),
                rs.getDouble(6),
                rs.getDouble(7),
                rs.getString(8),
                rs.getTimestamp(9).toInstant(),
                rs.getTimestamp(10).toInstant(),
                resolved == null ? null : resolved.toInstant());
    }
}
