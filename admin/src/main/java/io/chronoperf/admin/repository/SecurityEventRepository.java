package io.chronoperf.admin.repository;

import static io.chronoperf.admin.internal.Jdbc.instant;
import static io.chronoperf.admin.internal.Jdbc.nullableLong;

import io.chronoperf.admin.internal.Jdbc;
import io.chronoperf.admin.repository.Bounds.Cursor;
import io.chronoperf.admin.repository.Bounds.Page;
import io.chronoperf.runtime.InvalidParameterException;
import java.net.InetAddress;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/** Security events: recent events of an IP, top offending IPs, high-risk events. Thread-safe. */
public final class SecurityEventRepository {
    /** Literal IPv4 or IPv6 only: no host names, so parsing never touches DNS. */
    private static final Pattern IP_LITERAL = Pattern.compile("[0-9a-fA-F:.]{2,45}");

    private final Jdbc jdbc;
    private final Clock clock;

    public SecurityEventRepository(DataSource dataSource, Clock clock) {
        this.jdbc = new Jdbc(dataSource);
        this.clock = clock;
    }

    public record Event(
            long id,
            Instant createdAt,
            String eventType,
            String ipAddress,
            Long userId,
            int riskScore,
            boolean resolved,
            String countryCode,
            String details) {}

    private static final String COLUMNS = "id, created_at, event_type, host(ip_address) AS ip, user_id, risk_score,"
            + " resolved, country_code, details::text AS details";

    /** Events of one IP in the last {@code hours} (1 to 24), newest first. */
    public List<Event> recentByIp(String ip, Integer hours, Integer limit) {
        String address = ipLiteral(ip);
        int h = Bounds.range("hours", hours, 1, 24, 24);
        int n = Bounds.limit(limit);
        return jdbc.list(
                "SELECT " + COLUMNS + " FROM security_events WHERE ip_address = ?::inet AND created_at > ?"
                        + " ORDER BY created_at DESC LIMIT ?",
                SecurityEventRepository::map,
                address,
                clock.instant().minus(Duration.ofHours(h)),
                n);
    }

    /** One IP's activity in the window: its failed-access events, all its events, its highest risk. */
    public record Offender(
            String ipAddress, long failures, long events, int maxRisk, Instant firstSeen, Instant lastSeen) {}

    /**
     * The IPs with the most failed-access events (failed logins, brute force, failed MFA, rate
     * limiting) in the last {@code hours} (1 to 24), each with all its events in the window.
     * Two steps: count failures per IP from the covering index (one narrow aggregate), then
     * look at the few winners with idx_security_events_recent_by_ip; aggregating every event of
     * every IP of the day in one pass costs three times as much at 5M events.
     */
    public List<Offender> topOffenders(Integer hours, Integer limit) {
        int h = Bounds.range("hours", hours, 1, 24, 24);
        int n = Bounds.range("limit", limit, 1, 100, 20);
        Instant since = clock.instant().minus(Duration.ofHours(h));
        return jdbc.list(
                """
                WITH top AS (
                    SELECT ip_address, count(*) AS failures
                      FROM security_events
                     WHERE created_at > ? AND event_type IN ('login_failed', 'brute_force', 'mfa_failed',
                         'rate_limited')
                     GROUP BY ip_address ORDER BY failures DESC, ip_address LIMIT ?)
                SELECT host(t.ip_address) AS ip, t.failures, s.events, s.max_risk, s.first_seen, s.last_seen
                  FROM top t
                 CROSS JOIN LATERAL (
                       SELECT count(*) AS events, max(risk_score) AS max_risk, min(created_at) AS first_seen,
                              max(created_at) AS last_seen
                         FROM security_events e WHERE e.ip_address = t.ip_address AND e.created_at > ?) s
                 ORDER BY t.failures DESC, t.ip_address""",
                rs -> new Offender(
                        rs.getString("ip"),
                        rs.getLong("failures"),
                        rs.getLong("events"),
                        rs.getInt("max_risk"),
                        instant(rs, "first_seen"),
                        instant(rs, "last_seen")),
                since,
                n,
                since);
    }

    /** Events with risk above {@code minRisk} (at least 71, the partial index's range), riskiest and newest first. */
    public Page<Event> highRisk(Integer minRisk, Integer limit, String cursor) {
        int min = Bounds.range("min_risk", minRisk, 71, 100, 71);
        int n = Bounds.limit(limit);
        Cursor after = Cursor.decode(cursor);
        // Keyset on (risk_score DESC, created_at DESC): the cursor's id field carries created_at.
        List<Event> rows = after == null
                ? jdbc.list(
                        "SELECT " + COLUMNS + " FROM security_events WHERE risk_score > 70 AND risk_score >= ?"
                                + " ORDER BY risk_score DESC, created_at DESC LIMIT ?",
                        SecurityEventRepository::map,
                        min,
                        n + 1)
                : jdbc.list(
                        "SELECT " + COLUMNS + " FROM security_events WHERE risk_score > 70 AND risk_score >= ?"
                                + " AND (risk_score, created_at) < (?, ?) ORDER BY risk_score DESC, created_at DESC "
                                + "LIMIT ?",
                        SecurityEventRepository::map,
                        min,
                        (int) after.sortKey(),
                        new Cursor(after.id(), 0).instant(),
                        n + 1);
        return Page.of(
                rows,
                n,
                e -> new Cursor(e.riskScore(), Cursor.of(e.createdAt(), 0).sortKey()));
    }

    private static String ipLiteral(String ip) {
        if (ip == null || ip.isBlank()) {
            throw new InvalidParameterException("ip", "ip is required, e.g. ip=198.51.100.7");
        }
        String trimmed = ip.strip();
        if (!IP_LITERAL.matcher(trimmed).matches() || (trimmed.indexOf(':') < 0 && !strictIpv4(trimmed))) {
            throw new InvalidParameterException(
                    "ip", "ip must be an IPv4 or IPv6 address, not '" + Bounds.text("ip", trimmed) + "'");
        }
        try {
            return InetAddress.getByName(trimmed).getHostAddress(); // a literal: no lookup happens
        } catch (java.net.UnknownHostException e) {
            throw new InvalidParameterException("ip", "ip must be an IPv4 or IPv6 address, not '" + trimmed + "'");
        }
    }

    /** Four decimal octets 0-255 without leading zeros: "1.5" is not 1.0.0.5, "010.1.1.1" is not octal. */
    static boolean strictIpv4(String s) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) {
            return false;
        }
        for (String p : parts) {
            if (p.isEmpty()
                    || p.length() > 3
                    || !p.chars().allMatch(c -> c >= '0' && c <= '9')
                    || (p.length() > 1 && p.charAt(0) == '0')
                    || Integer.parseInt(p) > 255) {
                return false;
            }
        }
        return true;
    }

    static Event map(ResultSet rs) throws SQLException {
        return new Event(
                rs.getLong("id"),
                instant(rs, "created_at"),
                rs.getString("event_type"),
                rs.getString("ip"),
                nullableLong(rs, "user_id"),
                rs.getInt("risk_score"),
                rs.getBoolean("resolved"),
                rs.getString("country_code"),
                rs.getString("details"));
    }
}
