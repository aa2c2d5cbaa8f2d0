package io.chronoperf.server.api;

import io.chronoperf.monitor.Inspection;
import io.chronoperf.monitor.SystemCollector;
import io.chronoperf.runtime.InvalidParameterException;
import io.chronoperf.runtime.NotFoundException;
import io.chronoperf.runtime.Parameters;
import io.chronoperf.server.monitor.MonitorService;
import io.chronoperf.server.watch.Databases;
import io.chronoperf.server.watch.WatchedDatabase;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.ObjectMapper;

/**
 * The pages pgHero users look for ({@link Inspection}), for any watched database
 * ({@code ?database=}): space, connections, live queries with cancel and terminate (admin only,
 * confirmed, with a reason, recorded in {@code chrono_perf.actions}), maintenance, settings beside
 * recommendations, index usage, and one statement's history.
 */
@RestController
@RequestMapping("/api/v1/admin/performance/database")
@Tag(
        name = "performance: database pages",
        description = "Space, connections, live queries, maintenance, settings, index usage")
public class InspectionController {
    private static final Logger log = LoggerFactory.getLogger(InspectionController.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Databases databases;
    private final MonitorService monitor;
    private final DataSource ownState;

    public InspectionController(Databases databases, MonitorService monitor, DataSource dataSource) {
        this.databases = databases;
        this.monitor = monitor;
        this.ownState = dataSource;
    }

    @GetMapping("/space")
    @Operation(
            summary = "The database's size, its tables (with their indexes and TOAST) and indexes by size (limit 1 to "
                    + "200, 50)")
    public Inspection.Space space(
            @RequestParam(required = false) String database, @RequestParam(required = false) Integer limit)
            throws SQLException {
        try (Connection c = databases.resolve(database).dataSource().getConnection()) {
            return Inspection.space(c, Parameters.range("limit", limit, 1, 200, 50));
        }
    }

    @GetMapping("/connections")
    @Operation(summary = "Sessions of the database by user, application, state and client, beside max_connections")
    public Inspection.ConnectionsView connections(@RequestParam(required = false) String database) throws SQLException {
        try (Connection c = databases.resolve(database).dataSource().getConnection()) {
            return Inspection.connections(c);
        }
    }

    @GetMapping("/live-queries")
    @Operation(summary = "Statements running now, longest first (chrono-perf's own sessions left out)")
    public List<Inspection.LiveQuery> liveQueries(@RequestParam(required = false) String database) throws SQLException {
        try (Connection c = databases.resolve(database).dataSource().getConnection()) {
            return Inspection.liveQueries(c);
        }
    }

    /** Body of a cancel or terminate: the confirmation and why (kept with the action). */
    public record SignalRequest(Boolean confirm, String reason) {}

    @PostMapping("/live-queries/{pid}/cancel")
    @Operation(
            summary = "Cancel a session's statement (pg_cancel_backend; admin only; {\"confirm\": true, \"reason\": "
                    + "...});"
                    + " recorded with who, from where and why")
    public Inspection.Signal cancel(
            @PathVariable int pid,
            @RequestParam(required = false) String database,
            @RequestBody(required = false) SignalRequest body,
            @AuthenticationPrincipal Jwt jwt,
            HttpServletRequest request)
            throws SQLException {
        return signal(pid, database, body, false, jwt, request);
    }

    @PostMapping("/live-queries/{pid}/terminate")
    @Operation(
            summary = "End a session (pg_terminate_backend: its transaction rolls back; admin only;"
                    + " {\"confirm\": true, \"reason\": ...}); recorded with who, from where and why")
    public Inspection.Signal terminate(
            @PathVariable int pid,
            @RequestParam(required = false) String database,
            @RequestBody(required = false) SignalRequest body,
            @AuthenticationPrincipal Jwt jwt,
            HttpServletRequest request)
            throws SQLException {
        return signal(pid, database, body, true, jwt, request);
    }

    private Inspection.Signal signal(
            int pid, String database, SignalRequest body, boolean terminate, Jwt jwt, HttpServletRequest request)
            throws SQLException {
        String action = terminate ? "terminate" : "cancel";
        if (body == null || !Boolean.TRUE.equals(body.confirm())) {
            throw new InvalidParameterException(
                    "confirm",
                    "to " + action + " session " + pid + " send \"confirm\": true"
                            + (terminate
                                    ? " (its transaction is rolled back and the client loses its connection)"
                                    : ""));
        }
        if (body.reason() == null || body.reason().isBlank() || body.reason().length() > 500) {
            throw new InvalidParameterException(
                    "reason", "say why in \"reason\" (1 to 500 characters): it is kept with the action");
        }
        WatchedDatabase db = databases.resolve(database);
        Inspection.Signal s;
        try (Connection c = db.dataSource().getConnection()) {
            s = Inspection.signal(c, pid, terminate);
        }
        if (!s.found()) {
            throw new NotFoundException(
                    "No client session " + pid + " of database " + db.name() + " that chrono-perf may " + action
                            + " (it ended, belongs to another database, or is chrono-perf's own)");
        }
        String subject = jwt == null ? null : jwt.getSubject();
        try (Connection c = ownState.getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO chrono_perf.actions (subject, ip, database, action, pid, reason, outcome) VALUES "
                                + "(?, ?, ?, ?, ?, ?, ?::jsonb)")) {
            ps.setString(1, subject);
            ps.setString(2, request.getRemoteAddr());
            ps.setString(3, db.name());
            ps.setString(4, action);
            ps.setInt(5, pid);
            ps.setString(6, body.reason());
            ps.setString(7, JSON.writeValueAsString(s));
            ps.executeUpdate();
        }
        log.info(
                "{} {} session {} of database {} ({}): {}",
                subject,
                action,
                pid,
                db.name(),
                s.done() ? "done" : "not done",
                body.reason());
        return s;
    }

    @GetMapping("/maintenance")
    @Operation(
            summary = "Per table: live and dead rows, rows changed since the last analyze, last vacuum and analyze"
                    + " (manual and automatic), transaction-ID age, and what to run; the database's "
                    + "transaction-ID age (limit 1 to 500, 100)")
    public Inspection.Maintenance maintenance(
            @RequestParam(required = false) String database, @RequestParam(required = false) Integer limit)
            throws SQLException {
        try (Connection c = databases.resolve(database).dataSource().getConnection()) {
            return Inspection.maintenance(c, Parameters.range("limit", limit, 1, 500, 100));
        }
    }

    @GetMapping("/settings")
    @Operation(
            summary = "Key server settings beside recommendations for a machine (memory_mb and cores; default: the host"
                    + " chrono-perf runs on, which is the database's only when they share it)")
    public Inspection.SettingsView settings(
            @RequestParam(required = false) String database,
            @RequestParam(name = "memory_mb", required = false) Integer memoryMb,
            @RequestParam(required = false) Integer cores)
            throws SQLException {
        SystemCollector.SystemStats host = monitor.system();
        long hostMb = host.memoryTotalBytes() >> 20;
        long mem = Parameters.range(
                "memory_mb", memoryMb, 256, 16 << 20, (int) Math.min(Integer.MAX_VALUE, Math.max(256, hostMb)));
        int cpu = Parameters.range("cores", cores, 1, 1024, Math.max(1, host.logicalCpus()));
        String basis = memoryMb == null && cores == null
                ? "this host's " + mem + " MB and " + cpu
                        + " cores (chrono-perf's; pass memory_mb and cores for the database's machine)"
                : mem + " MB and " + cpu + " cores, as given";
        try (Connection c = databases.resolve(database).dataSource().getConnection()) {
            return Inspection.settings(c, mem, cpu, basis);
        }
    }

    @GetMapping("/index-usage")
    @Operation(
            summary = "Indexes by use, least used first: scans, tuples read, size, unique or primary, last used "
                    + "(PostgreSQL 16+)"
                    + " (limit 1 to 500, 100)")
    public List<Inspection.IndexUse> indexUsage(
            @RequestParam(required = false) String database, @RequestParam(required = false) Integer limit)
            throws SQLException {
        try (Connection c = databases.resolve(database).dataSource().getConnection()) {
            return Inspection.indexUsage(c, Parameters.range("limit", limit, 1, 500, 100));
        }
    }

    @GetMapping("/statements/{queryid}/history")
    @Operation(
            summary =
                    "One statement's calls and mean time per interval between stored samples over the last hours (1 to "
                            + "336, 24)")
    public List<Inspection.StatementPoint> statementHistory(
            @PathVariable long queryid,
            @RequestParam(required = false) String database,
            @RequestParam(required = false) Integer hours)
            throws SQLException {
        int h = Parameters.range("hours", hours, 1, 336, 24);
        try (Connection c = databases.resolve(database).dataSource().getConnection()) {
            return Inspection.statementHistory(c, queryid, Duration.ofHours(h));
        }
    }
}
